/** JPEG 2000 (lossless and lossy) through the OpenJPEG WASM build; it undoes the RCT/ICT colour transform itself. */
import type { Codec, CodecOutput, FrameLayout } from '../types';
import { decodeWithWasm, samplesFromBytes, type EmbindDecoder } from './wasmDecoder';
import { lazyWasmModule } from './wasmModule';

interface OpenJpegModule {
  J2KDecoder: new () => EmbindDecoder;
}

const openjpeg = lazyWasmModule<OpenJpegModule>(
  '@cornerstonejs/codec-openjpeg/decodewasmjs',
  '@cornerstonejs/codec-openjpeg/decodewasm',
);

export const openjpegCodec: Codec = {
  name: 'JPEG 2000 (OpenJPEG)',
  async decode(encoded: Uint8Array, layout: FrameLayout): Promise<CodecOutput> {
    const { info, bytes } = await decodeWithWasm('JPEG 2000', openjpeg, (m) => new m.J2KDecoder(), encoded, layout, () => undefined);
    return {
      samples: samplesFromBytes(bytes, info.bitsPerSample, info.isSigned === true),
      samplesPerPixel: info.componentCount,
      planar: false,
      color: info.componentCount === 1 ? 'none' : 'rgb',
    };
  },
};

/** J2K codestream (SOC + SIZ) or JP2 file signature box. */
export function startsJpeg2000(bytes: Uint8Array): boolean {
  const codestream = bytes[0] === 0xff && bytes[1] === 0x4f && bytes[2] === 0xff && bytes[3] === 0x51;
  const jp2 = bytes[4] === 0x6a && bytes[5] === 0x50 && bytes[6] === 0x20 && bytes[7] === 0x20;
  return codestream || jp2;
}
