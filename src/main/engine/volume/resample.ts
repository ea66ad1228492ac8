// Separable resampling of a volume onto another grid of the same direction (model grids, overlays).
// Each axis is resampled in turn with precomputed taps: linear (2 taps) or area (box average, for
// downsampling X-rays without aliasing). Samples outside the source take the pad value.
import { axisMapping, type Geometry } from '../../../shared/geometry';

export type Interpolation = 'linear' | 'area' | 'nearest';

interface Taps {
  index: Int32Array; // source index per tap, -1 = outside (pad)
  weight: Float32Array;
  perTarget: number;
}

function axisTaps(n: number, m: number, offset: number, step: number, mode: Interpolation, clamp: boolean): Taps {
  const at = (i: number): number => (i >= 0 && i < n ? i : clamp ? Math.min(Math.max(i, 0), n - 1) : -1);
  const area = mode === 'area' && step > 1;
  const perTarget = mode === 'nearest' ? 1 : area ? Math.ceil(step) + 2 : 2;
  const index = new Int32Array(m * perTarget).fill(-1);
  const weight = new Float32Array(m * perTarget);
  for (let t = 0; t < m; t++) {
    const u = offset + step * t;
    const base = t * perTarget;
    if (mode === 'nearest') {
      const i = Math.round(u);
      index[base] = at(i);
      weight[base] = 1;
    } else if (!area) {
      const i0 = Math.floor(u);
      const f = u - i0;
      index[base] = at(i0);
      weight[base] = 1 - f;
      index[base + 1] = at(i0 + 1);
      weight[base + 1] = f;
    } else {
      // Footprint [u - step/2, u + step/2] against source cells [i - 1/2, i + 1/2].
      const lo = u - step / 2;
      const hi = u + step / 2;
      let k = 0;
      for (let i = Math.floor(lo + 0.5); i <= Math.floor(hi + 0.5) && k < perTarget; i++, k++) {
        const w = Math.min(hi, i + 0.5) - Math.max(lo, i - 0.5);
        index[base + k] = at(i);
        weight[base + k] = Math.max(0, w) / step;
      }
    }
  }
  return { index, weight, perTarget };
}

/**
 * out[o + j] = sum over the taps of target t of w * src[s + index * stride + j], for j < len: one
 * output run from whole source runs. Zero-weight taps are skipped and taps outside take `pad`, so
 * every voxel gets the same sum, in the same order, whatever the run length.
 */
function blendRun(src: ArrayLike<number>, s: number, stride: number, out: Float32Array, o: number, len: number, taps: Taps, t: number, pad: number): void {
  const { index, weight, perTarget } = taps;
  const first = t * perTarget;
  if (perTarget === 1 || (perTarget === 2 && weight[first + 1] === 0)) {
    // Nearest, or linear exactly on a source sample: a copy (times 1, as the sum would be).
    const w = weight[first];
    const i = index[first];
    if (w === 0) out.fill(0, o, o + len);
    else if (i < 0) out.fill(w * pad, o, o + len);
    else if (w === 1 && stride === 1 && !(src instanceof Array)) for (let j = 0; j < len; j++) out[o + j] = src[s + i + j];
    else for (let j = 0, b = s + i * stride; j < len; j++) out[o + j] = w * src[b + j];
    return;
  }
  if (perTarget === 2 && weight[first] !== 0 && index[first] >= 0 && index[first + 1] >= 0) {
    // Linear between two source runs, the common case, unrolled.
    const w0 = weight[first];
    const w1 = weight[first + 1];
    const b0 = s + index[first] * stride;
    const b1 = s + index[first + 1] * stride;
    for (let j = 0; j < len; j++) out[o + j] = w0 * src[b0 + j] + w1 * src[b1 + j];
    return;
  }
  for (let j = 0; j < len; j++) {
    let v = 0;
    for (let k = first; k < first + perTarget; k++) {
      const w = weight[k];
      if (w === 0) continue;
      const i = index[k];
      v += w * (i < 0 ? pad : src[s + i * stride + j]);
    }
    out[o + j] = v;
  }
}

/**
 * Resamples along x or y of a [nz][ny][nx] array (z: resampleByPlanes). y is resampled by
 * blending whole rows (contiguous memory); x one row at a time.
 */
