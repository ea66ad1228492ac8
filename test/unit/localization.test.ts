// Localization against ground-truth lesions: the pointing game counts ties (chunk maps are
// piecewise constant) and the energy share is taken on the min-max normalized map, so a map with a
// floor (MUPAX retention) is judged by its concentration, not its offset.
import { describe, expect, it } from 'vitest';
import { lesionMask, localization } from '../../src/main/engine/metrics/localization';
import type { Geometry } from '../../src/shared/geometry';

const grid: Geometry = { dimensions: [10, 10, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
const mask = lesionMask(grid, [{ kind: 'solid', centre: [7, 7, 0], diameterMm: 2.2 }]);

describe('localization', () => {
  it('builds the lesion mask from centre and diameter', () => {
    expect(mask.reduce((a, b) => a + b, 0)).toBe(5); // the centre and its 4 neighbours within 1.1 mm
    expect(mask[7 * 10 + 7]).toBe(1);
  });

  it('counts a tie for the maximum inside the lesion as a hit (block maps)', () => {
    const map = new Float32Array(100).fill(0.6);
    for (let j = 5; j < 10; j++) for (let i = 5; i < 10; i++) map[j * 10 + i] = 0.9; // the top block holds the lesion
    const r = localization(map, mask);
    expect(r.pointingGameHit).toBe(true);
    expect(r.lesionVoxelFraction).toBeCloseTo(0.05);
    // Normalized: outside the block 0, inside 1 -> 5 of the 25 units are in the lesion.
    expect(r.energyInside).toBeCloseTo(5 / 25);
  });

  it('misses when the maximum is elsewhere, and a flat map localizes nothing', () => {
    const map = new Float32Array(100).fill(0.5);
    map[0] = 1;
    expect(localization(map, mask).pointingGameHit).toBe(false);
    expect(localization(map, mask).energyInside).toBe(0);
    const flat = localization(new Float32Array(100).fill(0.7), mask);
    expect(flat.pointingGameHit).toBe(false);
    expect(flat.energyInside).toBe(0);
  });
});
