// Stratified selection vectors: sample i keeps a fraction of the chunks drawn from its own stratum
// of [0, 1], so every mask density is covered evenly; strata are shuffled within blocks so that
// stopping early at any block boundary still covers all densities. All draws come from one seeded
// stream in sample order, so sample i is the same whatever the batch size or stopping point.
import { createRng, type Rng } from '../../random';

export class MaskSampler {
  private readonly rng: Rng;
  private readonly order: Int32Array;
  private strata: number[] = [];
  private drawn = 0;

  private last: Uint8Array;

  /** antithetic: every second sample is the complement of the one before (same seed stream otherwise). */
  constructor(
    seed: number,
    private readonly chunkCount: number,
    private readonly blockSize: number,
    private readonly antithetic = false,
    stream = '',
  ) {
    this.last = new Uint8Array(chunkCount);
    this.rng = createRng(`mupax:${seed}${stream}`);
    this.order = Int32Array.from({ length: chunkCount }, (_, i) => i);
  }

  private nextFraction(): number {
    if (this.strata.length === 0) {
      // A new block: one sample per stratum, in random order.
      this.strata = Array.from({ length: this.blockSize }, (_, i) => i);
      for (let i = this.strata.length - 1; i > 0; i--) {
        const j = Math.floor(this.rng.next() * (i + 1));
        [this.strata[i], this.strata[j]] = [this.strata[j], this.strata[i]];
      }
    }
    const stratum = this.strata.pop()!;
    return (stratum + this.rng.next()) / this.blockSize;
  }

  /** Writes the next selection vector (0/1 per chunk) into `out` at `offset`. */
  next(out: Uint8Array, offset: number): void {
    const n = this.chunkCount;
    if (this.antithetic && this.drawn % 2 === 1) {
      for (let c = 0; c < n; c++) out[offset + c] = 1 - this.last[c];
      this.drawn++;
      return;
    }
    // At least one chunk kept and one dropped: all-or-nothing masks carry no attribution.
    const keep = Math.min(n - 1, Math.max(1, Math.round(this.nextFraction() * n)));
    const order = this.order;
    for (let i = 0; i < keep; i++) {
      const j = i + Math.floor(this.rng.next() * (n - i)); // partial Fisher-Yates
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    out.fill(0, offset, offset + n);
    for (let i = 0; i < keep; i++) out[offset + order[i]] = 1;
    if (this.antithetic) this.last.set(out.subarray(offset, offset + n));
    this.drawn++;
  }

  get samplesDrawn(): number {
    return this.drawn;
  }
}
