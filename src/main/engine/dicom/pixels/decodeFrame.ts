/**
 * decodeFrame: stored values of one frame of any supported transfer syntax,
 * one sample per pixel (colour is reduced to luminance and flagged).
 */
import type { DataSet, Element } from '../dicomParserLib';
import { DicomInputError } from '../errors';
import type { ImageHeader } from '../imageHeader';
import { isBigEndianTransferSyntax, isNativeTransferSyntax } from '../transferSyntax';
import { assertDecodableTransferSyntax, frameStartTest } from './codecs';
import { decodeEncapsulated, type EncodedFrameFormat } from './decodeEncapsulated';
import { readEncapsulatedFrame } from './encapsulated';
import { decodeNativeFrame } from './native';
import type { DecodedFrame } from './types';

export async function decodeFrame(header: ImageHeader, ds: DataSet, frameIndex: number): Promise<DecodedFrame> {
  const prepared = prepareFrame(header, ds, frameIndex);
  if (prepared.kind === 'decoded') return prepared.frame;
  return decodeEncapsulated(prepared.transferSyntaxUid, prepared.encoded, prepared.format, frameIndex);
}

/**
 * The part of decoding that needs the parsed file: native frames are just sliced out (a copy, done
 * here), compressed ones are located and handed back as their codestream, to be decoded inline
 * (decodeFrame) or in the decode worker pool (buildVolume) by decodeEncapsulated.
 */
export type PreparedFrame =
  | { kind: 'decoded'; frame: DecodedFrame }
  | { kind: 'encoded'; transferSyntaxUid: string; encoded: Uint8Array; format: EncodedFrameFormat };

export function prepareFrame(header: ImageHeader, ds: DataSet, frameIndex: number): PreparedFrame {
  const pixelData = pixelDataElement(ds);
  if (!pixelData) throw new DicomInputError('no pixel data');
  const { rows, columns, numberOfFrames, transferSyntaxUid: ts } = header;
  if (rows <= 0 || columns <= 0) throw new DicomInputError('no image size: Rows or Columns missing or zero');
  if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex >= numberOfFrames) {
    throw new RangeError(`frame index ${frameIndex} out of range 0..${numberOfFrames - 1}`);
  }
  if (isNativeTransferSyntax(ts)) {
    return { kind: 'decoded', frame: decodeNativeFrame(ds, pixelData, header, frameIndex, isBigEndianTransferSyntax(ts)) };
  }
  assertDecodableTransferSyntax(ts);
  const encoded = readEncapsulatedFrame(ds, pixelData, frameIndex, numberOfFrames, frameStartTest(ts));
  return { kind: 'encoded', transferSyntaxUid: ts, encoded, format: formatOf(header) };
}

/** Pixel Data, or Float / Double Float Pixel Data for parametric maps. */
function pixelDataElement(ds: DataSet): Element | undefined {
  return ds.elements.x7fe00010 ?? ds.elements.x7fe00008 ?? ds.elements.x7fe00009;
}

function formatOf(header: ImageHeader): EncodedFrameFormat {
  return {
    highBit: header.highBit,
    rows: header.rows,
    columns: header.columns,
    bitsAllocated: header.bitsAllocated,
    bitsStored: header.bitsStored,
    pixelRepresentation: header.pixelRepresentation,
    samplesPerPixel: header.samplesPerPixel,
    photometricInterpretation: header.photometricInterpretation,
  };
}