function resampleAxis(src: ArrayLike<number>, dims: [number, number, number], axis: 0 | 1, m: number, taps: Taps, pad: number): Float32Array {
  const [nx, ny, nz] = dims;
  if (axis === 1) {
    const out = new Float32Array(nx * m * nz);
    for (let z = 0; z < nz; z++) for (let t = 0; t < m; t++) blendRun(src, z * ny * nx, nx, out, (z * m + t) * nx, nx, taps, t, pad);
    return out;
  }
  const out = new Float32Array(m * ny * nz);
  for (let r = 0; r < ny * nz; r++) blendRowX(src, r * nx, out, r * m, m, taps, pad);
  return out;
}

/** One row resampled along x: out[o + t] = sum over the taps of target t of w * src[s + index]. */
function blendRowX(src: ArrayLike<number>, s: number, out: Float32Array, o: number, m: number, taps: Taps, pad: number): void {
  const { index, weight, perTarget } = taps;
  for (let t = 0; t < m; t++) {
    let v = 0;
    for (let k = t * perTarget; k < (t + 1) * perTarget; k++) {
      const w = weight[k];
      if (w === 0) continue;
      const i = index[k];
      v += w * (i < 0 ? pad : src[s + i]);
    }
    out[o + t] = v;
  }
}

/**
 * Resamples `data` (on grid `source`) onto grid `target`; returns float32 in [k][j][i] order.
 * Outside the source: `pad`, or the nearest edge value when pad is 'clamp'. `into` (target-sized)
 * receives the result instead of a new array, so a caller writing many maps reuses one buffer.
 */
export function resample(data: ArrayLike<number>, source: Geometry, target: Geometry, mode: Interpolation, pad: number | 'clamp', into?: Float32Array): Float32Array {
  const { offset, step } = axisMapping(source, target);
  const outLength = target.dimensions[0] * target.dimensions[1] * target.dimensions[2];
  if (into && into.length !== outLength) throw new Error('resample: buffer does not fit the target grid');
  if (mode === 'nearest') return gatherNearest(data, source.dimensions, target.dimensions, offset, step, pad, into);
  const taps = ([0, 1, 2] as const).map((a) => {
    const m = target.dimensions[a];
    const n = source.dimensions[a];
    if (m === n && Math.abs(offset[a]) < 1e-9 && Math.abs(step[a] - 1) < 1e-9) return null; // identity axis
    return axisTaps(n, m, offset[a], step[a], mode, pad === 'clamp');
  });
  const padValue = pad === 'clamp' ? 0 : pad;
  if (taps[2]) return resampleByPlanes(data, source.dimensions, target.dimensions, taps as [Taps | null, Taps | null, Taps], padValue, into);
  let dims: [number, number, number] = [...source.dimensions];
  let current: ArrayLike<number> = data;
  for (const a of [0, 1] as const) {
    const t = taps[a];
    if (!t) continue;
    current = resampleAxis(current, dims, a, target.dimensions[a], t, padValue);
    dims = [...dims];
    dims[a] = target.dimensions[a];
  }
  const out = current instanceof Float32Array && current !== data ? current : Float32Array.from(current);
  if (!into) return out;
  into.set(out);
  return into;
}

/**
 * x, then y, then z as the separable passes, but one source plane at a time: each source plane is
 * resampled in x and y once, into one of a few reused buffers, and every output plane blends the
 * planes its z taps name straight into the output. The same sums in the same order as three
 * whole-volume passes (bit-identical), without the two intermediate volumes: upsampling a
 * 64x128x128 map onto a 120x512x512 study grid allocated 200 MB per map and spent as much time in
 * page faults as in arithmetic.
 */
