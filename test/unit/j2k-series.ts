// Writes a CT series whose slices are JPEG 2000 (lossless) codestreams made by OpenJPEG's own
// encoder (@cornerstonejs/codec-openjpeg/wasmjs, the encoding half of the library we decode
// with), next to the raw stored values it encoded: the reference a decoder must give back.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { el, imagePixelModule, part10, type Elem } from './dicom-test-helpers';

const require = createRequire(import.meta.url);
export const J2K_LOSSLESS = '1.2.840.10008.1.2.4.90';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';

interface J2KEncoder {
  getDecodedBuffer(info: {
    width: number;
    height: number;
    bitsPerSample: number;
    componentCount: number;
    isSigned: boolean;
    isUsingColorTransform: boolean;
  }): Uint8Array;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}

let encoderModule: Promise<{ J2KEncoder: new () => J2KEncoder }> | undefined;
function openjpegEncoder(): Promise<{ J2KEncoder: new () => J2KEncoder }> {
  encoderModule ??= (() => {
    const factory = require('@cornerstonejs/codec-openjpeg/wasmjs') as (o: object) => Promise<{ J2KEncoder: new () => J2KEncoder }>;
    const wasm = require.resolve('@cornerstonejs/codec-openjpeg/wasm');
    return factory({ locateFile: () => wasm, print: () => {}, printErr: () => {} });
  })();
  return encoderModule;
}

export async function encodeJ2K(pixels: Int16Array, rows: number, columns: number): Promise<Buffer> {
  const m = await openjpegEncoder();
  const encoder = new m.J2KEncoder();
  try {
    const input = encoder.getDecodedBuffer({
      width: columns,
      height: rows,
      bitsPerSample: 16,
      componentCount: 1,
      isSigned: true,
      isUsingColorTransform: false,
    });
    input.set(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength));
    encoder.encode();
    return Buffer.from(encoder.getEncodedBuffer());
  } finally {
    encoder.delete();
  }
}

/** A seeded CT-like slice in stored values (HU + 1024): body ellipse, a bright disc, noise. */
export function phantomSlice(rows: number, columns: number, z: number, seed = 1): Int16Array {
  let state = (seed * 2654435761 + z * 40503) >>> 0;
  const noise = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return (state >>> 16) % 41 - 20;
  };
  const out = new Int16Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const x = (c - columns / 2) / (columns * 0.42);
      const y = (r - rows / 2) / (rows * 0.32);
      const inBody = x * x + y * y < 1;
      const dx = c - columns * (0.4 + 0.01 * z);
      const dy = r - rows * 0.45;
      const disc = dx * dx + dy * dy < (columns * 0.05) ** 2;
      const hu = disc ? 700 : inBody ? 40 : -1000;
      out[r * columns + c] = hu + 1024 + noise();
    }
  }
  return out;
}

function encapsulated(frame: Buffer): Buffer {
  const item = (bytes: Buffer) => {
    const padded = bytes.length % 2 ? Buffer.concat([bytes, Buffer.alloc(1)]) : bytes;
    const head = Buffer.alloc(8);
    head.writeUInt16LE(0xfffe, 0);
    head.writeUInt16LE(0xe000, 2);
    head.writeUInt32LE(padded.length, 4);
    return Buffer.concat([head, padded]);
  };
  const head = Buffer.alloc(12);
  head.writeUInt16LE(0x7fe0, 0);
  head.writeUInt16LE(0x0010, 2);
  head.write('OB', 4, 'latin1');
  head.writeUInt32LE(0xffffffff, 8);
  const end = Buffer.alloc(8);
  end.writeUInt16LE(0xfffe, 0);
  end.writeUInt16LE(0xe0dd, 2);
  return Buffer.concat([head, item(Buffer.alloc(0)), item(frame), end]);
}

export interface WrittenSeries {
  dir: string;
  files: string[];
  /** Stored values of each slice, in slice (z) order. */
  stored: Int16Array[];
}

/**
 * `slices` CT images of rows x columns, in `dir`, as JPEG 2000 lossless or (same values)
 * uncompressed. Files are written in reverse z order so the volume builder must sort them.
 */
export async function writeCtSeries(
  dir: string,
  opts: { rows: number; columns: number; slices: number; transferSyntax: string; seriesUid?: string },
): Promise<WrittenSeries> {
  mkdirSync(dir, { recursive: true });
  const { rows, columns, slices, transferSyntax } = opts;
  const seriesUid = opts.seriesUid ?? '1.2.826.0.1.3680043.9.7.2.1';
  const files: string[] = [];
  const stored: Int16Array[] = [];
  for (let z = 0; z < slices; z++) {
    const pixels = phantomSlice(rows, columns, z);
    stored.push(pixels);
    const common: Elem[] = [
      el(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'),
      el(0x00080018, 'UI', `${seriesUid}.${z + 1}`),
      el(0x00080060, 'CS', 'CT'),
      el(0x00100020, 'LO', 'J2K-TEST'),
      el(0x0020000d, 'UI', '1.2.826.0.1.3680043.9.7.2'),
      el(0x0020000e, 'UI', seriesUid),
      el(0x00200013, 'IS', String(z + 1)),
      el(0x00200032, 'DS', `-128\\-128\\${(z * 2.5).toFixed(1)}`),
      el(0x00200037, 'DS', '1\\0\\0\\0\\1\\0'),
      el(0x00200052, 'UI', '1.2.826.0.1.3680043.9.7.2.9'),
      el(0x00280030, 'DS', '0.5\\0.5'),
      el(0x00281052, 'DS', '-1024'),
      el(0x00281053, 'DS', '1'),
      ...imagePixelModule({ rows, columns, bitsAllocated: 16, bitsStored: 16, signed: true }),
    ];
    const file = path.join(dir, `slice-${String(slices - z).padStart(3, '0')}.dcm`);
    if (transferSyntax === J2K_LOSSLESS) {
      const body = part10(common, transferSyntax);
      writeFileSync(file, Buffer.concat([body, encapsulated(await encodeJ2K(pixels, rows, columns))]));
    } else {
      writeFileSync(file, part10([...common, el(0x7fe00010, 'OW', Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength))], transferSyntax));
    }
    files.push(file);
  }
  return { dir, files, stored };
}
