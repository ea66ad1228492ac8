// Keeps every sample's selection vector, kept fraction and errors, and turns them into MUPAX maps:
// accept the samples whose error is at most the W-th percentile (of all samples, as the paper; or
// within each mask-density stratum), weight them by 1/(mu+1), average their masks, and test each
// chunk against the null model (significance.ts).
import { testChunks, type Significance } from './significance';

export interface MupaxMap {
  values: Float64Array; // per chunk, in [0, 1]
  threshold: number; // W: the error at the chosen percentile
  accepted: number;
}

/** 'global': one percentile over all samples (the paper). 'stratum': one per mask-density stratum. */
export type Acceptance = 'global' | 'stratum';

export interface Selection {
  indices: Int32Array;
  weights: Float64Array;
  fractions: Float64Array;
  /** W of the global rule; the median of the strata's W for 'stratum'. */
  threshold: number;
}

export class MupaxAccumulator {
  private masks: Uint8Array;
  private errors: Float64Array[]; // per target, per sample
  private kept: Float64Array; // kept fraction per sample
  count = 0;

  constructor(
    private readonly chunkCount: number,
    targets: number,
    capacity: number,
  ) {
    this.masks = new Uint8Array(chunkCount * capacity);
    this.errors = Array.from({ length: targets }, () => new Float64Array(capacity));
    this.kept = new Float64Array(capacity);
  }

  add(mask: Uint8Array, offset: number, errors: ArrayLike<number>): void {
    if (this.count * this.chunkCount >= this.masks.length) this.grow();
    const m = mask.subarray(offset, offset + this.chunkCount);
    this.masks.set(m, this.count * this.chunkCount);
    let k = 0;
    for (let c = 0; c < m.length; c++) k += m[c];
    this.kept[this.count] = k / this.chunkCount;
    for (let t = 0; t < this.errors.length; t++) this.errors[t][this.count] = errors[t];
    this.count++;
  }

  private grow(): void {
    const masks = new Uint8Array(this.masks.length * 2);
    masks.set(this.masks);
    this.masks = masks;
    const widen = (e: Float64Array) => {
      const bigger = new Float64Array(e.length * 2);
      bigger.set(e);
      return bigger;
    };
    this.errors = this.errors.map(widen);
    this.kept = widen(this.kept);
  }

  /** The first `count` samples, sharing this accumulator's storage (a run replayed from the bank). */
  view(count: number): MupaxAccumulator {
    const v = Object.create(MupaxAccumulator.prototype) as MupaxAccumulator;
    Object.assign(v, this);
    v.count = Math.min(count, this.count);
    return v;
  }

  errorsOf(target: number): Float64Array {
    return this.errors[target].subarray(0, this.count);
  }

  /** Selection vectors of all samples so far, sample-major. */
  get allMasks(): Uint8Array {
    return this.masks.subarray(0, this.count * this.chunkCount);
  }

  keptFraction(sample: number): number {
    return this.kept[sample];
  }

  /** Percentile by linear interpolation between order statistics (numpy's default). */
  static percentile(values: Float64Array, p: number): number {
    const sorted = Float64Array.from(values).sort();
    const pos = (p / 100) * (sorted.length - 1);
    const lo = Math.floor(pos);
    return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (pos - lo);
  }

  /** The accepted samples of `target` among those `use` allows (default: all so far). */
  select(target: number, percentile: number, acceptance: Acceptance = 'global', use?: (i: number) => boolean, strata = 8): Selection {
    const errors = this.errorsOf(target);
    const pools: number[][] = acceptance === 'global' ? [[]] : Array.from({ length: strata }, () => []);
    for (let i = 0; i < this.count; i++) {
      if (use && !use(i)) continue;
      pools[acceptance === 'global' ? 0 : Math.min(strata - 1, Math.floor(this.kept[i] * strata))].push(i);
    }
    const indices: number[] = [];
    const thresholds: number[] = [];
    for (const pool of pools) {
      if (pool.length === 0) continue;
      const w = MupaxAccumulator.percentile(Float64Array.from(pool, (i) => errors[i]), percentile);
      thresholds.push(w);
      for (const i of pool) if (errors[i] <= w) indices.push(i);
    }
    indices.sort((a, b) => a - b); // sample order: sums are then the same whatever the strata
    const idx = Int32Array.from(indices);
    return {
      indices: idx,
      weights: Float64Array.from(idx, (i) => 1 / (errors[i] + 1)),
      fractions: Float64Array.from(idx, (i) => this.kept[i]),
      threshold: thresholds.length ? MupaxAccumulator.percentile(Float64Array.from(thresholds), 50) : NaN,
    };
  }

  /** The paper's map of `target` (global acceptance) from the samples `use` allows. */
  map(target: number, percentile: number, use?: (i: number) => boolean): MupaxMap {
    const s = this.select(target, percentile, 'global', use);
    const t = testChunks(this.masks, this.chunkCount, s.indices, s.weights, s.fractions, 0.05);
    return { values: s.indices.length ? t.retention : new Float64Array(this.chunkCount), threshold: s.threshold, accepted: s.indices.length };
  }

  /** Retention, z-scores and the FDR-controlled significant region of `target`. */
  test(target: number, o: { percentile: number; acceptance: Acceptance; q: number }, use?: (i: number) => boolean): Significance & { threshold: number } {
    const s = this.select(target, o.percentile, o.acceptance, use);
    return { ...testChunks(this.masks, this.chunkCount, s.indices, s.weights, s.fractions, o.q), threshold: s.threshold };
  }
}

/** Pearson correlation of two maps (1 when identical up to scale and offset). */
export function correlation(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}
