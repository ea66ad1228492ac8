// Grad-CAM and Grad-CAM++ (Selvaraju et al. 2017; Chattopadhay et al. 2018) in 2D and 3D. They
// differ only in how channel weights come from the gradients (compare pytorch-grad-cam).
import { z } from 'zod';
import { targetSpecSchema } from '../../../../shared/target';
import { fitGrid } from '../../../../shared/geometry';
import { resample } from '../../volume/resample';
import type { ExplainContext, JobProgress, MethodOutput } from '../method';
import { gradcamLayer, gradientSession } from './gradientSession';
import { makeSeed } from './seed';

export const gradcamOptionsSchema = z
  .object({
    /** What to explain: 'predicted' class, a class or landmark (index or name), 'all' landmarks. */
    target: targetSpecSchema.default('predicted'),
    /** Activation tensor; default from model.json or found automatically. */
    layer: z.string().optional(),
  })
  .strict();

type Weights = (a: Float32Array, g: Float32Array, channels: number, spatial: number) => Float64Array;

const gradcamWeights: Weights = (_a, g, channels, spatial) => {
  const w = new Float64Array(channels);
  for (let k = 0; k < channels; k++) {
    let s = 0;
    for (let i = 0; i < spatial; i++) s += g[k * spatial + i];
    w[k] = s / spatial;
  }
  return w;
};

/** Grad-CAM++ weights with the usual closed form for an exponential score (as pytorch-grad-cam). */
const gradcamppWeights: Weights = (a, g, channels, spatial) => {
  const w = new Float64Array(channels);
  for (let k = 0; k < channels; k++) {
    let sumA = 0;
    for (let i = 0; i < spatial; i++) sumA += a[k * spatial + i];
    let s = 0;
    for (let i = 0; i < spatial; i++) {
      const gi = g[k * spatial + i];
      const g2 = gi * gi;
      const denom = 2 * g2 + sumA * g2 * gi;
      const alpha = denom !== 0 ? g2 / denom : 0;
      s += alpha * Math.max(gi, 0);
    }
    w[k] = s;
  }
  return w;
};

export function makeGradcam(variant: 'gradcam' | 'gradcampp') {
  const weightsOf = variant === 'gradcam' ? gradcamWeights : gradcamppWeights;
  return async (ctx: ExplainContext, raw: Record<string, unknown>, progress: (p: JobProgress) => void): Promise<MethodOutput> => {
    const o = gradcamOptionsSchema.parse(raw);
    const onnx = ctx.onnx;
    const layer = o.layer ?? gradcamLayer(ctx, onnx);
    progress({ done: 0, total: 2 });
    const { key, gm } = await gradientSession(ctx, onnx, [layer], [layer]);
    const { seed, target, resolved } = await makeSeed(ctx, o.target);
    const run = await ctx.worker.run(key, { [ctx.manifest.input.name]: { data: ctx.input.data, dims: ctx.input.dims }, [gm.seedInput]: seed }, [
      gm.activationOutputs[layer],
      gm.gradientOutputs[layer],
    ]);
    progress({ done: 1, total: 2 });
    const act = run.outputs[gm.activationOutputs[layer]];
    const grad = run.outputs[gm.gradientOutputs[layer]];
    const [, channels, ...space] = act.dims;
    const spatial = space.reduce((p, d) => p * d, 1);
    const w = weightsOf(act.data, grad.data, channels, spatial);
    const cam = new Float32Array(spatial);
    for (let i = 0; i < spatial; i++) {
      let s = 0;
      for (let k = 0; k < channels; k++) s += w[k] * act.data[k * spatial + i];
      cam[i] = Math.max(0, s);
    }
    // The activation grid covers the input's extent at a coarser stride: upsample through geometry.
    const dims = space.length === 3 ? [space[2], space[1], space[0]] : [space[1], space[0], 1];
    const actGrid = fitGrid(ctx.input.grid, dims as [number, number, number]);
    const map = resample(cam, actGrid, ctx.input.grid, 'linear', 'clamp');
    progress({ done: 2, total: 2 });
    return {
      maps: [{ target, data: map }],
      details: {
        method: variant,
        parameters: { ...o, layer },
        activationShape: act.dims,
        target: { label: target, kind: resolved.kind, index: resolved.index, chosenBy: resolved.chosenBy },
        timing: { gradientPassMs: run.ms },
      },
    };
  };
}
