/**
 * Turn codec or native samples into the DecodedFrame array: pick the typed array
 * for BitsAllocated/PixelRepresentation, drop bits outside [HighBit-BitsStored+1, HighBit]
 * (overlays, garbage) and sign-extend from BitsStored.
 */
import { DicomInputError } from '../errors';
import type { CodecOutput, PixelArray } from './types';

export interface StoredFormat {
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  pixelRepresentation: 0 | 1;
}

/** Empty output array for the format; 1-bit frames are unpacked to one byte per pixel. */
export function allocateStored(format: StoredFormat, length: number): Exclude<PixelArray, Float32Array> {
  const signed = format.pixelRepresentation === 1;
  switch (format.bitsAllocated) {
    case 1:
      return new Uint8Array(length);
    case 8:
      return signed ? new Int8Array(length) : new Uint8Array(length);
    case 16:
      return signed ? new Int16Array(length) : new Uint16Array(length);
    case 32:
      return signed ? new Int32Array(length) : new Uint32Array(length);
    default:
      throw new DicomInputError(`unsupported Bits Allocated ${format.bitsAllocated} (expected 1, 8, 16 or 32)`);
  }
}

/**
 * Copy `source` (already one sample per pixel) into the stored-value array,
 * masking to BitsStored and sign-extending. Works for any integer source array.
 */
export function toStoredValues(source: ArrayLike<number>, format: StoredFormat): PixelArray {
  const out = allocateStored(format, source.length);
  const bits = Math.min(format.bitsStored, format.bitsAllocated);
  const lowBit = Math.max(0, format.highBit + 1 - bits);
  if ((bits === format.bitsAllocated || format.bitsAllocated === 1) && lowBit === 0) {
    // Typed-array conversion wraps modulo 2^bits, which is exactly reinterpretation.
    out.set(source);
    return out;
  }
  const mask = 2 ** bits - 1;
  const shift = 32 - bits;
  const signed = format.pixelRepresentation === 1;
  for (let i = 0; i < source.length; i++) {
    // >>> works on the 32-bit two's complement pattern, so negative codec output masks correctly too.
    const v = (source[i] >>> lowBit) & mask;
    out[i] = signed ? (v << shift) >> shift : v;
  }
  return out;
}

/** Y of each pixel for colour codec output (RGB converted, YBR taken as is), as one-sample data. */
export function luminance(output: CodecOutput, pixelCount: number): ArrayLike<number> {
  const { samples, planar, color } = output;
  const y = new Float64Array(pixelCount);
  const at = (pixel: number, sample: number): number =>
    planar ? samples[sample * pixelCount + pixel] : samples[pixel * 3 + sample];
  for (let i = 0; i < pixelCount; i++) {
    y[i] = color === 'ybr' ? at(i, 0) : Math.round(0.299 * at(i, 0) + 0.587 * at(i, 1) + 0.114 * at(i, 2));
  }
  return y;
}
