// The radix orders of metrics/ranking.ts against the comparator sorts they replaced (kept here as
// the reference): the curves' ranking, sparseness and relevance rank must stay bit-identical, on
// random maps with many ties, -0 beside +0, infinities, constant maps and sizes 0 to a CT's grid.
import { describe, expect, it } from 'vitest';
import { order } from '../../src/main/engine/metrics/curves';
import { rankDescending, rankDescendingAsync, sortedAscending, sortedAscendingAsync, valueAtAscending, valueAtAscendingAsync } from '../../src/main/engine/metrics/ranking';
import { relevanceRankAccuracy, relevanceRankAccuracyAsync } from '../../src/main/engine/metrics/relevanceRank';
import { sparseness, sparsenessAsync } from '../../src/main/engine/metrics/sparseness';
import { createRng } from '../../src/main/engine/random';

/** curves.ts order() before the radix sort. */
const comparatorOrder = (map: Float32Array): Uint32Array => Uint32Array.from({ length: map.length }, (_, i) => i).sort((a, b) => map[b] - map[a] || a - b);

/** sparseness.ts before the radix sort. */
function referenceSparseness(map: Float32Array): number | null {
  const n = map.length;
  const a = Float64Array.from(map, Math.abs).sort();
  let total = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    total += a[i];
    weighted += (2 * (i + 1) - n - 1) * a[i];
  }
  return total > 0 ? weighted / (n * total) : null;
}

/** relevanceRank.ts before the radix sort. */
function referenceRank(map: Float32Array, mask: Uint8Array): number | null {
  let k = 0;
  for (let v = 0; v < mask.length; v++) k += mask[v] ? 1 : 0;
  if (k === 0) return null;
  const threshold = Float32Array.from(map).sort()[map.length - k];
  let above = 0;
  let aboveInside = 0;
  let tied = 0;
  let tiedInside = 0;
  for (let v = 0; v < map.length; v++) {
    if (map[v] > threshold) {
      above++;
      if (mask[v]) aboveInside++;
    } else if (map[v] === threshold) {
      tied++;
      if (mask[v]) tiedInside++;
    }
  }
  return (aboveInside + ((k - above) * tiedInside) / tied) / k;
}

/** Maps of every kind the suite meets: smooth, piecewise constant (chunk maps), signed, with -0 and infinities. */
function maps(seed: string): { name: string; map: Float32Array }[] {
  const rng = createRng(seed);
  const n = 5000 + rng.int(0, 5000);
  const of = (f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));
  return [
    { name: 'continuous signed', map: of(() => rng.uniform(-1, 1)) },
    { name: 'few levels (ties)', map: of(() => rng.int(-3, 3) / 4) },
    { name: 'chunks of 37', map: of((i) => Math.floor(i / 37) % 5) },
    { name: '-0 and +0', map: of(() => [0, -0, 1e-30, -1e-30, 0.5, -0.5][rng.int(0, 5)]) },
    { name: 'infinities', map: of(() => [Infinity, -Infinity, 0, -0, 3, -3, Number.MAX_VALUE, -Number.MIN_VALUE][rng.int(0, 7)]) },
    { name: 'huge and tiny magnitudes', map: of(() => (rng.uniform(-1, 1) * 10 ** rng.int(-40, 38))) },
    { name: 'constant', map: of(() => 0.25) },
    { name: 'all zero', map: of(() => 0) },
    { name: 'non-negative (Grad-CAM-like)', map: of(() => Math.max(0, rng.uniform(-0.5, 1))) },
  ];
}

