// One rule for what an overlay draws and in which colour, shared by the viewer and the report:
// hand-computed cases for ordinary maps and for region maps (significant evidence).
import { describe, expect, it } from 'vitest';
import { overlayLevel, overlayScale } from '../../src/shared/overlayScale';

describe('overlay scale and level', () => {
  it('an ordinary map spans its value range and hides what lies below the threshold', () => {
    const s = overlayScale([-1, 0, 1, 3], false);
    expect(s).toEqual({ min: -1, max: 3 });
    expect(overlayLevel(-1, s, 0.2)).toBeNull(); // 0 of the range
    expect(overlayLevel(0, s, 0.2)).toBeCloseTo(0.25, 12);
    expect(overlayLevel(3, s, 0.2)).toBe(1);
    expect(overlayLevel(Number.NaN, s, 0)).toBeNull();
    expect(overlayLevel(5, overlayScale([5, 5], false), 0.2)).toBeNull(); // a flat map shows nothing
  });

  it('a region spans its own values above 0, is drawn whole, and nothing outside it', () => {
    const s = overlayScale([0, 0, 4.3, 5.1, 4.7], true);
    expect(s).toEqual({ min: 4.3, max: 5.1, region: true });
    expect(overlayLevel(0, s, 0.5)).toBeNull();
    expect(overlayLevel(4.3, s, 0.5)).toBe(0); // the threshold does not apply to a region
    expect(overlayLevel(4.7, s, 0.5)).toBeCloseTo(0.5, 12);
    expect(overlayLevel(1, overlayScale([0, 1, 1], true), 0.2)).toBe(1); // all significant alike: the top colour
    expect(overlayScale([0, 0], true)).toEqual({ min: 0, max: 0, region: true });
  });
});
