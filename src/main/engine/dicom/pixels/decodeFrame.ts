/**
 * decodeFrame: stored values of one frame of any supported transfer syntax,
 * one sample per pixel (colour is reduced to luminance and flagged).
 */
import type { DataSet, Element } from '../dicomParserLib';
import { DicomInputError } from '../errors';
import type { ImageHeader } from '../imageHeader';
import { isBigEndianTransferSyntax, isNativeTransferSyntax } from '../transferSyntax';
import { assertDecodableTransferSyntax, codecFor, frameStartTest } from './codecs';
import { readEncapsulatedFrame } from './encapsulated';
import { decodeNativeFrame } from './native';
import { luminance, toStoredValues } from './storedValues';
import type { DecodedFrame, FrameLayout } from './types';

export async function decodeFrame(header: ImageHeader, ds: DataSet, frameIndex: number): Promise<DecodedFrame> {
  const pixelData = pixelDataElement(ds);
  if (!pixelData) throw new DicomInputError('no pixel data');
  const { rows, columns, numberOfFrames, transferSyntaxUid: ts } = header;
  if (rows <= 0 || columns <= 0) throw new DicomInputError('no image size: Rows or Columns missing or zero');
  if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex >= numberOfFrames) {
    throw new RangeError(`frame index ${frameIndex} out of range 0..${numberOfFrames - 1}`);
  }
  if (isNativeTransferSyntax(ts)) {
    return decodeNativeFrame(ds, pixelData, header, frameIndex, isBigEndianTransferSyntax(ts));
  }

  assertDecodableTransferSyntax(ts);
  const encoded = readEncapsulatedFrame(ds, pixelData, frameIndex, numberOfFrames, frameStartTest(ts));
  const output = await codecFor(ts, encoded).decode(encoded, layoutOf(header));
  const pixelCount = rows * columns;
  if (output.samples.length < pixelCount * output.samplesPerPixel) {
    throw new DicomInputError(`decoded frame ${frameIndex + 1} is shorter than ${columns}x${rows}`);
  }
  if (output.samplesPerPixel === 1) {
    return { pixels: toStoredValues(output.samples.subarray(0, pixelCount), header), rows, columns };
  }
  if (output.samplesPerPixel !== 3) {
    throw new DicomInputError(`unsupported: ${output.samplesPerPixel} samples per pixel`);
  }
  return { pixels: toStoredValues(luminance(output, pixelCount), header), rows, columns, luminanceFromColor: true };
}

/** Pixel Data, or Float / Double Float Pixel Data for parametric maps. */
function pixelDataElement(ds: DataSet): Element | undefined {
  return ds.elements.x7fe00010 ?? ds.elements.x7fe00008 ?? ds.elements.x7fe00009;
}

function layoutOf(header: ImageHeader): FrameLayout {
  return {
    rows: header.rows,
    columns: header.columns,
    bitsAllocated: header.bitsAllocated,
    bitsStored: header.bitsStored,
    pixelRepresentation: header.pixelRepresentation,
    samplesPerPixel: header.samplesPerPixel,
    photometricInterpretation: header.photometricInterpretation,
  };
}