function resampleByPlanes(
  data: ArrayLike<number>,
  dims: readonly number[],
  outDims: readonly number[],
  [tx, ty, tz]: [Taps | null, Taps | null, Taps],
  pad: number,
  into?: Float32Array,
): Float32Array {
  const [nx, ny] = dims;
  const [mx, my, mz] = outDims;
  const plane = mx * my;
  const out = into ?? new Float32Array(plane * mz);
  const rowsX = tx ? new Float32Array(mx * ny) : null;
  const cache = new Map<number, ArrayLike<number>>();
  const spare: Float32Array[] = [];
  const owned = new Set<ArrayLike<number>>();
  // Source plane z after the x and y passes (a view of `data` when both axes are identities).
  const planeOf = (z: number): ArrayLike<number> => {
    const hit = cache.get(z);
    if (hit) return hit;
    const base = z * nx * ny;
    let src: ArrayLike<number> = data;
    let srcBase = base;
    if (tx && rowsX) {
      for (let r = 0; r < ny; r++) blendRowX(data, base + r * nx, rowsX, r * mx, mx, tx, pad);
      src = rowsX;
      srcBase = 0;
    }
    let result: ArrayLike<number>;
    if (ty) {
      const buffer = spare.pop() ?? new Float32Array(plane);
      for (let t = 0; t < my; t++) blendRun(src, srcBase, mx, buffer, t * mx, mx, ty, t, pad);
      owned.add((result = buffer));
    } else if (src === rowsX) {
      const buffer = spare.pop() ?? new Float32Array(plane);
      buffer.set(rowsX);
      owned.add((result = buffer));
    } else {
      // Both in-plane axes are identities: the source plane itself.
      result = ArrayBuffer.isView(data) ? (data as Float32Array).subarray(base, base + plane) : Array.prototype.slice.call(data, base, base + plane);
    }
    cache.set(z, result);
    return result;
  };
  const { index, weight, perTarget } = tz;
  for (let t = 0; t < mz; t++) {
    const first = t * perTarget;
    // Planes below this output plane's lowest tap are not needed again (taps never go back).
    let lowest = Infinity;
    for (let k = first; k < first + perTarget; k++) if (weight[k] !== 0 && index[k] >= 0) lowest = Math.min(lowest, index[k]);
    for (const [z, p] of cache)
      if (z < lowest) {
        cache.delete(z);
        if (owned.delete(p)) spare.push(p as Float32Array);
      }
    const o = t * plane;
    const live: number[] = [];
    for (let k = first; k < first + perTarget; k++) if (weight[k] !== 0) live.push(k);
    if (live.length === 0) {
      out.fill(0, o, o + plane);
    } else if (live.length === 1) {
      const w = weight[live[0]];
      const i = index[live[0]];
      if (i < 0) out.fill(w * pad, o, o + plane);
      else {
        const p = planeOf(i);
        for (let j = 0; j < plane; j++) out[o + j] = w * p[j];
      }
    } else if (live.length === 2 && index[live[0]] >= 0 && index[live[1]] >= 0) {
      const w0 = weight[live[0]];
      const w1 = weight[live[1]];
      const p0 = planeOf(index[live[0]]);
      const p1 = planeOf(index[live[1]]);
      for (let j = 0; j < plane; j++) out[o + j] = w0 * p0[j] + w1 * p1[j];
    } else {
      const planes = live.map((k) => (index[k] < 0 ? null : planeOf(index[k])));
      for (let j = 0; j < plane; j++) {
        let v = 0;
        for (let n = 0; n < live.length; n++) {
          const p = planes[n];
          v += weight[live[n]] * (p === null ? pad : p[j]);
        }
        out[o + j] = v;
      }
    }
  }
  return out;
}

/**
 * Nearest neighbour in one pass: each output voxel copies the source voxel its three axis indices
 * pick (what the separable passes compute, without two intermediate volumes). An output row whose
 * source row is the previous output row's is a memcpy of it: a coarse map onto a fine study grid
 * repeats every source row several times (a 320x256 map onto a 1935x2400 cephalogram: 7.5x).
 */
function gatherNearest(
  data: ArrayLike<number>,
  dims: readonly number[],
  outDims: readonly number[],
  offset: readonly number[],
  step: readonly number[],
  pad: number | 'clamp',
  into?: Float32Array,
): Float32Array {
  const pick = (a: number) => {
    const n = dims[a];
    return Int32Array.from({ length: outDims[a] }, (_, t) => {
      const i = Math.round(offset[a] + step[a] * t);
      return i >= 0 && i < n ? i : pad === 'clamp' ? Math.min(Math.max(i, 0), n - 1) : -1;
    });
  };
  const [ix, iy, iz] = [pick(0), pick(1), pick(2)];
  const [nx, ny] = dims;
  const [mx, my, mz] = outDims;
  const out = into ?? new Float32Array(mx * my * mz);
  const padValue = pad === 'clamp' ? 0 : pad;
  let o = 0;
  let previous = -2; // source row of the last output row (-1: padding)
  const plane = mx * my;
  for (let z = 0; z < mz; z++) {
    if (z > 0 && iz[z] === iz[z - 1]) {
      // The same source plane as the last output plane (a coarse map's slices repeat): copy it.
      out.copyWithin(o, o - plane, o);
      o += plane;
      continue;
    }
    for (let y = 0; y < my; y++, o += mx) {
      const row = iz[z] < 0 || iy[y] < 0 ? -1 : (iz[z] * ny + iy[y]) * nx;
      if (row === previous) out.copyWithin(o, o - mx, o);
      else if (row < 0) out.fill(padValue, o, o + mx);
      else for (let x = 0; x < mx; x++) out[o + x] = ix[x] < 0 ? padValue : data[row + ix[x]];
      previous = row;
    }
  }
  return out;
}
