// Exact orders of a map's voxels by a radix sort on the float bits. The metric suite sorts a CT's
// 1M voxels several times (the curves' ranking, sparseness, relevance rank); a comparator sort took
// ~0.5 s of the engine's thread for the ranking alone, which in the app froze the window and every
// call. Radix sorting is linear: the same orders in ~0.1 s, bit for bit (tested against the
// comparator sorts on random maps with ties, -0, infinities). The work is written as steps of
// CHUNK voxels: the engine's thread runs them with a turn of the event loop between steps (the
// ...Async forms), a worker or a test runs them straight through.
//
// Float32 bits become unsigned keys whose order is the values' order: a positive float's bits with
// the sign bit set, a negative float's bits inverted (so -1 < -0.5 < 0 < 0.5 < +inf). LSD passes of
// 11 bits are stable, so equal keys keep their index order.
import { checkpoint } from './checkpoint';

const BITS = 11;
const BUCKETS = 1 << BITS;
const MASK = BUCKETS - 1;
const PASSES = 3; // 11 + 11 + 10 bits
/** Voxels per step: a few ms of work, so the event loop turns many times a second. */
const CHUNK = 1 << 17;

type Steps<T> = Generator<void, T, void>;

/** Runs the steps straight through (a worker thread, a test). */
function finish<T>(steps: Steps<T>): T {
  for (;;) {
    const s = steps.next();
    if (s.done) return s.value;
  }
}

/** Runs the steps with a turn of the event loop between them; a stopped run ends at the next turn. */
async function finishAsync<T>(steps: Steps<T>, signal?: AbortSignal): Promise<T> {
  for (;;) {
    const s = steps.next();
    if (s.done) return s.value;
    await checkpoint(signal);
  }
}

/** Stable LSD radix sort of `keys` ascending, moving `payload` along; both are sorted in place. */
function* radixSort(keys: Uint32Array, payload?: Uint32Array): Steps<void> {
  const n = keys.length;
  // Every pass's histogram in one read of the keys.
  const counts = new Uint32Array(PASSES * BUCKETS);
  for (let from = 0; from < n; from += CHUNK) {
    for (let i = from, end = Math.min(n, from + CHUNK); i < end; i++) {
      const key = keys[i];
      counts[key & MASK]++;
      counts[BUCKETS + ((key >>> BITS) & MASK)]++;
      counts[2 * BUCKETS + (key >>> (2 * BITS))]++;
    }
    yield;
  }
  let k: Uint32Array = keys;
  let p: Uint32Array | undefined = payload;
  let kTmp: Uint32Array | undefined;
  let pTmp: Uint32Array | undefined;
  for (let pass = 0; pass < PASSES; pass++) {
    const shift = pass * BITS;
    const at = counts.subarray(pass * BUCKETS, (pass + 1) * BUCKETS);
    // A digit every key shares orders nothing: skip the pass (maps often span a narrow range).
    if (n === 0 || at[(k[0] >>> shift) & MASK] === n) continue;
    for (let b = 0, sum = 0; b < BUCKETS; b++) {
      const c = at[b];
      at[b] = sum;
      sum += c;
    }
    kTmp ??= new Uint32Array(n);
    if (p) pTmp ??= new Uint32Array(n);
    for (let from = 0; from < n; from += CHUNK) {
      for (let i = from, end = Math.min(n, from + CHUNK); i < end; i++) {
        const key = k[i];
        const to = at[(key >>> shift) & MASK]++;
        kTmp[to] = key;
        if (p) pTmp![to] = p[i];
      }
      yield;
    }
    [k, kTmp] = [kTmp, k];
    if (p) [p, pTmp] = [pTmp!, p];
  }
  if (k !== keys) keys.set(k);
  if (payload && p !== payload) payload.set(p!);
}

/** The float's bits as an unsigned key in ascending value order (-0 just below +0; NaN not handled). */
const ascendingKey = (u: number): number => (u & 0x80000000 ? ~u : u | 0x80000000) >>> 0;
/** ascendingKey's inverse (NaN's key gives a NaN). */
const bitsOfKey = (key: number): number => (key === 0xffffffff ? 0x7fc00000 : key & 0x80000000 ? key & 0x7fffffff : ~key >>> 0);
const isNaNBits = (u: number): boolean => (u & 0x7fffffff) > 0x7f800000;
const bitsOf = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

