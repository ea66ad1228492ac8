// Class probabilities from a classifier's logits: the one softmax (max-shifted) and sigmoid that
// predictions, targets and MUPAX's errors all use, so a probability reads the same everywhere.

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
