// The seed that chooses what a gradient explains: score = sum(seed * output). A class logit for
// classifiers; the value at a landmark's heatmap peak (one landmark, or all) for heatmap models.
import type { TensorData } from '../../inference/protocol';
import type { ExplainContext } from '../method';
import { probabilities } from '../mupax/errors';

export interface Seed {
  seed: TensorData;
  target: string;
}

function argmax(data: ArrayLike<number>, from: number, to: number): number {
  let best = from;
  for (let i = from + 1; i < to; i++) if (data[i] > data[best]) best = i;
  return best;
}

/** target: 'predicted' | class index (classification); 'all' | landmark index (heatmaps). */
export async function makeSeed(ctx: ExplainContext, target: 'predicted' | 'all' | number): Promise<Seed> {
  const { manifest, input, worker, session } = ctx;
  const out = (await worker.run(session.key, { [manifest.input.name]: { data: input.data, dims: input.dims } }, [manifest.output.name])).outputs[manifest.output.name];
  const seed = new Float32Array(out.data.length);
  const decoding = manifest.output.decoding;
  if (decoding.type === 'classification') {
    const p = probabilities(out.data, decoding.activation);
    const cls = target === 'predicted' || target === 'all' ? p.indexOf(Math.max(...p)) : target;
    if (cls >= decoding.classes.length) throw new Error(`class ${cls} does not exist`);
    seed[cls] = 1; // the class logit (pre-activation), as in Grad-CAM
    return { seed: { data: seed, dims: out.dims }, target: decoding.classes[cls] };
  }
  const [, channels, h, w] = out.dims;
  const plane = h * w;
  const chosen = target === 'all' || target === 'predicted' ? [...Array(channels).keys()] : [target];
  for (const c of chosen) {
    if (c >= channels) throw new Error(`landmark ${c} does not exist`);
    seed[argmax(out.data, c * plane, (c + 1) * plane)] = 1;
  }
  return { seed: { data: seed, dims: out.dims }, target: chosen.length === 1 ? decoding.landmarks[chosen[0]].name : 'all landmarks' };
}
