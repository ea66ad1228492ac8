// Keeps every sample's selection vector and errors, and turns them into MUPAX maps: accept the
// samples whose error is at most the W-th percentile, weight them by 1/(mu+1), average their masks.

export interface MupaxMap {
  values: Float64Array; // per chunk, in [0, 1]
  threshold: number; // W: the error at the chosen percentile
  accepted: number;
}

export class MupaxAccumulator {
  private masks: Uint8Array;
  private errors: Float64Array[]; // per target, per sample
  count = 0;

  constructor(
    private readonly chunkCount: number,
    targets: number,
    capacity: number,
  ) {
    this.masks = new Uint8Array(chunkCount * capacity);
    this.errors = Array.from({ length: targets }, () => new Float64Array(capacity));
  }

  add(mask: Uint8Array, offset: number, errors: ArrayLike<number>): void {
    if (this.count * this.chunkCount >= this.masks.length) this.grow();
    this.masks.set(mask.subarray(offset, offset + this.chunkCount), this.count * this.chunkCount);
    for (let t = 0; t < this.errors.length; t++) this.errors[t][this.count] = errors[t];
    this.count++;
  }

  private grow(): void {
    const masks = new Uint8Array(this.masks.length * 2);
    masks.set(this.masks);
    this.masks = masks;
    this.errors = this.errors.map((e) => {
      const bigger = new Float64Array(e.length * 2);
      bigger.set(e);
      return bigger;
    });
  }

  errorsOf(target: number): Float64Array {
    return this.errors[target].subarray(0, this.count);
  }

  /** Percentile by linear interpolation between order statistics (numpy's default). */
  static percentile(values: Float64Array, p: number): number {
    const sorted = Float64Array.from(values).sort();
    const pos = (p / 100) * (sorted.length - 1);
    const lo = Math.floor(pos);
    return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (pos - lo);
  }

  /** The map of `target` from the samples selected by `use` (default: all so far). */
  map(target: number, percentile: number, use?: (i: number) => boolean): MupaxMap {
    const errors = this.errorsOf(target);
    const pool = use ? Float64Array.from(errors.filter((_, i) => use(i))) : errors;
    const values = new Float64Array(this.chunkCount);
    if (pool.length === 0) return { values, threshold: NaN, accepted: 0 };
    const threshold = MupaxAccumulator.percentile(pool, percentile);
    let weightSum = 0;
    let accepted = 0;
    for (let i = 0; i < this.count; i++) {
      if ((use && !use(i)) || !(errors[i] <= threshold)) continue;
      const w = 1 / (errors[i] + 1);
      weightSum += w;
      accepted++;
      const base = i * this.chunkCount;
      for (let c = 0; c < this.chunkCount; c++) if (this.masks[base + c]) values[c] += w;
    }
    if (weightSum > 0) for (let c = 0; c < values.length; c++) values[c] /= weightSum;
    return { values, threshold, accepted };
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
