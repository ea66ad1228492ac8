/** Shapes shared by the pixel decoding pipeline. */

export type PixelArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array;

export interface DecodedFrame {
  /** Stored values (before the modality LUT), one sample per pixel, row-major. */
  pixels: PixelArray;
  rows: number;
  columns: number;
  /** Set when a colour frame (RGB or YBR) was reduced to luminance Y = 0.299R + 0.587G + 0.114B. */
  luminanceFromColor?: boolean;
}

/** What a codec needs to know about the frame it decodes. */
export interface FrameLayout {
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: 0 | 1;
  samplesPerPixel: number;
  photometricInterpretation: string;
}

/** Raw codec output: unsigned or signed samples at the codec's precision. */
export interface CodecOutput {
  samples: Uint8Array | Uint8ClampedArray | Uint16Array | Int16Array | Uint32Array | Int8Array;
  samplesPerPixel: number;
  /** Colour planes stored one after another (RRR..GGG..BBB) rather than per pixel (RGBRGB..). */
  planar: boolean;
  /** Colour meaning of 3-sample output: 'ybr' means the first sample already is luminance. */
  color: 'rgb' | 'ybr' | 'none';
}

/** One decoder for the encapsulated frames of a family of transfer syntaxes. */
export interface Codec {
  readonly name: string;
  decode(encoded: Uint8Array, layout: FrameLayout): Promise<CodecOutput>;
}
