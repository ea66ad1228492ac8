/**
 * Read the start-of-frame marker of a JPEG-family codestream, so the decoder is
 * chosen by what the bytes are (baseline/extended DCT, lossless, JPEG-LS) and a
 * 12-bit DCT stream can be refused with a clear message before any codec runs.
 */

export type JpegProcess = 'dct' | 'lossless' | 'jpeg-ls' | 'unsupported';

export interface JpegFrameHeader {
  process: JpegProcess;
  marker: number;
  precision: number;
  /** Lines, samples per line and components as the SOF declares them (0 when the stream ends first). */
  height: number;
  width: number;
  components: number;
}

/** First SOFn of the stream; undefined when there is no SOI or no SOF before the data ends. */
export function readJpegFrameHeader(bytes: Uint8Array): JpegFrameHeader | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    if (isStartOfFrame(marker)) {
      const byte = (i: number) => (at + i < bytes.length ? bytes[at + i] : 0);
      return {
        process: processOf(marker),
        marker,
        precision: byte(4),
        height: (byte(5) << 8) | byte(6),
        width: (byte(7) << 8) | byte(8),
        components: byte(9),
      };
    }
    at += 2 + length;
  }
  return undefined;
}

export function startsWithJpegSoi(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xd8;
}

/** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), plus JPEG-LS SOF55 (F7). */
function isStartOfFrame(marker: number): boolean {
  return (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
}

function processOf(marker: number): JpegProcess {
  if (marker === 0xf7) return 'jpeg-ls';
  if (marker === 0xc3) return 'lossless';
  if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) return 'dct';
  return 'unsupported'; // arithmetic coding and hierarchical processes
}
