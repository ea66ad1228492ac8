// Deletion and insertion with ROAD's noisy linear imputation (Rong et al. 2022) instead of a
// constant: the same ranking and scorer as the plain curves (faithfulness.ts), so the two can be
// drawn side by side. Where the plain deletion curve falls much faster than ROAD's, the model
// reacted to the holes' edges, not to the removed evidence.
import type { ExplainContext } from '../explain/method';
import { type Curve, curve, fractionsFor, order, type Remover } from './curves';
import { type ImputationOptions, noisyLinearImputation } from './imputation';
import type { Scorer } from './scorer';

export interface RoadReport {
  deletion: Curve;
  insertion: Curve;
  /** Sweeps and noise of the imputation, as run. */
  imputation: Required<Pick<ImputationOptions, 'noise' | 'seed' | 'maxIterations'>>;
}

/** A seeded imputing remover: each curve point draws its own noise (seed, point number). */
export function imputingRemover(dims: readonly [number, number, number], o: Required<Pick<ImputationOptions, 'noise' | 'seed' | 'maxIterations'>>): Remover {
  let point = 0;
  return (x, removed) => noisyLinearImputation(x, dims, removed, { ...o, seed: o.seed * 1000 + point++ });
}

export async function roadCurves(
  ctx: ExplainContext,
  map: Float32Array,
  scorer: Scorer,
  opts: { steps?: number; seed?: number; noise?: number; maxIterations?: number } = {},
): Promise<RoadReport> {
  // 10 points by default: each interior point solves a linear system over the removed voxels.
  const fractions = fractionsFor(opts.steps ?? 10);
  const imputation = { noise: opts.noise ?? 0.01, seed: opts.seed ?? 0, maxIterations: opts.maxIterations ?? 25 };
  const dims = ctx.input.grid.dimensions as [number, number, number];
  const ranked = order(map);
  const x = ctx.input.data;
  return {
    deletion: await curve(x, ranked, scorer, fractions, true, imputingRemover(dims, imputation)),
    insertion: await curve(x, ranked, scorer, fractions, false, imputingRemover(dims, { ...imputation, seed: imputation.seed + 1 })),
    imputation,
  };
}
