// Writes one Parametric Map file without holding it in memory: the header first, then each slice
// quantized to 16 bits (mapQuantization.ts) and JPEG-LS encoded (lossless), appended as one
// fragment per frame. Memory beyond the map itself: one slice of pixels and its codestream.
import { TS } from '../dicom/transferSyntax';
import { writeEncapsulatedDicom } from '../io/encapsulatedDicomWrite';
import type { NaturalDataset } from '../io/dicomWrite';
import { encodeJpegLs16 } from './jpegLsEncoder';
import { type Quantization, quantizationOf, quantizeInto } from './mapQuantization';
import { type ParametricMapArgs, parametricMapHeader } from './parametricMap';

/** Smallest and largest value; refuses NaN and infinities (they have no stored integer). */
function finiteRange(data: ArrayLike<number>, method: string): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) throw new RangeError(`the ${method} map has a non-finite value at voxel ${i}`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return data.length ? [lo, hi] : [0, 0];
}

async function* jpegLsFrames(data: ArrayLike<number>, nx: number, ny: number, nz: number, q: Quantization): AsyncGenerator<Uint8Array> {
  const slice = new Uint16Array(nx * ny);
  for (let k = 0; k < nz; k++) {
    quantizeInto(data, k * nx * ny, q, slice);
    yield await encodeJpegLs16(slice, nx, ny);
  }
}

/**
 * Writes the Parametric Map of `a` to `file` (which must not exist); `finish` may rewrite the header
 * (the anonymizer). Returns the quantization, whose slope / 2 bounds the error of every stored value.
 */
export async function writeParametricMap(
  file: string,
  a: ParametricMapArgs,
  finish: (ds: NaturalDataset) => NaturalDataset = (ds) => ds,
): Promise<Quantization> {
  const [nx, ny, nz] = a.geometry.dimensions;
  const [lo, hi] = finiteRange(a.data, a.method);
  const q = quantizationOf(lo, hi);
  const header = finish(parametricMapHeader(a, q));
  await writeEncapsulatedDicom(file, header, TS.jpegLsLossless, jpegLsFrames(a.data, nx, ny, nz, q));
  return q;
}
