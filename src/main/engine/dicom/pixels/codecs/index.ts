/**
 * Which codec decodes an encapsulated frame. JPEG-family streams are routed by
 * their SOF marker rather than the transfer syntax alone, because mislabelled
 * files (lossless data under a baseline UID) are common in the wild.
 */
import { DicomInputError } from '../../errors';
import { TS, transferSyntaxName, unsupportedTransferSyntaxReason } from '../../transferSyntax';
import type { FrameStartTest } from '../encapsulated';
import type { Codec } from '../types';
import { charlsCodec } from './charls';
import { jpegLosslessCodec } from './jpegLossless';
import { readJpegFrameHeader, startsWithJpegSoi } from './jpegMarkers';
import { libjpegTurboCodec } from './libjpegTurbo';
import { openjpegCodec, startsJpeg2000 } from './openjpeg';
import { rleCodec } from './rle';

const JPEG_FAMILY = new Set<string>([
  TS.jpegBaseline,
  TS.jpegExtended,
  TS.jpegLossless,
  TS.jpegLosslessSv1,
  TS.jpegLsLossless,
  TS.jpegLsNearLossless,
]);
const JPEG_2000 = new Set<string>([TS.jpeg2000Lossless, TS.jpeg2000]);

export function unsupportedTransferSyntax(uid: string): DicomInputError {
  return new DicomInputError(unsupportedTransferSyntaxReason(uid));
}

/** Fails early, before any pixel bytes are read, for transfer syntaxes with no decoder. */
export function assertDecodableTransferSyntax(uid: string): void {
  if (!JPEG_FAMILY.has(uid) && !JPEG_2000.has(uid) && uid !== TS.rleLossless) throw unsupportedTransferSyntax(uid);
}

/** How to recognise the first fragment of a frame when there is no offset table. */
export function frameStartTest(uid: string): FrameStartTest {
  if (JPEG_FAMILY.has(uid)) return startsWithJpegSoi;
  if (JPEG_2000.has(uid)) return startsJpeg2000;
  return () => false; // RLE has no signature: frames must be one fragment each or have an offset table
}

export function codecFor(uid: string, frame: Uint8Array): Codec {
  if (uid === TS.rleLossless) return rleCodec;
  if (JPEG_2000.has(uid)) return openjpegCodec;
  if (!JPEG_FAMILY.has(uid)) throw unsupportedTransferSyntax(uid);

  const sof = readJpegFrameHeader(frame);
  if (!sof) throw new DicomInputError(`corrupt ${transferSyntaxName(uid)} data: no JPEG start-of-frame marker`);
  switch (sof.process) {
    case 'jpeg-ls':
      return charlsCodec;
    case 'lossless':
      return jpegLosslessCodec;
    case 'dct':
      if (sof.precision > 8) {
        throw new DicomInputError(
          `unsupported: ${sof.precision}-bit JPEG Extended (DCT) has no decoder available (${transferSyntaxName(uid)}, ${uid})`,
        );
      }
      return libjpegTurboCodec;
    default:
      throw new DicomInputError(
        `unsupported JPEG process (SOF marker 0x${sof.marker.toString(16).toUpperCase()}: arithmetic or hierarchical coding)`,
      );
  }
}
