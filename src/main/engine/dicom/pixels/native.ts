/**
 * Native (uncompressed) pixel data: slice frame N out of the Pixel Data value,
 * fix byte order, unpack 1-bit data, reduce colour to luminance.
 */
import type { DataSet, Element } from '../dicomParserLib';
import { DicomInputError } from '../errors';
import type { ImageHeader } from '../imageHeader';
import { luminance, toStoredValues } from './storedValues';
import type { CodecOutput, DecodedFrame } from './types';

export function decodeNativeFrame(
  ds: DataSet,
  pixelData: Element,
  header: ImageHeader,
  frameIndex: number,
  bigEndian: boolean,
): DecodedFrame {
  const { rows, columns, samplesPerPixel, bitsAllocated } = header;
  const pixelCount = rows * columns;
  if (pixelData.tag === 'x7fe00008') return floatFrame(ds, pixelData, header, frameIndex, bigEndian);
  if (pixelData.tag === 'x7fe00009') throw new DicomInputError('Double Float Pixel Data (7FE0,0009) is not supported');

  if (bitsAllocated === 1) {
    const count = pixelCount * samplesPerPixel;
    return { pixels: unpackOneBit(frameSlice(ds, pixelData, frameIndex, count, 1), count, frameIndex), rows, columns };
  }
  if (bitsAllocated % 8 !== 0 || bitsAllocated > 32) {
    throw new DicomInputError(`unsupported Bits Allocated ${bitsAllocated} (expected 1, 8, 16 or 32)`);
  }
  const bytesPerSample = bitsAllocated / 8;
  // YBR_FULL_422 stores Y0 Y1 Cb Cr for each pair of pixels: two samples per pixel, not three.
  const subsampled = samplesPerPixel === 3 && header.photometricInterpretation === 'YBR_FULL_422';
  const samplesPerFrame = subsampled ? pixelCount * 2 : pixelCount * samplesPerPixel;
  const bytes = frameSlice(ds, pixelData, frameIndex, samplesPerFrame, bitsAllocated);
  const samples = samplesOf(bytes, bytesPerSample, bigEndian);

  if (samplesPerPixel === 1) return { pixels: toStoredValues(samples, header), rows, columns };
  if (samplesPerPixel !== 3) throw new DicomInputError(`unsupported Samples per Pixel ${samplesPerPixel}`);
  const y = subsampled
    ? Array.from({ length: pixelCount }, (_, i) => samples[(i >> 1) * 4 + (i & 1)])
    : luminance(colorOutput(samples, header), pixelCount);
  return { pixels: toStoredValues(y, header), rows, columns, luminanceFromColor: true };
}

function colorOutput(samples: CodecOutput['samples'], header: ImageHeader): CodecOutput {
  const ybr = header.photometricInterpretation.startsWith('YBR');
  return { samples, samplesPerPixel: 3, planar: header.planarConfiguration === 1, color: ybr ? 'ybr' : 'rgb' };
}

/**
 * Bytes of one frame. `bitsPerFrame` may not be a multiple of 8 for 1-bit data,
 * so the slice starts at the byte holding the frame's first bit.
 */
function frameSlice(ds: DataSet, pixelData: Element, frameIndex: number, unitsPerFrame: number, bitsPerUnit: number): Uint8Array {
  if (pixelData.encapsulatedPixelData || pixelData.hadUndefinedLength) {
    throw new DicomInputError('Pixel Data is encapsulated but the transfer syntax is uncompressed');
  }
  const bitsPerFrame = unitsPerFrame * bitsPerUnit;
  const startBit = frameIndex * bitsPerFrame;
  const start = Math.floor(startBit / 8);
  const end = Math.ceil((startBit + bitsPerFrame) / 8);
  const available = Math.min(pixelData.length, ds.byteArray.length - pixelData.dataOffset);
  if (end > available) {
    const truncated = pixelData.dataOffset + pixelData.length > ds.byteArray.length;
    throw new DicomInputError(
      truncated
        ? 'truncated: file ends inside element (7FE0,0010)'
        : `pixel data too short: frame ${frameIndex + 1} needs bytes ${start}-${end} but Pixel Data holds ${pixelData.length}`,
    );
  }
  return ds.byteArray.subarray(pixelData.dataOffset + start, pixelData.dataOffset + end);
}

/** Copy into an aligned buffer (Buffers from files may start at odd offsets) and swap big-endian words. */
function samplesOf(bytes: Uint8Array, bytesPerSample: number, bigEndian: boolean): Uint8Array | Uint16Array | Uint32Array {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  if (bigEndian && bytesPerSample > 1) swapBytes(copy, bytesPerSample);
  if (bytesPerSample === 1) return copy;
  if (bytesPerSample === 2) return new Uint16Array(copy.buffer);
  return new Uint32Array(copy.buffer);
}

function swapBytes(bytes: Uint8Array, width: number): void {
  for (let at = 0; at + width <= bytes.length; at += width) {
    for (let lo = at, hi = at + width - 1; lo < hi; lo++, hi--) {
      const t = bytes[lo];
      bytes[lo] = bytes[hi];
      bytes[hi] = t;
    }
  }
}

/** 1-bit data: the first pixel is bit 0 of the first byte; frames need not start on a byte boundary. */
function unpackOneBit(bytes: Uint8Array, count: number, frameIndex: number): Uint8Array {
  const firstBit = (frameIndex * count) % 8;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const bit = firstBit + i;
    out[i] = (bytes[bit >> 3] >> (bit & 7)) & 1;
  }
  return out;
}

function floatFrame(ds: DataSet, pixelData: Element, header: ImageHeader, frameIndex: number, bigEndian: boolean): DecodedFrame {
  const { rows, columns } = header;
  const bytes = frameSlice(ds, pixelData, frameIndex, rows * columns * header.samplesPerPixel, 32);
  const samples = samplesOf(bytes, 4, bigEndian) as Uint32Array;
  if (header.samplesPerPixel !== 1) throw new DicomInputError('colour Float Pixel Data is not supported');
  return { pixels: new Float32Array(samples.buffer, samples.byteOffset, samples.length), rows, columns };
}
