// Deletion/insertion curves, plain and ROAD, on a 3-voxel line with a sum-of-voxels "model": every
// point and both AUCs worked out by hand.
import { describe, expect, it } from 'vitest';
import type { ExplainContext } from '../../src/main/engine/explain/method';
import { constantFill, curve, fractionsFor, order } from '../../src/main/engine/metrics/curves';
import { roadCurves } from '../../src/main/engine/metrics/road';
import type { Scorer } from '../../src/main/engine/metrics/scorer';

const x = Float32Array.from([0, 9, 3]);
const map = Float32Array.from([0.1, 0.9, 0.5]); // ranking: voxel 1, then 2, then 0
const sum: Scorer = { kind: 'probability', target: 'sum', score: async (xs) => xs.map((v) => v.reduce((a, b) => a + b, 0)) };
const ctx = { input: { data: x, dims: [1, 1, 1, 3], grid: { dimensions: [3, 1, 1] } } } as unknown as ExplainContext;

describe('deletion and insertion curves', () => {
  it('plain: removed voxels take the baseline', async () => {
    const d = await curve(x, order(map), sum, fractionsFor(3), true, constantFill(-1));
    // [0,9,3]=12, [0,-1,3]=2, [0,-1,-1]=-2, [-1,-1,-1]=-3
    expect(d.scores).toEqual([12, 2, -2, -3]);
    expect(d.auc).toBeCloseTo(((12 + 2) / 2 + (2 - 2) / 2 + (-2 - 3) / 2) / 3, 10);
  });

  it('ROAD: removed voxels are imputed from the kept ones', async () => {
    const r = await roadCurves(ctx, map, sum, { steps: 3, noise: 0 });
    // Deletion: voxel 1 -> (0+3)/2: [0,1.5,3]=4.5; voxels 1,2 -> u1 = u2 = 0 (the edge voxel's one
    // neighbour is u1; u1's are 0 and u2): 0; all -> the mean 4 each: 12.
    expect(r.deletion.scores.map((s) => Number(s.toFixed(6)))).toEqual([12, 4.5, 0, 12]);
    expect(r.deletion.auc).toBeCloseTo(((12 + 4.5) / 2 + 4.5 / 2 + 12 / 2) / 3, 5);
    // Insertion keeps the top f: nothing kept -> mean 4 each (12); voxel 1 kept -> 9 everywhere (27);
    // voxels 1,2 kept -> voxel 0 takes its one neighbour, 9: [9,9,3]=21; all: 12.
    expect(r.insertion.scores.map((s) => Number(s.toFixed(6)))).toEqual([12, 27, 21, 12]);
  });
});
