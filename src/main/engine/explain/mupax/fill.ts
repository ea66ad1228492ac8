// What a dropped chunk is filled with. A constant (the input's minimum: air or background) is the
// paper's choice, but a block of air inside the body is an edge the model never saw in training,
// and the model may react to that edge rather than to the missing content (XtrAIn, seed 004, on
// hand-picked baselines). 'blur' fills with a Gaussian-blurred copy of the input (sigma = half a
// chunk per axis): the coarse intensity stays, the detail inside the chunk is gone.
export type Fill = 'min' | 'zero' | 'blur' | number;

export function minimumOf(data: Float32Array): number {
  let min = Infinity;
  for (let i = 0; i < data.length; i++) if (data[i] < min) min = data[i];
  return min;
}

function gaussianKernel(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/** Separable Gaussian blur of a [z][y][x] volume along one axis (edges clamped). */
function blurAxis(src: Float32Array, dims: [number, number, number], axis: 0 | 1 | 2, sigma: number): Float32Array {
  if (sigma <= 0 || dims[axis] === 1) return src;
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const [nx, ny, nz] = dims;
  const stride = axis === 0 ? 1 : axis === 1 ? nx : nx * ny;
  const len = dims[axis];
  const out = new Float32Array(src.length);
  const line = new Float32Array(len);
  for (let z = 0; z < (axis === 2 ? 1 : nz); z++) {
    for (let y = 0; y < (axis === 1 ? 1 : ny); y++) {
      for (let x = 0; x < (axis === 0 ? 1 : nx); x++) {
        const base = x + y * nx + z * nx * ny;
        for (let i = 0; i < len; i++) line[i] = src[base + i * stride];
        for (let i = 0; i < len; i++) {
          let s = 0;
          for (let j = -r; j <= r; j++) s += k[j + r] * line[Math.min(len - 1, Math.max(0, i + j))];
          out[base + i * stride] = s;
        }
      }
    }
  }
  return out;
}

/** The fill volume for `spec`; dims and chunk are [x, y, z]. */
export function fillVolume(input: Float32Array, dims: [number, number, number], chunk: [number, number, number], spec: Fill): Float32Array {
  if (spec === 'blur') {
    let v = input;
    for (const a of [0, 1, 2] as const) v = blurAxis(v, dims, a, chunk[a] / 2);
    return v === input ? Float32Array.from(input) : v;
  }
  const value = spec === 'zero' ? 0 : spec === 'min' ? minimumOf(input) : spec;
  return new Float32Array(input.length).fill(value);
}
