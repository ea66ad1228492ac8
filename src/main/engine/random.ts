// Seeded PRNG (demo generators, MUPAX sampling): the same seed must give identical results on every
// machine, so nothing here may touch Math.random or the clock.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number;
  /** Normal(mean, sd) by Box-Muller. */
  gaussian(mean?: number, sd?: number): number;
  /** Normal clipped to [lo, hi]: anatomical parameters must stay plausible. */
  clampedGaussian(mean: number, sd: number, lo: number, hi: number): number;
  /** An independent stream, so adding draws to one part does not reshuffle the others. */
  fork(label: string): Rng;
}

/** 32-bit FNV-1a of a string, used to derive sub-seeds. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** sfc32: small, fast and passes PractRand far beyond what a demo needs. */
export function createRng(seed: number | string): Rng {
  const s = typeof seed === 'number' ? `n${seed}` : `s${seed}`;
  let a = hash32(`${s}:a`);
  let b = hash32(`${s}:b`);
  let c = hash32(`${s}:c`);
  let d = 1;
  const raw = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) raw(); // warm up: the first outputs of sfc32 correlate with the seed
  let spare: number | null = null;
  const rng: Rng = {
    next: raw,
    uniform: (lo, hi) => lo + (hi - lo) * raw(),
    int: (lo, hi) => lo + Math.floor(raw() * (hi - lo + 1)),
    gaussian(mean = 0, sd = 1) {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return mean + sd * v;
      }
      let u = 0;
      while (u <= Number.EPSILON) u = raw();
      const v = raw();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return mean + sd * r * Math.cos(2 * Math.PI * v);
    },
    clampedGaussian: (mean, sd, lo, hi) => Math.min(hi, Math.max(lo, rng.gaussian(mean, sd))),
    fork: (label) => createRng(`${s}/${label}`),
  };
  return rng;
}

/** A table of standard normal deviates: per-voxel noise for 30M voxels must not call log/sin each time. */
export function gaussianTable(rng: Rng, size: number): Float32Array {
  const t = new Float32Array(size);
  for (let i = 0; i < size; i++) t[i] = rng.gaussian();
  return t;
}
