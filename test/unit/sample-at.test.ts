// The viewer's point sampler against the engine's separable resampler: sampling a map at the
// voxel centres of another grid gives what resample(linear, clamp) and resample(nearest) write.
import { describe, expect, it } from 'vitest';
import { resample } from '../../src/main/engine/volume/resample';
import { patientToIndex, type Geometry } from '../../src/shared/geometry';
import { sampleAt } from '../../src/shared/sampleAt';

const grid = (dims: [number, number, number], spacing: [number, number, number], origin: [number, number, number]): Geometry => ({ dimensions: dims, spacing, origin, direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] });

describe('sampleAt', () => {
  const src = grid([7, 6, 5], [3, 3, 4], [0, 0, 0]);
  const dst = grid([20, 17, 13], [1, 1, 1.4], [0.37, -0.41, 0.23]); // inside the extent +- half a voxel; no index falls on a .5 tie
  const data = Float32Array.from({ length: 7 * 6 * 5 }, (_, v) => Math.sin(v * 0.7) * 10 + (v % 7));

  for (const mode of ['linear', 'nearest'] as const) {
    it(`agrees with the engine's resample (${mode}) at every voxel of another grid`, () => {
      const ref = resample(data, src, dst, mode, 'clamp');
      let worst = 0;
      for (let k = 0; k < 13; k++) {
        for (let j = 0; j < 17; j++) {
          for (let i = 0; i < 20; i++) {
            const p = [dst.origin[0] + i * dst.spacing[0], dst.origin[1] + j * dst.spacing[1], dst.origin[2] + k * dst.spacing[2]] as [number, number, number];
            const [si, sj, sk] = patientToIndex(src, p);
            const v = sampleAt(data, src.dimensions, si, sj, sk, mode);
            worst = Math.max(worst, Math.abs(v - ref[(k * 17 + j) * 20 + i]));
          }
        }
      }
      expect(worst).toBeLessThan(1e-4);
    });
  }

  it('is NaN beyond half a voxel outside the grid, and hand-computed inside', () => {
    const d = Float32Array.of(0, 10, 20, 30, 40, 50, 60, 70); // 2x2x2
    expect(sampleAt(d, [2, 2, 2], 0.5, 0.5, 0.5, 'linear')).toBeCloseTo(35, 12);
    expect(sampleAt(d, [2, 2, 2], 1, 0, 0.25, 'linear')).toBeCloseTo(20, 12);
    expect(sampleAt(d, [2, 2, 2], 0.6, 0.4, 0.9, 'nearest')).toBe(50);
    expect(sampleAt(d, [2, 2, 2], -0.6, 0, 0, 'linear')).toBeNaN();
  });
});
