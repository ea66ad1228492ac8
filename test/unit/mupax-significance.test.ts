// MUPAX's significance test against hand-computed cases and against simulation of its null model.
import { describe, expect, it } from 'vitest';
import { MaskSampler } from '../../src/main/engine/explain/mupax/sampler';
import { benjaminiHochberg, jaccard, testChunks, upperTail } from '../../src/main/engine/explain/mupax/significance';
import { createRng } from '../../src/main/engine/random';

describe('normal tail and Benjamini-Hochberg', () => {
  it('matches tabulated normal quantiles', () => {
    expect(upperTail(0)).toBeCloseTo(0.5, 7);
    expect(upperTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(upperTail(3.090232)).toBeCloseTo(0.001, 6);
    expect(upperTail(-1.644854)).toBeCloseTo(0.95, 6);
    expect(upperTail(Infinity)).toBe(0);
  });

  it('rejects as the step-up rule prescribes (hand-computed)', () => {
    // Sorted p against k q / m = 0.00625, 0.0125, 0.01875, ...: only the first two pass.
    const p = Float64Array.of(0.041, 0.001, 0.06, 0.039, 0.008, 0.205, 0.042, 0.074);
    expect(Array.from(benjaminiHochberg(p, 0.05))).toEqual([0, 1, 0, 0, 1, 0, 0, 0]);
    // Step-up: a later p under its line rescues the earlier ones above theirs.
    expect(Array.from(benjaminiHochberg(Float64Array.of(0.02, 0.03, 0.04, 0.05), 0.05))).toEqual([1, 1, 1, 1]);
    expect(Array.from(benjaminiHochberg(Float64Array.of(0.5, 0.9), 0.05))).toEqual([0, 0]);
  });

  it('Jaccard treats two empty regions as agreeing', () => {
    expect(jaccard(Uint8Array.of(0, 0), Uint8Array.of(0, 0))).toBe(1);
    expect(jaccard(Uint8Array.of(1, 1, 0), Uint8Array.of(0, 1, 1))).toBeCloseTo(1 / 3, 12);
  });
});

describe('chunk test', () => {
  it('computes retention, null mean, null sd and z as written (hand-computed)', () => {
    // Two chunks, three accepted samples: masks [1,0], [1,1], [0,1]; weights 1, 0.5, 0.25; kept fractions 0.5, 1, 0.5.
    const masks = Uint8Array.of(1, 0, 1, 1, 0, 1);
    const t = testChunks(masks, 2, [0, 1, 2], [1, 0.5, 0.25], [0.5, 1, 0.5], 0.05);
    const W = 1.75;
    expect(t.retention[0]).toBeCloseTo(1.5 / W, 12);
    expect(t.retention[1]).toBeCloseTo(0.75 / W, 12);
    expect(t.nullMean).toBeCloseTo((0.5 + 0.5 + 0.125) / W, 12);
    expect(t.nullSd).toBeCloseTo(Math.sqrt(1 * 0.25 + 0.0625 * 0.25) / W, 12);
    expect(t.z[0]).toBeCloseTo((t.retention[0] - t.nullMean) / t.nullSd, 12);
    expect(t.effectiveSamples).toBeCloseTo((W * W) / (1 + 0.25 + 0.0625), 12);
  });

  it('gives z ~ N(0, 1) per chunk when acceptance ignores the masks (simulated null)', () => {
    const chunks = 200;
    const n = 1000;
    const sampler = new MaskSampler(5, chunks, 64);
    const masks = new Uint8Array(n * chunks);
    for (let i = 0; i < n; i++) sampler.next(masks, i * chunks);
    const rng = createRng('null-acceptance');
    const accepted: number[] = [];
    const weights: number[] = [];
    const fractions: number[] = [];
    for (let i = 0; i < n; i++) {
      if (rng.next() > 0.2) continue;
      accepted.push(i);
      weights.push(1 / (1 + rng.next()));
      let k = 0;
      for (let c = 0; c < chunks; c++) k += masks[i * chunks + c];
      fractions.push(k / chunks);
    }
    const t = testChunks(masks, chunks, accepted, weights, fractions, 0.05);
    const mean = t.z.reduce((a, b) => a + b, 0) / chunks;
    const sd = Math.sqrt(t.z.reduce((a, b) => a + (b - mean) ** 2, 0) / (chunks - 1));
    expect(Math.abs(mean)).toBeLessThan(0.25);
    expect(sd).toBeGreaterThan(0.8);
    expect(sd).toBeLessThan(1.2);
    expect(t.significantCount).toBe(0);
  });
});
