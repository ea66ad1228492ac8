// Exact orders of a map's voxels by a radix sort on the float bits. The metric suite sorts a CT's
// 1M voxels several times (the curves' ranking, sparseness, relevance rank); a comparator sort took
// ~0.5 s of the engine's thread for the ranking alone, which in the app froze the window and every
// call. Radix sorting is linear: the same orders in a few tens of ms, bit for bit (tested against the
// comparator sorts on random maps with ties, -0, infinities).
//
// Float32 bits become unsigned keys whose order is the values' order: a positive float's bits with
// the sign bit set, a negative float's bits inverted (so -1 < -0.5 < 0 < 0.5 < +inf). LSD passes of
// 11 bits are stable, so equal keys keep their index order.

const BITS = 11;
const BUCKETS = 1 << BITS;

/** Stable LSD radix sort of `keys` ascending, moving `payload` along; both are sorted in place. */
function radixSort(keys: Uint32Array, payload?: Uint32Array): void {
  const n = keys.length;
  let k: Uint32Array = keys;
  let p: Uint32Array | undefined = payload;
  let kTmp: Uint32Array = new Uint32Array(n);
  let pTmp: Uint32Array | undefined = payload ? new Uint32Array(n) : undefined;
  const count = new Uint32Array(BUCKETS);
  for (let shift = 0; shift < 32; shift += BITS) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(k[i] >>> shift) & (BUCKETS - 1)]++;
    // A digit every key shares orders nothing: skip the pass (maps often span a narrow range).
    if (count[(k[0] >>> shift) & (BUCKETS - 1)] === n) continue;
    for (let b = 0, sum = 0; b < BUCKETS; b++) {
      const c = count[b];
      count[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const key = k[i];
      const at = count[(key >>> shift) & (BUCKETS - 1)]++;
      kTmp[at] = key;
      if (p) pTmp![at] = p[i];
    }
    [k, kTmp] = [kTmp, k];
    if (p) [p, pTmp] = [pTmp!, p];
  }
  if (k !== keys) keys.set(k);
  if (payload && p !== payload) payload.set(p!);
}

/** The float's bits as an unsigned key in ascending value order (-0 just below +0; NaN not handled). */
const ascendingKey = (u: number): number => (u & 0x80000000 ? ~u : u | 0x80000000) >>> 0;
const isNaNBits = (u: number): boolean => (u & 0x7fffffff) > 0x7f800000;
const bitsOf = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

/**
 * Voxel indices by decreasing value, ties by increasing index: what the comparator sort
 * `idx.sort((a, b) => map[b] - map[a] || a - b)` returns for any map without NaN (-0 and +0 tie,
 * as their difference is 0; so do equal infinities). NaN, which that comparator orders by chance,
 * ranks last here.
 */
export function rankDescending(map: Float32Array): Uint32Array {
  const bits = bitsOf(map);
  const keys = new Uint32Array(map.length);
  const index = new Uint32Array(map.length);
  for (let i = 0; i < map.length; i++) {
    index[i] = i;
    const u = bits[i];
    if (isNaNBits(u)) keys[i] = 0xffffffff;
    else keys[i] = ~ascendingKey((u & 0x7fffffff) === 0 ? 0 : u) >>> 0; // -0 counts as +0
  }
  radixSort(keys, index);
  return index;
}

/**
 * The values in ascending order, as `Float32Array.from(values).sort()` gives them (-0 before +0, NaN
 * last), or with `abs` their absolute values, as `Float64Array.from(values, Math.abs).sort()` gives
 * them (float32 values are exact in float64).
 */
export function sortedAscending(values: Float32Array, abs = false): Float32Array {
  const bits = bitsOf(values);
  const keys = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const u = abs ? bits[i] & 0x7fffffff : bits[i];
    keys[i] = isNaNBits(u) ? 0xffffffff : ascendingKey(u);
  }
  radixSort(keys);
  const out = new Uint32Array(values.length);
  const NaNBits = 0x7fc00000;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    out[i] = key === 0xffffffff ? NaNBits : key & 0x80000000 ? key & 0x7fffffff : ~key >>> 0;
  }
  return new Float32Array(out.buffer);
}
