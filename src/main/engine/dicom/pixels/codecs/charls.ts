/** JPEG-LS lossless and near-lossless through the CharLS WASM build. */
import type { Codec, CodecOutput, FrameLayout } from '../types';
import { colorOf, decodeWithWasm, samplesFromBytes, type EmbindDecoder } from './wasmDecoder';
import { lazyWasmModule } from './wasmModule';

interface JpegLsDecoder extends EmbindDecoder {
  /** 0: planes one after another, 1: line interleaved, 2: sample interleaved. */
  getInterleaveMode(): number;
}

interface CharlsModule {
  JpegLSDecoder: new () => JpegLsDecoder;
}

const charls = lazyWasmModule<CharlsModule>('@cornerstonejs/codec-charls/decodewasmjs', '@cornerstonejs/codec-charls/decodewasm');

export const charlsCodec: Codec = {
  name: 'JPEG-LS (CharLS)',
  async decode(encoded: Uint8Array, layout: FrameLayout): Promise<CodecOutput> {
    const { info, bytes, extra: interleaveMode } = await decodeWithWasm(
      'JPEG-LS',
      charls,
      (m) => new m.JpegLSDecoder(),
      encoded,
      layout,
      (d) => d.getInterleaveMode(),
    );
    return {
      samples: samplesFromBytes(bytes, info.bitsPerSample, false),
      samplesPerPixel: info.componentCount,
      planar: info.componentCount > 1 && interleaveMode === 0,
      color: colorOf(layout, info.componentCount),
    };
  },
};