describe('radix ranking (metrics/ranking.ts)', () => {
  it('ranks exactly as the comparator sort did, ties by index', () => {
    for (const seed of ['a', 'b', 'c']) {
      for (const { name, map } of maps(seed)) expect(Buffer.from(order(map).buffer).equals(Buffer.from(comparatorOrder(map).buffer)), `${seed} ${name}`).toBe(true);
    }
    for (const tiny of [[], [1], [-0, 0], [0, -0], [2, 2, 2], [NaN].slice(1)]) expect([...rankDescending(Float32Array.from(tiny))]).toEqual([...comparatorOrder(Float32Array.from(tiny))]);
  });

  it('ranks NaN last, ties by index (the comparator sort left them anywhere)', () => {
    expect([...rankDescending(Float32Array.from([NaN, 1, -Infinity, NaN, 2]))]).toEqual([4, 1, 2, 0, 3]);
  });

  it('sorts values as Float32Array#sort does, and absolute values as Float64Array.from(map, Math.abs).sort() does', () => {
    for (const { name, map } of maps('d')) {
      const withNaN = Float32Array.from(map);
      withNaN[3] = NaN;
      withNaN[7] = -NaN;
      for (const m of [map, withNaN]) {
        const ours = sortedAscending(m);
        const theirs = Float32Array.from(m).sort();
        expect(ours.every((v, i) => Object.is(v, theirs[i])), name).toBe(true);
        const abs = sortedAscending(m, true);
        const absRef = Float64Array.from(m, Math.abs).sort();
        expect(abs.every((v, i) => Object.is(v, absRef[i])), `${name} abs`).toBe(true);
      }
    }
  });

  it('selects the value at any position as Float32Array#sort would place it (relevance rank\'s K-th highest)', () => {
    const rng = createRng('select');
    for (const { name, map } of maps('g')) {
      const withNaN = Float32Array.from(map);
      withNaN[5] = NaN;
      for (const m of [map, withNaN]) {
        const sorted = Float32Array.from(m).sort();
        for (const at of [0, 1, m.length - 1, m.length >> 1, rng.int(0, m.length - 1), rng.int(0, m.length - 1)])
          expect(Object.is(valueAtAscending(m, at), sorted[at]), `${name} at ${at}`).toBe(true);
      }
    }
    expect(() => valueAtAscending(Float32Array.of(1), 1)).toThrow(RangeError);
  });

  it('gives sparseness and relevance rank bit for bit as before (and so do the stepwise forms the engine uses)', async () => {
    const rng = createRng('masks');
    for (const seed of ['e', 'f']) {
      for (const { name, map } of maps(seed)) {
        const gini = referenceSparseness(map);
        expect(Object.is(sparseness(map), gini), `${name} sparseness`).toBe(true);
        expect(Object.is(await sparsenessAsync(map), gini), `${name} sparseness, stepwise`).toBe(true);
        for (const share of [0.001, 0.05, 0.5]) {
          const mask = Uint8Array.from(map, () => (rng.uniform(0, 1) < share ? 1 : 0));
          const rank = referenceRank(map, mask);
          expect(Object.is(relevanceRankAccuracy(map, mask), rank), `${name} rank ${share}`).toBe(true);
          expect(Object.is(await relevanceRankAccuracyAsync(map, mask), rank), `${name} rank ${share}, stepwise`).toBe(true);
        }
      }
    }
  });

  it('ranks a CT-sized map (128x128x64, smooth with plateaus) identically and several times faster, also in steps', async () => {
    const rng = createRng('ct');
    const n = 128 * 128 * 64;
    // Grad-CAM-like: a coarse grid upsampled (many near-ties) with exact zeros where it is clipped.
    const coarse = Float32Array.from({ length: 16 * 16 * 8 }, () => Math.max(0, rng.uniform(-0.3, 1)));
    const map = Float32Array.from({ length: n }, (_, v) => {
      const x = v % 128;
      const y = Math.floor(v / 128) % 128;
      const z = Math.floor(v / (128 * 128));
      return coarse[((z >> 3) * 16 + (y >> 3)) * 16 + (x >> 3)] * (1 + ((x & 7) + (y & 7)) / 64);
    });
    let t = performance.now();
    const before = comparatorOrder(map);
    const comparatorMs = performance.now() - t;
    t = performance.now();
    const after = order(map);
    const radixMs = performance.now() - t;
    expect(Buffer.from(after.buffer).equals(Buffer.from(before.buffer))).toBe(true);
    // Typically ~0.4 s against ~0.1 s; the bound leaves room for a loaded machine.
    expect(radixMs, `radix ${radixMs.toFixed(0)} ms, comparator ${comparatorMs.toFixed(0)} ms`).toBeLessThan(comparatorMs / 2);

    // The engine's thread runs the same steps with the event loop turning between them: the same
    // order, and a timer keeps firing meanwhile (one long block would let it fire at most once).
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const stepwise = await rankDescendingAsync(map);
    const sorted = await sortedAscendingAsync(map, true);
    const kth = await valueAtAscendingAsync(map, n - 1000);
    clearInterval(timer);
    expect(Buffer.from(stepwise.buffer).equals(Buffer.from(before.buffer))).toBe(true);
    expect(Buffer.from(sorted.buffer).equals(Buffer.from(sortedAscending(map, true).buffer))).toBe(true);
    expect(kth).toBe(valueAtAscending(map, n - 1000));
    expect(ticks).toBeGreaterThan(10);
  }, 60_000);
});
