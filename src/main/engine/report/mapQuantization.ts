// A float map stored as unsigned 16-bit integers plus a linear Real World Value Mapping
// (real = stored * slope + intercept), the way integer Parametric Maps carry real values. 32-bit
// floats cost 420 MB for a 512x512x400 study; 16-bit integers compress losslessly (JPEG-LS) to a
// tenth of that, with a quantization error of at most half a step (slope / 2).
//
// Zero is kept exact (a significant-evidence map is 0 outside its region, and "no saliency" should
// read back as 0): non-negative maps use stored = v / slope; maps with negative values are offset
// by 16384 (stored = v / slope + 16384, intercept = -16384 * slope), which keeps the pixels unsigned:
// signed pixels in JPEG-LS are stored as their bit pattern, which readers have handled unevenly.
//
// Stored values stay at or below 32767 (15 of the 16 bits): dcmjs 0.52, under OHIF's Parametric
// Map adapter, takes Pixel Representation 0 for "absent" and reads the pixels as signed, so a value
// above 32767 came out negative there (test/unit/readback-adapters.test.ts). Half a step is still
// 1/65534 of the map's range.

export interface Quantization {
  slope: number;
  intercept: number;
  /** The stored value that means 0 (0, or 16384 for maps with negative values). */
  offset: number;
  /** Smallest and largest stored value of the map (the RWVM's first and last value mapped). */
  first: number;
  last: number;
}

const MAX = 32767;
const SIGNED_OFFSET = 16384;

/** The mapping of a map whose values lie in [lo, hi] (finite). */
export function quantizationOf(lo: number, hi: number): Quantization {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) throw new RangeError(`cannot quantize the value range [${lo}, ${hi}]`);
  const negative = lo < 0;
  const offset = negative ? SIGNED_OFFSET : 0;
  const extent = negative ? Math.max(-lo, hi) : hi;
  // A flat zero map: any step reads back 0; 1 keeps the mapping well defined.
  const slope = extent > 0 ? extent / (negative ? SIGNED_OFFSET - 1 : MAX) : 1;
  const q = { slope, intercept: offset ? -offset * slope : 0, offset, first: 0, last: 0 };
  q.first = storedValue(lo, q);
  q.last = storedValue(hi, q);
  return q;
}

/** The stored integer of a real value (clamped to 0..32767 against rounding at the range's ends). */
export function storedValue(v: number, q: Pick<Quantization, 'slope' | 'offset'>): number {
  const s = Math.round(v / q.slope) + q.offset;
  return s < 0 ? 0 : s > MAX ? MAX : s;
}

/** The real value a stored integer stands for. */
export function realValue(stored: number, q: Pick<Quantization, 'slope' | 'intercept'>): number {
  return stored * q.slope + q.intercept;
}

/** Quantizes data[from .. from + out.length) into `out`. */
export function quantizeInto(data: ArrayLike<number>, from: number, q: Quantization, out: Uint16Array): void {
  const { slope, offset } = q;
  for (let i = 0; i < out.length; i++) {
    const s = Math.round(data[from + i] / slope) + offset;
    out[i] = s < 0 ? 0 : s > MAX ? MAX : s;
  }
}
