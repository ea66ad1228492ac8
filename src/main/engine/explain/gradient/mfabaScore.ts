// The score MFABA's path descends, and the gradient seed that differentiates it (score gradient =
// sum over outputs of seed * d(output)/dx). 'logit' is IG's score, fixed seed. 'log-probability'
// is the paper's loss (cross-entropy = -log p of the class): with softmax, d log p_c / d z_k =
// [k = c] - p_k; with a sigmoid, d log p_c / d z_c = 1 - p_c. It depends on the point, so each
// point needs a forward pass before its gradient pass. Descending the logit alone need not cross
// the boundary (the other logits can fall with it); descending log p_c does, as the paper's path.
// Landmark models have no probabilities: their score is the heatmap value at the input's peaks.
import type { ModelManifest } from '../../../../shared/modelManifest';
import type { TensorData } from '../../inference/protocol';
import type { Target } from '../target';

export interface PathScore {
  /** 'log-probability', 'logit' or 'heatmap peak', for result.json. */
  name: string;
  /** True when the seed depends on the point (a forward pass comes first). */
  dynamic: boolean;
  score(out: TensorData): number;
  seed(out: TensorData): Float32Array;
}

export function pathScore(manifest: ModelManifest, target: Target, fixedSeed: TensorData, wanted: 'log-probability' | 'logit'): PathScore {
  const d = manifest.output.decoding;
  const linear = (out: TensorData) => {
    let s = 0;
    for (let i = 0; i < out.data.length; i++) s += fixedSeed.data[i] * out.data[i];
    return s;
  };
  if (d.type !== 'classification') return { name: 'heatmap peak', dynamic: false, score: linear, seed: () => fixedSeed.data };
  if (wanted === 'logit') return { name: 'logit', dynamic: false, score: linear, seed: () => fixedSeed.data };
  const c = target.index!;
  if (d.activation === 'sigmoid') {
    return {
      name: 'log-probability',
      dynamic: true,
      // log sigmoid(z) = -softplus(-z), written to stay finite for large |z|.
      score: (out) => {
        const z = out.data[c];
        return Math.min(z, 0) - Math.log1p(Math.exp(-Math.abs(z)));
      },
      seed: (out) => {
        const s = new Float32Array(out.data.length);
        s[c] = 1 / (1 + Math.exp(out.data[c]));
        return s;
      },
    };
  }
  const softmax = (z: ArrayLike<number>) => {
    let max = -Infinity;
    for (let i = 0; i < z.length; i++) max = Math.max(max, z[i]);
    let sum = 0;
    for (let i = 0; i < z.length; i++) sum += Math.exp(z[i] - max);
    return { max, sum };
  };
  return {
    name: 'log-probability',
    dynamic: true,
    score: (out) => {
      const { max, sum } = softmax(out.data);
      return out.data[c] - max - Math.log(sum);
    },
    seed: (out) => {
      const { max, sum } = softmax(out.data);
      const s = new Float32Array(out.data.length);
      for (let k = 0; k < s.length; k++) s[k] = (k === c ? 1 : 0) - Math.exp(out.data[k] - max) / sum;
      return s;
    },
  };
}
