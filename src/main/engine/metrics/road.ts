// Deletion and insertion with ROAD's noisy linear imputation (Rong et al. 2022) instead of a
// constant: the same ranking and scorer as the plain curves (faithfulness.ts), so the two can be
// drawn side by side. Where the plain deletion curve falls much faster than ROAD's, the model
// reacted to the holes' edges, not to the removed evidence. The solves run in a worker thread
// (imputationThread.ts): on a CT they are seconds of CPU the engine's thread must not spend.
import type { ExplainContext } from '../explain/method';
import { auc, type Curve, fractionsFor, type Remover } from './curves';
import { type ImputationOptions, noisyLinearImputation } from './imputation';
import { ImputationThread } from './imputationThread';
import type { Scorer } from './scorer';

export interface RoadReport {
  deletion: Curve;
  insertion: Curve;
  /** Sweeps and noise of the imputation, as run. */
  imputation: Required<Pick<ImputationOptions, 'noise' | 'seed' | 'maxIterations'>>;
}

/**
 * A seeded imputing remover on this thread: each curve point draws its own noise (seed, point
 * number). roadCurves computes the same points in a worker (imputationThread.ts); this is their
 * in-thread reference.
 */
export function imputingRemover(dims: readonly [number, number, number], o: Required<Pick<ImputationOptions, 'noise' | 'seed' | 'maxIterations'>>): Remover {
  let point = 0;
  return (x, removed) => noisyLinearImputation(x, dims, removed, { ...o, seed: o.seed * 1000 + point++ });
}

interface Point {
  fraction: number;
  deleting: boolean;
  /** imputingRemover's seed for this point: curve seed * 1000 + the point's number in its curve. */
  seed: number;
}

export async function roadCurves(
  ctx: ExplainContext,
  map: Float32Array,
  scorer: Scorer,
  opts: { steps?: number; seed?: number; noise?: number; maxIterations?: number; signal?: AbortSignal } = {},
): Promise<RoadReport> {
  // 10 points by default: each interior point solves a linear system over the removed voxels.
  const fractions = fractionsFor(opts.steps ?? 10);
  const imputation = { noise: opts.noise ?? 0.01, seed: opts.seed ?? 0, maxIterations: opts.maxIterations ?? 25 };
  const dims = ctx.input.grid.dimensions as [number, number, number];
  const x = ctx.input.data;
  // Deletion's points, then insertion's (seed + 1), numbered as imputingRemover numbers them.
  const points: Point[] = [true, false].flatMap((deleting) =>
    fractions.map((fraction, i) => ({ fraction, deleting, seed: (imputation.seed + (deleting ? 0 : 1)) * 1000 + i })),
  );
  const thread = new ImputationThread(x, dims, opts.signal);
  try {
    thread.rankBy(map); // the worker sorts the voxels (curves.ts order) and builds each point's mask
    const request = (p: Point) => {
      const imputed = thread.imputeTop(p.fraction, p.deleting, { noise: imputation.noise, seed: p.seed, maxIterations: imputation.maxIterations });
      imputed.catch(() => {}); // awaited below; a point asked for ahead of a failed score must not be an unhandled rejection
      return imputed;
    };
    // One point ahead: the worker solves the next point while the model scores this one.
    const scores: number[] = [];
    let next = request(points[0]);
    for (let i = 0; i < points.length; i++) {
      const current = next;
      if (i + 1 < points.length) next = request(points[i + 1]);
      scores.push((await scorer.score([await current]))[0]);
    }
    const curveOf = (s: number[]): Curve => ({ fractions, scores: s, auc: auc(fractions, s) });
    return { deletion: curveOf(scores.slice(0, fractions.length)), insertion: curveOf(scores.slice(fractions.length)), imputation };
  } finally {
    thread.close();
  }
}
