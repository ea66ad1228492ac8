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

/** Resamples along one axis of a [nz][ny][nx] array. */
function resampleAxis(src: ArrayLike<number>, dims: [number, number, number], axis: 0 | 1 | 2, m: number, taps: Taps, pad: number): Float32Array {
  const [nx, ny, nz] = dims;
  const outDims: [number, number, number] = [...dims];
  outDims[axis] = m;
  const out = new Float32Array(outDims[0] * outDims[1] * outDims[2]);
  const stride = axis === 0 ? 1 : axis === 1 ? nx : nx * ny;
  const outStride = axis === 0 ? 1 : axis === 1 ? outDims[0] : outDims[0] * outDims[1];
  const { index, weight, perTarget } = taps;
  // Iterate over all lines along `axis`.
  const [ao, bo] = axis === 0 ? [ny, nz] : axis === 1 ? [nx, nz] : [nx, ny];
  for (let b = 0; b < bo; b++) {
    for (let a = 0; a < ao; a++) {
      const [x, y, z] = axis === 0 ? [0, a, b] : axis === 1 ? [a, 0, b] : [a, b, 0];
      const srcBase = (z * ny + y) * nx + x;
      const outBase = (z * outDims[1] + y) * outDims[0] + x;
      for (let t = 0; t < m; t++) {
        let v = 0;
        for (let k = 0; k < perTarget; k++) {
          const w = weight[t * perTarget + k];
          if (w === 0) continue;
          const i = index[t * perTarget + k];
          v += w * (i < 0 ? pad : src[srcBase + i * stride]);
        }
        out[outBase + t * outStride] = v;
      }
    }
  }
  return out;
}

/**
 * Resamples `data` (on grid `source`) onto grid `target`; returns float32 in [k][j][i] order.
 * Outside the source: `pad`, or the nearest edge value when pad is 'clamp'.
 */
export function resample(data: ArrayLike<number>, source: Geometry, target: Geometry, mode: Interpolation, pad: number | 'clamp'): Float32Array {
  const { offset, step } = axisMapping(source, target);
  let dims: [number, number, number] = [...source.dimensions];
  let current: ArrayLike<number> = data;
  for (const a of [0, 1, 2] as const) {
    const m = target.dimensions[a];
    const n = source.dimensions[a];
    if (m === n && Math.abs(offset[a]) < 1e-9 && Math.abs(step[a] - 1) < 1e-9) continue; // identity axis
    current = resampleAxis(current, dims, a, m, axisTaps(n, m, offset[a], step[a], mode, pad === 'clamp'), pad === 'clamp' ? 0 : pad);
    dims = [...dims];
    dims[a] = m;
  }
  return current instanceof Float32Array && current !== data ? current : Float32Array.from(current);
}
