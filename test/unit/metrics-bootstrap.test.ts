// The percentile bootstrap: numpy's linear percentile by hand, degenerate samples, and coverage of a
// known mean across many seeded samples (about 95% of intervals must hold it).
import { describe, expect, it } from 'vitest';
import { bootstrapMean, percentile } from '../../src/main/engine/metrics/bootstrap';
import { createRng } from '../../src/main/engine/random';

describe('bootstrap', () => {
  it("percentiles interpolate like numpy's default", () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5); // np.percentile([1,2,3,4], 50)
    expect(percentile([1, 2, 3, 4], 0.025)).toBeCloseTo(1.075, 12); // h = 3 * 0.025
    expect(percentile([1, 2, 3, 4], 1)).toBe(4);
  });

  it('a constant sample is its own interval; no values, no interval; non-finite values are left out', () => {
    expect(bootstrapMean([2, 2, 2])).toEqual({ mean: 2, lo: 2, hi: 2, n: 3 });
    expect(bootstrapMean([])).toBeNull();
    expect(bootstrapMean([1, NaN, 3])!.n).toBe(2);
  });

  it('is seeded, and the 95% interval holds the true mean about 95% of the time', () => {
    expect(bootstrapMean([1, 5, 2, 8], { seed: 1 })).toEqual(bootstrapMean([1, 5, 2, 8], { seed: 1 }));
    const rng = createRng('coverage');
    let held = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const xs = Array.from({ length: 40 }, () => rng.gaussian(3, 2));
      const ci = bootstrapMean(xs, { seed: t, resamples: 500 })!;
      if (ci.lo <= 3 && 3 <= ci.hi) held++;
    }
    // Binomial(200, 0.95) lies in 180..197 with probability > 0.999; the percentile method runs a
    // little narrow at n = 40.
    expect(held).toBeGreaterThanOrEqual(178);
    expect(held).toBeLessThanOrEqual(198);
  });
});
