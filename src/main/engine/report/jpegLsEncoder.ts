// Lossless JPEG-LS encoding of one 16-bit grey frame with CharLS (the WASM build whose decoder the
// engine already uses to read JPEG-LS). A smooth saliency map quantized to 16 bits hardly deflates
// (its low byte looks like noise to LZ77: 157 MB of 210 MB for a 400-slice Grad-CAM) but predicts
// well (JPEG-LS: 45 MB), so the Parametric Map is stored in JPEG-LS Lossless.
import { lazyWasmModule } from '../dicom/pixels/codecs/wasmModule';

interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
}

interface JpegLsEncoder {
  getDecodedBuffer(info: FrameInfo): Uint8Array;
  setNearLossless(near: number): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}

interface CharlsEncoderModule {
  JpegLSEncoder: new () => JpegLsEncoder;
}

// The full build (encoder and decoder); the decode-only build the reader loads has no encoder.
const charls = lazyWasmModule<CharlsEncoderModule>('@cornerstonejs/codec-charls/wasmjs', '@cornerstonejs/codec-charls/wasm');

/** Encodes `pixels` (width x height, row by row) as a lossless JPEG-LS codestream (copied out of WASM memory). */
export async function encodeJpegLs16(pixels: Uint16Array, width: number, height: number): Promise<Uint8Array> {
  if (pixels.length !== width * height) throw new RangeError(`${pixels.length} pixels for a ${width}x${height} frame`);
  const module = await charls.get();
  const encoder = new module.JpegLSEncoder();
  try {
    const input = encoder.getDecodedBuffer({ width, height, bitsPerSample: 16, componentCount: 1 });
    input.set(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength));
    encoder.setNearLossless(0);
    encoder.encode();
    const encoded = encoder.getEncodedBuffer(); // a view of WASM memory (a Uint8ClampedArray): copied out
    return new Uint8Array(encoded.buffer.slice(encoded.byteOffset, encoded.byteOffset + encoded.byteLength));
  } finally {
    encoder.delete();
  }
}
