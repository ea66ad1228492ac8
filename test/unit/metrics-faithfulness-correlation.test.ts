// Faithfulness correlation (Bhatt et al. 2020) by hand: subsets given explicitly, a linear "model".
import { describe, expect, it } from 'vitest';
import { constantFill } from '../../src/main/engine/metrics/curves';
import { faithfulnessCorrelation, patchGrid, pearson, randomPatchSubsets } from '../../src/main/engine/metrics/faithfulnessCorrelation';
import type { Scorer } from '../../src/main/engine/metrics/scorer';

const w = [1, 2, 3, 4];
const linear: Scorer = { kind: 'probability', target: 'w.x', score: async (xs) => xs.map((v) => v.reduce((s, a, i) => s + a * w[i], 0)) };
const x = Float32Array.from([1, 1, 1, 1]);
const subsets = [Uint8Array.from([1, 1, 0, 0]), Uint8Array.from([0, 0, 1, 1]), Uint8Array.from([1, 0, 0, 1])];

describe('faithfulness correlation', () => {
  it('pearson on a hand example', () => {
    // a = 1,2,3 (mean 2), b = 2,4,7 (mean 13/3): sab = 5, saa = 2, sbb = 38/3 -> 5 / sqrt(76/3)
    expect(pearson([1, 2, 3], [2, 4, 7])).toBeCloseTo(5 / Math.sqrt(76 / 3), 12);
    expect(pearson([1, 1, 1], [2, 4, 7])).toBeNull();
  });

  it('drops of 3, 7, 5 against the map sums of each subset', async () => {
    // Removing to 0 drops w over the subset: 1+2, 3+4, 1+4.
    const map = Float32Array.from([0, 1, 0, 1]); // sums 1, 1, 1 -> no variation: null
    expect((await faithfulnessCorrelation(x, map, linear, subsets, constantFill(0))).correlation).toBeNull();
    const r = await faithfulnessCorrelation(x, Float32Array.from([1, 0, 0, 0]), linear, subsets, constantFill(0));
    expect(r.drops).toEqual([3, 7, 5]);
    expect(r.sums).toEqual([1, 0, 1]);
    expect(r.correlation).toBeCloseTo(pearson([1, 0, 1], [3, 7, 5])!, 12);
    // sums - 2/3 = 1/3,-2/3,1/3; drops - 5 = -2,2,0: sab = -2, saa = 2/3, sbb = 8 -> -2 / sqrt(16/3) = -sqrt(3)/2
    expect(r.correlation).toBeCloseTo(-Math.sqrt(3) / 2, 12);
    // The model's own attributions (w * x) correlate perfectly.
    expect((await faithfulnessCorrelation(x, Float32Array.from(w), linear, subsets, constantFill(0))).correlation).toBeCloseTo(1, 12);
  });

  it('orients landmark errors so that a larger error is a larger drop', async () => {
    const error: Scorer = { ...linear, kind: 'radial-error-mm', score: async (xs) => (await linear.score(xs)).map((s) => 10 - s) };
    const r = await faithfulnessCorrelation(x, Float32Array.from(w), error, subsets, constantFill(0));
    expect(r.drops).toEqual([3, 7, 5]);
    expect(r.correlation).toBeCloseTo(1, 12);
  });

  it('draws seeded subsets of whole patches, a fixed share each', () => {
    const dims = [32, 32, 4] as const;
    expect(patchGrid(dims)).toEqual([16, 16, 4]);
    const a = randomPatchSubsets(dims, 5, 0.1, 7);
    expect(randomPatchSubsets(dims, 5, 0.1, 7)).toEqual(a);
    expect(randomPatchSubsets(dims, 5, 0.1, 8)).not.toEqual(a);
    for (const s of a) expect(s.reduce((t, v) => t + v, 0)).toBe(Math.round(0.1 * 1024) * 2 * 2); // patches of 2x2x1 voxels
  });
});
