// Minimal .npy (NumPy format 1.0) writer for the training-data export: little-endian float32,
// int32, uint8 arrays in C order. numpy.load reads what this writes.
import { readFileSync, writeFileSync } from 'node:fs';

type NpyArray = Float32Array | Int32Array | Uint8Array;

function descr(a: NpyArray): string {
  if (a instanceof Float32Array) return '<f4';
  if (a instanceof Int32Array) return '<i4';
  return '|u1';
}

/** The bytes of a .npy file holding `data` with `shape` (the product of shape must be data.length). */
export function encodeNpy(data: NpyArray, shape: number[]): Buffer {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`npy: shape [${shape}] holds ${count} values, data has ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr(data)}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // magic(6) + version(2) + header length(2) + header, padded with spaces to a multiple of 64, ending in \n.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  // Typed arrays are little-endian on every platform Node runs on that we support (x64, arm64).
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
}

export function writeNpy(file: string, data: NpyArray, shape: number[]): void {
  writeFileSync(file, encodeNpy(data, shape));
}

/** Reads a little-endian float32/int32/uint8 C-order .npy file (what writeNpy and numpy.save write). */
export function readNpy(file: string): { data: Float32Array | Int32Array | Uint8Array; shape: number[] } {
  const buf = readFileSync(file);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${file}: Fortran order is not supported`);
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const body = buf.subarray(start + headerLen);
  const copy = new Uint8Array(body).buffer; // aligned copy
  if (descr === '<f4') return { data: new Float32Array(copy), shape };
  if (descr === '<i4') return { data: new Int32Array(copy), shape };
  if (descr === '|u1') return { data: new Uint8Array(copy), shape };
  throw new Error(`${file}: dtype ${descr} is not supported`);
}
