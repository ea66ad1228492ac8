// Sparseness: the Gini index of |map| (Chalasani et al. 2020), by hand.
import { describe, expect, it } from 'vitest';
import { sparseness } from '../../src/main/engine/metrics/sparseness';

describe('sparseness', () => {
  it('matches the Gini index worked out by hand', () => {
    // sorted a = 1,2,3,4, weights 2i-n-1 = -3,-1,1,3: (-3-2+3+12) / (4 * 10) = 0.25
    expect(sparseness(Float32Array.from([4, 2, 3, 1]))).toBeCloseTo(0.25, 12);
    expect(sparseness(Float32Array.from([0, 0, 0, 1]))).toBeCloseTo(0.75, 12); // 3 / 4
    expect(sparseness(Float32Array.from([0, 0, -3, 0]))).toBeCloseTo(0.75, 12); // absolute values
    expect(sparseness(new Float32Array(5).fill(2))).toBe(0);
    expect(sparseness(new Float32Array(5))).toBeNull();
  });
});