function* rankSteps(map: Float32Array): Steps<Uint32Array> {
  const bits = bitsOf(map);
  const keys = new Uint32Array(map.length);
  const index = new Uint32Array(map.length);
  for (let from = 0; from < map.length; from += CHUNK) {
    for (let i = from, end = Math.min(map.length, from + CHUNK); i < end; i++) {
      index[i] = i;
      const u = bits[i];
      if (isNaNBits(u)) keys[i] = 0xffffffff;
      else keys[i] = ~ascendingKey((u & 0x7fffffff) === 0 ? 0 : u) >>> 0; // -0 counts as +0
    }
    yield;
  }
  yield* radixSort(keys, index);
  return index;
}

/**
 * Voxel indices by decreasing value, ties by increasing index: what the comparator sort
 * `idx.sort((a, b) => map[b] - map[a] || a - b)` returns for any map without NaN (-0 and +0 tie,
 * as their difference is 0; so do equal infinities). NaN, which that comparator orders by chance,
 * ranks last here.
 */
export const rankDescending = (map: Float32Array): Uint32Array => finish(rankSteps(map));
/** rankDescending in steps, the event loop turning between them (the engine's thread). */
export const rankDescendingAsync = (map: Float32Array, signal?: AbortSignal): Promise<Uint32Array> => finishAsync(rankSteps(map), signal);

function* sortSteps(values: Float32Array, abs: boolean): Steps<Float32Array> {
  const bits = bitsOf(values);
  const keys = new Uint32Array(values.length);
  for (let from = 0; from < values.length; from += CHUNK) {
    for (let i = from, end = Math.min(values.length, from + CHUNK); i < end; i++) {
      const u = abs ? bits[i] & 0x7fffffff : bits[i];
      keys[i] = isNaNBits(u) ? 0xffffffff : ascendingKey(u);
    }
    yield;
  }
  yield* radixSort(keys);
  for (let i = 0; i < keys.length; i++) keys[i] = bitsOfKey(keys[i]);
  return new Float32Array(keys.buffer);
}

/**
 * The values in ascending order, as `Float32Array.from(values).sort()` gives them (-0 before +0, NaN
 * last), or with `abs` their absolute values, as `Float64Array.from(values, Math.abs).sort()` gives
 * them (float32 values are exact in float64).
 */
export const sortedAscending = (values: Float32Array, abs = false): Float32Array => finish(sortSteps(values, abs));
export const sortedAscendingAsync = (values: Float32Array, abs = false, signal?: AbortSignal): Promise<Float32Array> => finishAsync(sortSteps(values, abs), signal);

function* selectSteps(values: Float32Array, position: number): Steps<number> {
  if (!(position >= 0 && position < values.length)) throw new RangeError(`position ${position} of ${values.length} values`);
  const bits = bitsOf(values);
  let keys = new Uint32Array(values.length);
  for (let from = 0; from < values.length; from += CHUNK) {
    for (let i = from, end = Math.min(values.length, from + CHUNK); i < end; i++) keys[i] = isNaNBits(bits[i]) ? 0xffffffff : ascendingKey(bits[i]);
    yield;
  }
  let rest = position;
  let prefix = 0;
  for (const shift of [2 * BITS, BITS, 0]) {
    const counts = new Uint32Array(BUCKETS);
    for (let i = 0; i < keys.length; i++) counts[(keys[i] >>> shift) & MASK]++;
    yield;
    let digit = 0;
    while (rest >= counts[digit]) rest -= counts[digit++];
    prefix = (prefix | (digit << shift)) >>> 0;
    if (shift === 0) break;
    // Only the keys of that bucket can hold the position.
    const next = new Uint32Array(counts[digit]);
    for (let i = 0, j = 0; i < keys.length; i++) if (((keys[i] >>> shift) & MASK) === digit) next[j++] = keys[i];
    keys = next;
    yield;
  }
  return new Float32Array(Uint32Array.of(bitsOfKey(prefix)).buffer)[0];
}

/**
 * `Float32Array.from(values).sort()[position]` without sorting: a radix select (the digit's bucket
 * holding the position, then the next digit among that bucket's values only). Relevance rank needs
 * one value, the K-th highest.
 */
export const valueAtAscending = (values: Float32Array, position: number): number => finish(selectSteps(values, position));
export const valueAtAscendingAsync = (values: Float32Array, position: number, signal?: AbortSignal): Promise<number> => finishAsync(selectSteps(values, position), signal);
