/**
 * DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of up to 15 segment
 * offsets, one PackBits-coded segment per byte plane (most significant byte
 * first) of each sample.
 */
import { DicomInputError } from '../../errors';
import type { Codec, CodecOutput, FrameLayout } from '../types';

export const rleCodec: Codec = {
  name: 'RLE Lossless',
  async decode(encoded: Uint8Array, layout: FrameLayout): Promise<CodecOutput> {
    return decodeRle(encoded, layout);
  },
};

export function decodeRle(encoded: Uint8Array, layout: FrameLayout): CodecOutput {
  const pixelCount = layout.rows * layout.columns;
  const bytesPerSample = Math.ceil(layout.bitsAllocated / 8);
  const planes = bytesPerSample * layout.samplesPerPixel;
  if (encoded.length < 64) throw new DicomInputError('corrupt RLE data: frame shorter than its 64-byte header');
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.length);
  const segmentCount = view.getUint32(0, true);
  if (segmentCount !== planes) {
    throw new DicomInputError(`corrupt RLE data: ${segmentCount} segments, expected ${planes} for this image`);
  }
  const offsets = Array.from({ length: segmentCount }, (_, i) => view.getUint32(4 + 4 * i, true));
  const samples = bytesPerSample === 1 ? new Uint8Array(pixelCount * layout.samplesPerPixel)
    : bytesPerSample === 2 ? new Uint16Array(pixelCount * layout.samplesPerPixel)
    : new Uint32Array(pixelCount * layout.samplesPerPixel);
  const plane = new Uint8Array(pixelCount);

  for (let segment = 0; segment < segmentCount; segment++) {
    const end = segment + 1 < segmentCount ? offsets[segment + 1] : encoded.length;
    unpackBits(encoded, offsets[segment], end, plane, segment);
    const sample = Math.floor(segment / bytesPerSample);
    const shift = 8 * (bytesPerSample - 1 - (segment % bytesPerSample));
    const base = sample * pixelCount; // output is planar: one sample plane after another
    const factor = 2 ** shift;
    for (let i = 0; i < pixelCount; i++) samples[base + i] += plane[i] * factor;
  }
  const color = layout.samplesPerPixel === 1 ? 'none' : layout.photometricInterpretation.startsWith('YBR') ? 'ybr' : 'rgb';
  return { samples, samplesPerPixel: layout.samplesPerPixel, planar: true, color };
}

/** PackBits: n in 0..127 copies n+1 literal bytes, n in -127..-1 repeats the next byte 1-n times, -128 is a no-op. */
function unpackBits(src: Uint8Array, start: number, end: number, out: Uint8Array, segment: number): void {
  if (start < 64 || start > end || end > src.length) {
    throw new DicomInputError(`corrupt RLE data: segment ${segment + 1} offset out of range`);
  }
  let inPos = start;
  let outPos = 0;
  while (outPos < out.length && inPos < end) {
    const n = (src[inPos++] << 24) >> 24;
    if (n >= 0) {
      const count = Math.min(n + 1, out.length - outPos, end - inPos);
      out.set(src.subarray(inPos, inPos + count), outPos);
      inPos += n + 1;
      outPos += count;
    } else if (n !== -128) {
      const count = Math.min(1 - n, out.length - outPos);
      out.fill(src[inPos++], outPos, outPos + count);
      outPos += count;
    }
  }
  if (outPos < out.length) {
    throw new DicomInputError(`corrupt RLE data: segment ${segment + 1} decodes to ${outPos} of ${out.length} bytes`);
  }
}
