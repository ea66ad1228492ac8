// A volume's value at one continuous voxel index (the viewer samples overlays this way, pixel by
// pixel, through the camera). Trilinear, or nearest for region maps; edges clamped within half a
// voxel, NaN beyond. The engine resamples whole grids with the separable equivalent
// (main/engine/volume/resample.ts, 'linear' with 'clamp'); a test checks that they agree.

export function sampleAt(data: ArrayLike<number>, dims: readonly number[], i: number, j: number, k: number, mode: 'linear' | 'nearest'): number {
  const [nx, ny, nz] = dims;
  if (i < -0.5 || j < -0.5 || k < -0.5 || i > nx - 0.5 || j > ny - 0.5 || k > nz - 0.5) return NaN;
  const ci = Math.min(Math.max(i, 0), nx - 1);
  const cj = Math.min(Math.max(j, 0), ny - 1);
  const ck = Math.min(Math.max(k, 0), nz - 1);
  if (mode === 'nearest') return data[(Math.round(ck) * ny + Math.round(cj)) * nx + Math.round(ci)] ?? 0;
  const i0 = Math.min(Math.floor(ci), nx - 2 < 0 ? 0 : nx - 2);
  const j0 = Math.min(Math.floor(cj), ny - 2 < 0 ? 0 : ny - 2);
  const k0 = Math.min(Math.floor(ck), nz - 2 < 0 ? 0 : nz - 2);
  const fi = nx > 1 ? ci - i0 : 0;
  const fj = ny > 1 ? cj - j0 : 0;
  const fk = nz > 1 ? ck - k0 : 0;
  const at = (a: number, b: number, c: number) => data[((k0 + c) * ny + (j0 + b)) * nx + (i0 + a)] ?? 0;
  const i1 = nx > 1 ? 1 : 0;
  const j1 = ny > 1 ? 1 : 0;
  const k1 = nz > 1 ? 1 : 0;
  const x00 = at(0, 0, 0) * (1 - fi) + at(i1, 0, 0) * fi;
  const x10 = at(0, j1, 0) * (1 - fi) + at(i1, j1, 0) * fi;
  const x01 = at(0, 0, k1) * (1 - fi) + at(i1, 0, k1) * fi;
  const x11 = at(0, j1, k1) * (1 - fi) + at(i1, j1, k1) * fi;
  return (x00 * (1 - fj) + x10 * fj) * (1 - fk) + (x01 * (1 - fj) + x11 * fj) * fk;
}
