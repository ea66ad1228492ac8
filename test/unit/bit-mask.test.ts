// The SEG's one-bit regions (report/bitMask.ts) equal the byte regions the viewer uses (shared/topRegion.ts).
import { describe, expect, it } from 'vitest';
import { BitMask, maskWhere, topRegionMask } from '../../src/main/engine/report/bitMask';
import { topRegion } from '../../src/shared/topRegion';

let s = 3;
const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

describe('BitMask', () => {
  it('marks the same top-k% voxels as topRegion, ties and minimum included', () => {
    const data = Float32Array.from({ length: 30_001 }, () => Math.round(rand() * 500) / 10);
    for (const percent of [0.01, 5, 37.5, 100]) {
      const bytes = topRegion(data, percent);
      const bits = topRegionMask(data, percent);
      expect(bits.length).toBe(data.length);
      for (let i = 0; i < data.length; i++) if (bits.get(i) !== bytes[i]) throw new Error(`${percent}%: voxel ${i} differs`);
      expect(bits.count()).toBe(bytes.reduce((a, b) => a + b, 0));
    }
    expect(topRegionMask(new Float32Array(64), 5).count()).toBe(0); // a flat map: empty
    expect(() => topRegionMask(data, 0)).toThrow('percentage');
  });

  it('finds set voxels in ranges that start and end inside a byte', () => {
    const m = new BitMask(100);
    m.set(13);
    m.set(64);
    for (const [from, to, any] of [
      [0, 13, false],
      [0, 14, true],
      [14, 64, false],
      [14, 65, true],
      [65, 100, false],
      [13, 14, true],
      [3, 11, false],
    ] as const)
      expect(m.anyIn(from, to), `${from}..${to}`).toBe(any);
    expect(maskWhere([0, -1, 2, 0, 3], (v) => v > 0).count()).toBe(2);
  });
});
