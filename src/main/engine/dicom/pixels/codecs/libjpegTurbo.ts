/** JPEG Baseline / 8-bit Extended (DCT) through the libjpeg-turbo WASM build, which outputs RGB for colour. */
import type { Codec, CodecOutput, FrameLayout } from '../types';
import { decodeWithWasm, type EmbindDecoder } from './wasmDecoder';
import { lazyWasmModule } from './wasmModule';

interface LibJpegTurboModule {
  JPEGDecoder: new () => EmbindDecoder;
}

const libjpegTurbo = lazyWasmModule<LibJpegTurboModule>(
  '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs',
  '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm',
);

export const libjpegTurboCodec: Codec = {
  name: 'JPEG (libjpeg-turbo)',
  async decode(encoded: Uint8Array, layout: FrameLayout): Promise<CodecOutput> {
    const { info, bytes } = await decodeWithWasm('JPEG', libjpegTurbo, (m) => new m.JPEGDecoder(), encoded, layout, () => undefined);
    return {
      samples: bytes,
      samplesPerPixel: info.componentCount,
      planar: false,
      color: info.componentCount === 1 ? 'none' : 'rgb',
    };
  },
};
