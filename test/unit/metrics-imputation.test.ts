// ROAD's noisy linear imputation against systems solved by hand: a removed voxel is the weighted
// mean of its neighbours (2D: direct 1/6, diagonal 1/12; 3D: the 6 faces), holes are solved
// jointly, linear ramps are reproduced, and the noise is seeded and as large as asked.
import { describe, expect, it } from 'vitest';
import { noisyLinearImputation } from '../../src/main/engine/metrics/imputation';

const exact = { noise: 0, tolerance: 1e-12, maxIterations: 1000 };

describe('noisy linear imputation', () => {
  it("fills one pixel with ROAD's 8-neighbour kernel", () => {
    // [[0,0,0],[0,?,3],[0,6,9]]: direct neighbours 0,0,3,6 at 1/6, diagonal 0,0,0,9 at 1/12.
    const x = Float32Array.from([0, 0, 0, 0, 100, 3, 0, 6, 9]);
    const removed = Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0, 0]);
    const out = noisyLinearImputation(x, [3, 3, 1], removed, exact);
    expect(out[4]).toBeCloseTo(9 / 6 + 9 / 12, 6);
    expect(Array.from(out).filter((_, i) => i !== 4)).toEqual([0, 0, 0, 0, 3, 0, 6, 9]);
  });

  it('solves neighbouring holes jointly (a line: 2u1 = 0 + u2, 2u2 = u1 + 3)', () => {
    const out = noisyLinearImputation(Float32Array.from([0, 50, 50, 3]), [4, 1, 1], Uint8Array.from([0, 1, 1, 0]), exact);
    expect(out[1]).toBeCloseTo(1, 6);
    expect(out[2]).toBeCloseTo(2, 6);
  });

  it('uses the 6 face neighbours on a 3D grid', () => {
    const x = new Float32Array(27);
    for (let v = 0; v < 27; v++) x[v] = v * v; // the centre's faces: 4,10,12,14,16,22 squared
    const removed = new Uint8Array(27);
    removed[13] = 1;
    const out = noisyLinearImputation(x, [3, 3, 3], removed, exact);
    expect(out[13]).toBeCloseTo((16 + 100 + 144 + 196 + 256 + 484) / 6, 3);
  });

  it('reproduces a linear ramp inside a large hole, and the default sweeps come close', () => {
    const n = 32;
    const x = new Float32Array(n * n);
    const removed = new Uint8Array(n * n);
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++) {
        x[j * n + i] = 2 * i + j;
        if (i >= 8 && i < 24 && j >= 8 && j < 24) removed[j * n + i] = 1;
      }
    const worst = (out: Float32Array) => Math.max(...Array.from(out, (v, k) => Math.abs(v - x[k])));
    expect(worst(noisyLinearImputation(x, [n, n, 1], removed, exact))).toBeLessThan(1e-3);
    // 25 sweeps from the push-pull guess: within 2% of the ramp's range (93).
    expect(worst(noisyLinearImputation(x, [n, n, 1], removed, { noise: 0 }))).toBeLessThan(0.02 * 93);
  });

  it('takes the mean when nothing is kept, and adds seeded noise of the asked size', () => {
    const x = Float32Array.from({ length: 400 }, (_, i) => i % 20);
    const all = noisyLinearImputation(x, [20, 20, 1], new Uint8Array(400).fill(1), { noise: 0 });
    expect(Array.from(new Set(all))).toEqual([9.5]);
    const a = noisyLinearImputation(x, [20, 20, 1], new Uint8Array(400).fill(1), { noise: 0.1, seed: 3 });
    const b = noisyLinearImputation(x, [20, 20, 1], new Uint8Array(400).fill(1), { noise: 0.1, seed: 3 });
    expect(a).toEqual(b);
    const sdX = Math.sqrt(x.reduce((s, v) => s + (v - 9.5) ** 2, 0) / 400);
    const sdNoise = Math.sqrt(a.reduce((s, v) => s + (v - 9.5) ** 2, 0) / 400);
    expect(sdNoise / (0.1 * sdX)).toBeGreaterThan(0.85);
    expect(sdNoise / (0.1 * sdX)).toBeLessThan(1.15);
  });

  it('refuses a mask of the wrong size, naming the grid', () => {
    expect(() => noisyLinearImputation(new Float32Array(4), [3, 1, 1], new Uint8Array(4))).toThrow(/3x1x1/);
  });
});
