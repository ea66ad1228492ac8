/**
 * The decode round-trip shared by the Cornerstone codecs (libjpeg-turbo, CharLS,
 * OpenJPEG): copy the codestream into WASM memory, decode, copy the pixels out,
 * free the decoder, and word failures as DicomInputError.
 */
import { DicomInputError, describeThrown } from '../../errors';
import type { FrameLayout } from '../types';
import { isWasmCppException } from './wasmModule';

export interface WasmFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

/** The embind surface all three decoders share. */
export interface EmbindDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): WasmFrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

export interface WasmDecodeResult<Extra> {
  info: WasmFrameInfo;
  /** Little-endian samples, copied out of WASM memory. */
  bytes: Uint8Array;
  extra: Extra;
}

export interface LazyModule<M> {
  get(): Promise<M>;
  reset(): void;
}

export async function decodeWithWasm<M, D extends EmbindDecoder, Extra>(
  codecName: string,
  lazy: LazyModule<M>,
  create: (module: M) => D,
  encoded: Uint8Array,
  layout: FrameLayout,
  inspect: (decoder: D) => Extra,
): Promise<WasmDecodeResult<Extra>> {
  const module = await lazy.get();
  const decoder = create(module);
  let info: WasmFrameInfo;
  let bytes: Uint8Array;
  let extra: Extra;
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    info = decoder.getFrameInfo();
    extra = inspect(decoder);
    bytes = new Uint8Array(decoder.getDecodedBuffer());
  } catch (thrown) {
    if (!isWasmCppException(thrown)) lazy.reset(); // an abort leaves the instance unusable
    const detail = isWasmCppException(thrown) ? cppExceptionMessage(module, thrown) : describeThrown(thrown);
    throw new DicomInputError(`corrupt or unsupported ${codecName} data`, detail);
  } finally {
    try {
      decoder.delete();
    } catch {
      // the instance may already be gone after an abort
    }
  }
  if (info.width === 0 || info.height === 0 || bytes.length === 0) {
    throw new DicomInputError(`corrupt or unsupported ${codecName} data (the decoder produced no image)`);
  }
  if (info.width !== layout.columns || info.height !== layout.rows) {
    throw new DicomInputError(
      `${codecName} frame is ${info.width}x${info.height} but the header says ${layout.columns}x${layout.rows}`,
    );
  }
  return { info, bytes, extra };
}

/** View little-endian decoded bytes as samples of the codec's precision. */
export function samplesFromBytes(bytes: Uint8Array, bitsPerSample: number, signed: boolean): Uint8Array | Int8Array | Uint16Array | Int16Array {
  if (bitsPerSample <= 8) return signed ? new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length) : bytes;
  const count = bytes.length >> 1;
  return signed ? new Int16Array(bytes.buffer, bytes.byteOffset, count) : new Uint16Array(bytes.buffer, bytes.byteOffset, count);
}

/** RGB vs YBR for colour codecs that return samples as encoded (no colour transform of their own). */
export function colorOf(layout: FrameLayout, components: number): 'rgb' | 'ybr' | 'none' {
  if (components === 1) return 'none';
  return layout.photometricInterpretation.startsWith('YBR') ? 'ybr' : 'rgb';
}

/** Text of a C++ exception when the build exports embind's getExceptionMessage (CharLS does). */
function cppExceptionMessage(module: unknown, pointer: number): string {
  const lookup = (module as { getExceptionMessage?: (p: number) => unknown }).getExceptionMessage;
  try {
    const message = lookup?.(pointer);
    if (typeof message === 'string') return message;
    if (Array.isArray(message)) return message.join(': ');
  } catch {
    // fall through to the bare pointer
  }
  return `C++ exception ${pointer}`;
}
