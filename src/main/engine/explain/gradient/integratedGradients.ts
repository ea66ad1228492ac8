// Integrated Gradients (Sundararajan et al. 2017) along the straight path from a baseline b to x,
// and path-sampled IG (PS-IG): the expectation of IG over baselines b' = b + s (x - b) with s drawn
// from a density on [0, 1]. PS-IG equals path-weighted IG with weight F(t), the CDF of that density,
// so it is computed as the same deterministic midpoint Riemann sum with weights F(t_i) / m
// (uniform sampling: F(t) = t). Also the plain input gradient (one step at x).
import { minimumOf } from '../mupax/fill';
import { z } from 'zod';
import { targetSpecSchema } from '../../../../shared/target';
import type { ExplainContext, JobProgress, MethodOutput } from '../method';
import { ExplainCancelled } from '../method';
import { gradientSession } from './gradientSession';
import { makeSeed } from './seed';

export const igOptionsSchema = z
  .object({
    /** What to explain: 'predicted' class, a class or landmark (index or name), 'all' landmarks. */
    target: targetSpecSchema.default('predicted'),
    steps: z.number().int().min(1).max(1024).default(32),
    baseline: z.union([z.enum(['min', 'zero']), z.number()]).default('min'),
    /** PS-IG: density of the sampled baselines along the path (uniform, or F(t) = t^k for 'power'). */
    sampling: z.enum(['uniform', 'power']).default('uniform'),
    power: z.number().positive().default(2),
  })
  .strict();


export function makeIntegratedGradients(mode: 'ig' | 'psig' | 'gradient') {
  return async (ctx: ExplainContext, raw: Record<string, unknown>, progress: (p: JobProgress) => void, signal: AbortSignal): Promise<MethodOutput> => {
    const o = igOptionsSchema.parse(raw);
    const inputName = ctx.manifest.input.name;
    const { key, gm } = await gradientSession(ctx, ctx.onnx, [inputName], []);
    const { seed, target, resolved } = await makeSeed(ctx, o.target);
    const x = ctx.input.data;
    let b = 0;
    if (o.baseline === 'min') b = minimumOf(x);
    else if (typeof o.baseline === 'number') b = o.baseline;
    const steps = mode === 'gradient' ? 1 : o.steps;
    // Midpoints t_i = (i + 1/2) / m; IG weighs each 1/m, PS-IG F(t_i)/m.
    const ts = Array.from({ length: steps }, (_, i) => (mode === 'gradient' ? 1 : (i + 0.5) / steps));
    const cdf = (t: number) => (o.sampling === 'power' ? Math.pow(t, o.power) : t);
    const weights = ts.map((t) => (mode === 'psig' ? cdf(t) : 1) / steps);
    const acc = new Float64Array(x.length);
    let passMs = 0;
    const point = new Float32Array(x.length);
    for (let s = 0; s < steps; s++) {
      if (signal.aborted) throw new ExplainCancelled();
      for (let v = 0; v < x.length; v++) point[v] = b + ts[s] * (x[v] - b);
      const run = await ctx.worker.run(key, { [inputName]: { data: point, dims: ctx.input.dims }, [gm.seedInput]: seed }, [gm.gradientOutputs[inputName]]);
      passMs += run.ms;
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
    // Completeness check: IG's attributions sum to score(x) - score(baseline), score = sum(seed * output).
    const score = async (data: Float32Array) => {
      const out = (await ctx.worker.run(ctx.session.key, { [inputName]: { data, dims: ctx.input.dims } }, [ctx.manifest.output.name])).outputs[
        ctx.manifest.output.name
      ].data;
      let v = 0;
      for (let i = 0; i < out.length; i++) v += seed.data[i] * out[i];
      return v;
    };
    const scoreDifference = mode === 'gradient' ? null : (await score(x)) - (await score(new Float32Array(x.length).fill(b)));
    return {
      maps: [{ target, data: attribution }],
      details: {
        method: mode,
        parameters: { ...o, steps, baselineValue: b },
        target: { label: target, kind: resolved.kind, index: resolved.index, chosenBy: resolved.chosenBy },
        attributionSum: sum,
        // ONNX Runtime time of one forward + backward pass (mean over the steps).
        timing: { gradientPassMs: passMs / steps },
        // PS-IG sums to the expected score difference over its sampled baselines, not to this one.
        completeness:
          scoreDifference === null || mode === 'psig'
            ? null
            : { scoreDifference, relativeError: Math.abs(sum - scoreDifference) / Math.max(Math.abs(scoreDifference), 1e-12) },
      },
    };
  };
}
