import { describe, expect, it } from 'vitest';
import { fitGrid, indexToPatient, letterboxGrid, patientToIndex, reindex, type Geometry, type Vec3 } from '../../src/shared/geometry';
import { resample } from '../../src/main/engine/volume/resample';

const volume: Geometry = { dimensions: [40, 30, 20], spacing: [0.7, 0.7, 2.5], origin: [-10, 20, -30], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };

describe('model grids', () => {
  it('fitGrid covers the same extent: corners map to corners (voxel edges)', () => {
    const grid = fitGrid(volume, [16, 12, 8]);
    // Edge of the first model voxel = edge of the first volume voxel.
    const edge = reindex(grid, volume, [-0.5, -0.5, -0.5]);
    edge.forEach((v) => expect(v).toBeCloseTo(-0.5, 9));
    const far = reindex(grid, volume, [15.5, 11.5, 7.5]);
    expect(far[0]).toBeCloseTo(39.5, 9);
    expect(far[1]).toBeCloseTo(29.5, 9);
    expect(far[2]).toBeCloseTo(19.5, 9);
  });

  it('round-trips volume <-> model grid within half a voxel', () => {
    const grid = fitGrid(volume, [16, 12, 8]);
    for (const ijk of [[0, 0, 0], [39, 29, 19], [13.3, 7.7, 11.1]] as Vec3[]) {
      const back = reindex(grid, volume, reindex(volume, grid, ijk));
      back.forEach((v, a) => expect(Math.abs(v - ijk[a])).toBeLessThan(1e-9));
      // and the patient point is the same
      const p = indexToPatient(volume, ijk);
      const q = indexToPatient(grid, patientToIndex(grid, p));
      q.forEach((v, a) => expect(v).toBeCloseTo(p[a], 9));
    }
  });

  it('letterbox keeps the aspect ratio and centres the image', () => {
    const xray: Geometry = { dimensions: [1935, 2400, 1], spacing: [0.1, 0.1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    const grid = letterboxGrid(xray, [256, 320]);
    expect(grid.spacing[0]).toBeCloseTo(grid.spacing[1], 12);
    expect(grid.spacing[0]).toBeCloseTo(193.5 / 256, 12); // the width limits: 1935*0.1/256 > 2400*0.1/320
    const centre = reindex(xray, grid, [967, 1199.5, 0]);
    expect(centre[0]).toBeCloseTo(127.5, 9);
    expect(centre[1]).toBeCloseTo(159.5, 9);
  });
});

describe('resample', () => {
  it('reproduces a linear ramp exactly with linear interpolation', () => {
    const [nx, ny, nz] = volume.dimensions;
    const data = new Float32Array(nx * ny * nz);
    for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) data[(k * ny + j) * nx + i] = 2 * i + 3 * j + 5 * k;
    const grid = fitGrid(volume, [16, 12, 8]);
    const out = resample(data, volume, grid, 'linear', 0);
    // interior model voxels: value = ramp at the mapped source index
    for (const [i, j, k] of [[5, 5, 3], [10, 2, 4], [8, 8, 6]]) {
      const u = reindex(grid, volume, [i, j, k]);
      expect(out[(k * 12 + j) * 16 + i]).toBeCloseTo(2 * u[0] + 3 * u[1] + 5 * u[2], 3);
    }
  });

  it('area downsampling averages blocks and pads outside the image', () => {
    const src: Geometry = { dimensions: [8, 4, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    const data = Float32Array.from({ length: 32 }, (_, n) => (n % 8 < 4 ? 10 : 30));
    const grid = letterboxGrid(src, [2, 2]); // 4 mm pixels: 2 columns cover the 8 px, rows are letterboxed
    const out = resample(data, src, grid, 'area', -1);
    // Grid row 0 covers source rows -2..2: half image, half letterbox margin (pad -1).
    expect(Array.from(out.slice(0, 2))).toEqual([0.5 * 10 + 0.5 * -1, 0.5 * 30 + 0.5 * -1]);
    expect(out.length).toBe(4);
  });
});
