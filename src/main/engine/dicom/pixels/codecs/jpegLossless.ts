/** JPEG Lossless (Process 14, any predictor) through jpeg-lossless-decoder-js (pure JS). */
import { Decoder } from 'jpeg-lossless-decoder-js';
import { DicomInputError, describeThrown } from '../../errors';
import type { Codec, CodecOutput, FrameLayout } from '../types';
import { colorOf } from './wasmDecoder';

export const jpegLosslessCodec: Codec = {
  name: 'JPEG Lossless',
  async decode(encoded: Uint8Array, layout: FrameLayout): Promise<CodecOutput> {
    const decoder = new Decoder();
    let samples: Uint8Array | Uint16Array | null;
    try {
      // The decoder reads from an ArrayBuffer; hand it its own copy (a Buffer view would expose the whole pool).
      const copy = new Uint8Array(encoded.length);
      copy.set(encoded);
      samples = decoder.decode(copy.buffer, 0, copy.length);
    } catch (thrown) {
      throw new DicomInputError('corrupt or unsupported JPEG Lossless data', describeThrown(thrown));
    }
    if (!samples) throw new DicomInputError('corrupt JPEG Lossless data (decoder returned nothing)');
    if (decoder.xDim !== layout.columns || decoder.yDim !== layout.rows) {
      throw new DicomInputError(
        `JPEG Lossless frame is ${decoder.xDim}x${decoder.yDim} but the header says ${layout.columns}x${layout.rows}`,
      );
    }
    const components = decoder.numComp;
    if (components === 3 && samples instanceof Uint16Array) {
      throw new DicomInputError('unsupported: colour JPEG Lossless with more than 8 bits per sample');
    }
    return { samples, samplesPerPixel: components, planar: false, color: colorOf(layout, components) };
  },
};
