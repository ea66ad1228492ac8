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

describe('nearest-neighbour resampling', () => {
  // Reference: every target voxel maps its own index to the source through patient space and
  // rounds, one voxel at a time (no row reuse, no per-axis tables).
  function bruteNearest(data: Float32Array, source: Geometry, target: Geometry, pad: number | 'clamp'): Float32Array {
    const [mx, my, mz] = target.dimensions;
    const [nx, ny, nz] = source.dimensions;
    const out = new Float32Array(mx * my * mz);
    for (let z = 0, o = 0; z < mz; z++)
      for (let y = 0; y < my; y++)
        for (let x = 0; x < mx; x++, o++) {
          const ijk = reindex(target, source, [x, y, z]).map((v) => Math.round(v));
          const inside = ijk.every((v, a) => v >= 0 && v < [nx, ny, nz][a]);
          if (!inside && pad !== 'clamp') out[o] = pad;
          else {
            const [i, j, k] = ijk.map((v, a) => Math.min(Math.max(v, 0), [nx, ny, nz][a] - 1));
            out[o] = data[(k * ny + j) * nx + i];
          }
        }
    return out;
  }
  const random = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);

  it('a coarse map onto a finer, shifted grid equals the voxel-by-voxel reference (rows reused, padding, clamping)', () => {
    const coarse: Geometry = { dimensions: [7, 5, 3], spacing: [2, 3, 4], origin: [1, -2, 0.5], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    const fine: Geometry = { dimensions: [19, 17, 11], spacing: [0.9, 1.1, 1.3], origin: [-2, -5, -1], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    const data = random(7 * 5 * 3);
    for (const pad of [-7, 'clamp'] as const) expect(Array.from(resample(data, coarse, fine, 'nearest', pad))).toEqual(Array.from(bruteNearest(data, coarse, fine, pad)));
  });

  it('writes into a caller buffer the same values, and refuses one of the wrong size', () => {
    const coarse: Geometry = { dimensions: [4, 4, 2], spacing: [2, 2, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    const fine: Geometry = { dimensions: [8, 9, 4], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    const data = random(32);
    const into = new Float32Array(8 * 9 * 4).fill(99);
    expect(Array.from(resample(data, coarse, fine, 'nearest', 'clamp', into))).toEqual(Array.from(bruteNearest(data, coarse, fine, 'clamp')));
    expect(() => resample(data, coarse, fine, 'nearest', 'clamp', new Float32Array(5))).toThrow(/does not fit/);
  });
});

describe('linear and area resampling against a voxel-by-voxel reference', () => {
  // Reference: each target voxel maps its index to the source through patient space, and sums the
  // separable weights of its (up to 8) neighbours in float64; clamped or padded at the edges.
  function bruteLinear(data: Float32Array, source: Geometry, target: Geometry, pad: number | 'clamp'): Float64Array {
    const [mx, my, mz] = target.dimensions;
    const n = source.dimensions;
    const out = new Float64Array(mx * my * mz);
    for (let z = 0, o = 0; z < mz; z++)
      for (let y = 0; y < my; y++)
        for (let x = 0; x < mx; x++, o++) {
          const u = reindex(target, source, [x, y, z]);
          const axes = u.map((v, a) => {
            const i0 = Math.floor(v);
            return [
              [i0, 1 - (v - i0)],
              [i0 + 1, v - i0],
            ].filter(([, w]) => w !== 0) as [number, number][];
          });
          let v = 0;
          for (const [i, wi] of axes[0])
            for (const [j, wj] of axes[1])
              for (const [k, wk] of axes[2]) {
                const inside = i >= 0 && i < n[0] && j >= 0 && j < n[1] && k >= 0 && k < n[2];
                const at = (c: number, a: number) => Math.min(Math.max(c, 0), n[a] - 1);
                const value = inside || pad === 'clamp' ? data[(at(k, 2) * n[1] + at(j, 1)) * n[0] + at(i, 0)] : pad;
                v += wi * wj * wk * value;
              }
          out[o] = v;
        }
    return out;
  }
  const random = (n: number) => Float32Array.from({ length: n }, (_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1);
  const coarse: Geometry = { dimensions: [7, 5, 4], spacing: [2, 3, 4], origin: [1, -2, 0.5], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };

  it('upsampling onto a finer, shifted grid (every axis, or z only) matches it, clamped or padded', () => {
    const data = random(7 * 5 * 4);
    const grids: Geometry[] = [
      { dimensions: [19, 17, 13], spacing: [0.9, 1.1, 1.3], origin: [-2, -5, -1], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
      // x and y identities, z resampled: the planes are views of the source
      { dimensions: [7, 5, 9], spacing: [2, 3, 1.5], origin: [1, -2, -0.3], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
      // y only identity
      { dimensions: [11, 5, 6], spacing: [1.2, 3, 2.2], origin: [0, -2, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
    ];
    for (const fine of grids)
      for (const pad of [-7, 'clamp'] as const) {
        const got = resample(data, coarse, fine, 'linear', pad);
        const want = bruteLinear(data, coarse, fine, pad);
        expect(got.length).toBe(want.length);
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5);
      }
  });

  it('writes into a caller buffer exactly what it returns otherwise', () => {
    const data = random(7 * 5 * 4);
    const fine: Geometry = { dimensions: [19, 17, 13], spacing: [0.9, 1.1, 1.3], origin: [-2, -5, -1], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    const into = new Float32Array(19 * 17 * 13).fill(99);
    expect(Array.from(resample(data, coarse, fine, 'linear', 'clamp', into))).toEqual(Array.from(resample(data, coarse, fine, 'linear', 'clamp')));
    expect(() => resample(data, coarse, fine, 'linear', 'clamp', new Float32Array(5))).toThrow(/does not fit/);
  });

  it('area downsampling in z averages the planes a target voxel covers', () => {
    // 8 source planes of constant value p onto 2 target planes of twice the thickness: each takes
    // the mean of the planes inside its footprint (half-planes at the edges).
    const src: Geometry = { dimensions: [2, 2, 8], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    const data = Float32Array.from({ length: 32 }, (_, n) => Math.floor(n / 4));
    const target: Geometry = { dimensions: [2, 2, 2], spacing: [1, 1, 4], origin: [0, 0, 1.5], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    const out = resample(data, src, target, 'area', 0);
    expect(Array.from(out.slice(0, 4))).toEqual([1.5, 1.5, 1.5, 1.5]);
    expect(Array.from(out.slice(4))).toEqual([5.5, 5.5, 5.5, 5.5]);
  });
});
