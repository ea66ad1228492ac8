/**
 * decodeEncapsulated: stored values of one compressed frame, from its codestream alone.
 * It needs no DataSet, so the same function runs inline and inside the decode worker
 * (decodeWorker.ts); both paths therefore give the same bytes by construction.
 */
import { DicomInputError } from '../errors';
import { codecFor } from './codecs';
import { checkDeclaredSize } from './codecs/declaredSize';
import { luminance, toStoredValues } from './storedValues';
import type { DecodedFrame, FrameLayout } from './types';

/** Everything about the frame that decoding and the stored-value conversion read from the header. */
export interface EncodedFrameFormat extends FrameLayout {
  highBit: number;
}

export async function decodeEncapsulated(
  transferSyntaxUid: string,
  encoded: Uint8Array,
  format: EncodedFrameFormat,
  frameIndex: number,
): Promise<DecodedFrame> {
  const { rows, columns } = format;
  const codec = codecFor(transferSyntaxUid, encoded);
  checkDeclaredSize(codec.name.replace(/ \(.*\)$/, ''), encoded, rows, columns); // 'JPEG 2000 (OpenJPEG)' -> 'JPEG 2000'
  const output = await codec.decode(encoded, format);
  const pixelCount = rows * columns;
  if (output.samples.length < pixelCount * output.samplesPerPixel) {
    throw new DicomInputError(`decoded frame ${frameIndex + 1} is shorter than ${columns}x${rows}`);
  }
  if (output.samplesPerPixel === 1) {
    return { pixels: toStoredValues(output.samples.subarray(0, pixelCount), format), rows, columns };
  }
  if (output.samplesPerPixel !== 3) {
    throw new DicomInputError(`unsupported: ${output.samplesPerPixel} samples per pixel`);
  }
  return { pixels: toStoredValues(luminance(output, pixelCount), format), rows, columns, luminanceFromColor: true };
}

/** Bytes the decoded frame takes at most (codec output at up to 4 bytes per sample, plus the stored copy). */
export function decodedFrameBytes(format: Pick<FrameLayout, 'rows' | 'columns' | 'samplesPerPixel' | 'bitsAllocated'>): number {
  const samples = format.rows * format.columns * Math.max(1, format.samplesPerPixel);
  const bytesPerSample = Math.max(1, Math.ceil(format.bitsAllocated / 8));
  return samples * bytesPerSample + format.rows * format.columns * 4;
}
