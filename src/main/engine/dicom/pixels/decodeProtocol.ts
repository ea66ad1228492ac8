/** Messages between the decode pool (engine thread) and its workers (decodeWorker.ts). */
import type { EncodedFrameFormat } from './decodeEncapsulated';
import type { PixelArray } from './types';

export interface DecodeRequest {
  id: number;
  transferSyntaxUid: string;
  /** The frame's codestream, in its own ArrayBuffer: it is transferred, not copied. */
  encoded: Uint8Array;
  format: EncodedFrameFormat;
  frameIndex: number;
}

export type DecodeResponse =
  | { id: number; ok: true; pixels: PixelArray; rows: number; columns: number; luminanceFromColor?: boolean }
  /** `input`: the data could not be decoded (DicomInputError); otherwise a fault of the decoder itself. */
  | { id: number; ok: false; input: boolean; reason: string; detail?: string };
