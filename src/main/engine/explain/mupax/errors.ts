// The error mu of a masked sample, per target: what MUPAX accepts or rejects on.

export type ClassificationError = 'cross-entropy' | 'one-minus-p';

export function probabilities(logits: ArrayLike<number>, activation: 'softmax' | 'sigmoid'): Float64Array {
  const out = new Float64Array(logits.length);
  if (activation === 'sigmoid') {
    for (let i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(-logits[i]));
    return out;
  }
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  let sum = 0;
  for (let i = 0; i < out.length; i++) sum += out[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

export function classificationError(p: Float64Array, target: number, kind: ClassificationError): number {
  return kind === 'cross-entropy' ? -Math.log(Math.max(p[target], 1e-12)) : 1 - p[target];
}

/**
 * Radial errors (mm) of predicted landmark positions against reference positions, both in model-grid
 * pixels; `spacing` is the grid's [x, y] mm per pixel. Returns one error per landmark, then the mean.
 */
export function landmarkErrorsMm(pred: ArrayLike<number>, ref: ArrayLike<number>, spacing: [number, number]): Float64Array {
  const n = ref.length / 2;
  const out = new Float64Array(n + 1);
  let sum = 0;
  for (let l = 0; l < n; l++) {
    const e = Math.hypot((pred[2 * l] - ref[2 * l]) * spacing[0], (pred[2 * l + 1] - ref[2 * l + 1]) * spacing[1]);
    out[l] = e;
    sum += e;
  }
  out[n] = sum / n;
  return out;
}
