// Integrated Gradients (Sundararajan et al. 2017) along the straight path from a baseline, and
// the path-sampled variant (PS-IG): a deterministic Riemann sum whose path points carry weights.
// Also the plain input gradient (steps = 1, no baseline difference).
import { z } from 'zod';
import type { ExplainContext, JobProgress, MethodOutput } from '../method';
import { ExplainCancelled } from '../method';
import { gradientSession } from './gradientSession';
import { makeSeed } from './seed';

export const igOptionsSchema = z
  .object({
    target: z.union([z.literal('predicted'), z.literal('all'), z.number().int().min(0)]).default('predicted'),
    steps: z.number().int().min(1).max(1024).default(32),
    baseline: z.union([z.enum(['min', 'zero']), z.number()]).default('min'),
    /** Path weights: 'uniform' (midpoint Riemann sum, IG) or 'beta' (PS-IG, weights of a Beta(a, a) density). */
    path: z.enum(['uniform', 'beta']).default('uniform'),
    betaShape: z.number().positive().default(2),
  })
  .strict();

function betaDensity(t: number, a: number): number {
  return Math.pow(t, a - 1) * Math.pow(1 - t, a - 1);
}

export function makeIntegratedGradients(mode: 'ig' | 'psig' | 'gradient') {
  return async (ctx: ExplainContext, raw: Record<string, unknown>, progress: (p: JobProgress) => void, signal: AbortSignal): Promise<MethodOutput> => {
    const o = igOptionsSchema.parse({ ...(mode === 'psig' ? { path: 'beta' } : {}), ...raw });
    const inputName = ctx.manifest.input.name;
    const { key, gm } = await gradientSession(ctx, ctx.onnx, [inputName], []);
    const { seed, target } = await makeSeed(ctx, o.target);
    const x = ctx.input.data;
    let b = 0;
    if (o.baseline === 'min') {
      b = Infinity;
      for (const v of x) b = Math.min(b, v);
    } else if (typeof o.baseline === 'number') b = o.baseline;
    const steps = mode === 'gradient' ? 1 : o.steps;
    // Midpoints t_i = (i + 1/2) / m; weights normalised to sum to 1 (uniform: 1/m).
    const ts = Array.from({ length: steps }, (_, i) => (mode === 'gradient' ? 1 : (i + 0.5) / steps));
    const raw_w = ts.map((t) => (o.path === 'beta' && mode !== 'gradient' ? betaDensity(t, o.betaShape) : 1));
    const wsum = raw_w.reduce((a, c) => a + c, 0);
    const weights = raw_w.map((w) => w / wsum);
    const acc = new Float64Array(x.length);
    const point = new Float32Array(x.length);
    for (let s = 0; s < steps; s++) {
      if (signal.aborted) throw new ExplainCancelled();
      for (let v = 0; v < x.length; v++) point[v] = b + ts[s] * (x[v] - b);
      const run = await ctx.worker.run(key, { [inputName]: { data: point, dims: ctx.input.dims }, [gm.seedInput]: seed }, [gm.gradientOutputs[inputName]]);
      const g = run.outputs[gm.gradientOutputs[inputName]].data;
      for (let v = 0; v < x.length; v++) acc[v] += weights[s] * g[v];
      progress({ done: s + 1, total: steps });
    }
    const attribution = new Float32Array(x.length);
    let sum = 0;
    for (let v = 0; v < x.length; v++) {
      attribution[v] = mode === 'gradient' ? acc[v] : acc[v] * (x[v] - b);
      sum += attribution[v];
    }
    return {
      maps: [{ target, data: attribution }],
      details: { method: mode, parameters: { ...o, steps, baselineValue: b }, target, attributionSum: sum },
    };
  };
}
