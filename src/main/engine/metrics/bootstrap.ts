// Percentile bootstrap of a mean (Efron & Tibshirani 1993, ch. 13): resample the per-study values
// with replacement B times, and take the 2.5th and 97.5th percentiles of the resampled means as the
// 95% interval. Seeded, so a summary reproduces. With few studies the interval is too narrow (the
// percentile method's known small-sample bias): the study count is reported beside it.
import { createRng } from '../random';

export interface MeanInterval {
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

/** Percentile p in [0, 1] of sorted values, linear between order statistics (numpy's default). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const i = Math.floor(h);
  return i + 1 < sorted.length ? sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
}

/** null without values; a single value is its own (degenerate) interval. */
export function bootstrapMean(values: number[], o: { resamples?: number; seed?: number; level?: number } = {}): MeanInterval | null {
  const xs = values.filter(Number.isFinite);
  const n = xs.length;
  if (n === 0) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const b = o.resamples ?? 2000;
  const rng = createRng(`bootstrap:${o.seed ?? 0}`);
  const means = new Float64Array(b);
  for (let r = 0; r < b; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += xs[rng.int(0, n - 1)];
    means[r] = s / n;
  }
  means.sort();
  const alpha = (1 - (o.level ?? 0.95)) / 2;
  return { mean, lo: percentile(means, alpha), hi: percentile(means, 1 - alpha), n };
}
