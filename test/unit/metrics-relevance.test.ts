// Relevance mass and rank accuracy (Arras et al. 2022) against a lesion mask, by hand.
import { describe, expect, it } from 'vitest';
import { relevanceMassAccuracy } from '../../src/main/engine/metrics/relevanceMass';
import { relevanceRankAccuracy } from '../../src/main/engine/metrics/relevanceRank';

const mask = Uint8Array.from([1, 1, 0, 0, 0, 0]); // K = 2

describe('relevance accuracy', () => {
  it('mass: positive relevance inside over all positive relevance', () => {
    // inside 3 + 1, outside 2 + 0 (the -5 is evidence against and left out): 4 / 6
    expect(relevanceMassAccuracy(Float32Array.from([3, 1, 2, -5, 0, 0]), mask)).toBeCloseTo(4 / 6, 12);
    expect(relevanceMassAccuracy(Float32Array.from([-1, 0, 0, 0, 0, 0]), mask)).toBeNull();
  });

  it('rank: share of the top-K inside the mask', () => {
    expect(relevanceRankAccuracy(Float32Array.from([5, 1, 4, 0, 0, 0]), mask)).toBeCloseTo(1 / 2, 12); // top 2: voxels 0, 2
    expect(relevanceRankAccuracy(Float32Array.from([5, 4, 1, 0, 0, 0]), mask)).toBe(1);
  });

  it('rank: voxels tied at the K-th value share the remaining places', () => {
    // Top value 5 (inside) takes one place; the second place goes to one of four voxels tied at 2,
    // one of them inside: expected (1 + 1/4) / 2.
    expect(relevanceRankAccuracy(Float32Array.from([5, 2, 2, 2, 2, 0]), mask)).toBeCloseTo(1.25 / 2, 12);
    // A flat map: chance level, K/N = 1/3.
    expect(relevanceRankAccuracy(new Float32Array(6).fill(1), mask)).toBeCloseTo(1 / 3, 12);
    expect(relevanceRankAccuracy(new Float32Array(6), new Uint8Array(6))).toBeNull();
  });
});
