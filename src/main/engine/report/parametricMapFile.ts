// Writes one Parametric Map file without holding it in memory: the header first, then each slice
// quantized to 16 bits (mapQuantization.ts) and JPEG-LS encoded (lossless), appended as one
// fragment per frame. The map is asked for one slice at a time (mapPass.ts keeps it in a scratch
// file, or in memory); memory beyond that: one slice of pixels and its codestream.
import { TS } from '../dicom/transferSyntax';
import { writeEncapsulatedDicom } from '../io/encapsulatedDicomWrite';
import type { NaturalDataset } from '../io/dicomWrite';
import { encodeJpegLs16 } from './jpegLsEncoder';
import { type Quantization, quantizationOf, quantizeInto } from './mapQuantization';
import { type ParametricMapArgs, parametricMapHeader } from './parametricMap';

/** The map to store, slice by slice on the study grid (x fastest, then y: NIfTI order). */
export interface MapFrames {
  /** Smallest and largest value of the whole map (mapPass.ts finiteRange: no NaN or infinity). */
  range: [number, number];
  slice(k: number): Promise<ArrayLike<number>>;
  /** Called before each slice: throws to stop (the user's cancel inside a study-sized map). */
  check?: () => void;
}

async function* jpegLsFrames(frames: MapFrames, method: string, nx: number, ny: number, nz: number, q: Quantization): AsyncGenerator<Uint8Array> {
  const pixels = new Uint16Array(nx * ny);
  for (let k = 0; k < nz; k++) {
    frames.check?.();
    const values = await frames.slice(k);
    if (values.length !== nx * ny) throw new RangeError(`slice ${k} of the ${method} map has ${values.length} values, the grid ${nx * ny}`);
    quantizeInto(values, 0, q, pixels);
    yield await encodeJpegLs16(pixels, nx, ny);
  }
}

/**
 * Writes the Parametric Map of `a` to `file` (which must not exist); `finish` may rewrite the header
 * (the anonymizer). Returns the quantization, whose slope / 2 bounds the error of every stored value.
 */
export async function writeParametricMap(
  file: string,
  a: ParametricMapArgs,
  frames: MapFrames,
  finish: (ds: NaturalDataset) => NaturalDataset = (ds) => ds,
): Promise<Quantization> {
  const [nx, ny, nz] = a.geometry.dimensions;
  const q = quantizationOf(...frames.range);
  const header = finish(parametricMapHeader(a, q));
  await writeEncapsulatedDicom(file, header, TS.jpegLsLossless, jpegLsFrames(frames, a.method, nx, ny, nz, q));
  return q;
}
