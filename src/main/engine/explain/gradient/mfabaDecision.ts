// MFABA's decision boundary, per kind of target: the point where the explained decision no longer
// holds. A class: the model no longer gives it (argmax of the probabilities; a sigmoid output: p <
// 0.5). Landmarks: every explained heatmap has its peak elsewhere than at the input's peak (the
// seed's positions). A class the model did not give at the input has no boundary to cross on this
// path: the path then runs its full length.
import type { ModelManifest } from '../../../../shared/modelManifest';
import { probabilities } from '../../../../shared/classProbabilities';
import type { TensorData } from '../../inference/protocol';
import type { Target } from '../target';

/** True while the explained decision still holds for output `out`. */
export type Holds = (out: TensorData) => boolean;

function argmaxIn(data: ArrayLike<number>, from: number, to: number): number {
  let best = from;
  for (let i = from + 1; i < to; i++) if (data[i] > data[best]) best = i;
  return best;
}

export function decisionOf(manifest: ModelManifest, target: Target, seed: TensorData): Holds {
  const d = manifest.output.decoding;
  if (d.type === 'classification') {
    const cls = target.index!;
    return (out) => {
      const p = probabilities(out.data, d.activation);
      return d.activation === 'sigmoid' ? p[cls] >= 0.5 : argmaxIn(p, 0, p.length) === cls;
    };
  }
  // Heatmaps [1, C, H, W]: the seed holds a 1 at each explained channel's peak.
  const plane = seed.dims[2] * seed.dims[3];
  const peaks: number[] = [];
  for (let i = 0; i < seed.data.length; i++) if (seed.data[i] !== 0) peaks.push(i);
  return (out) => peaks.some((i) => {
    const c = Math.floor(i / plane);
    return argmaxIn(out.data, c * plane, (c + 1) * plane) === i;
  });
}
