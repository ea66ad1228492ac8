// The error mu of a masked sample, per target: what MUPAX accepts or rejects on.

export type ClassificationError = 'cross-entropy' | 'one-minus-p';
export { probabilities } from '../../../../shared/classProbabilities';

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
