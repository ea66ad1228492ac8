// Minimal .npy (NumPy format 1.0) writer for the training-data export: little-endian float32,
// int32, uint8 arrays in C order. numpy.load reads what this writes.
import { writeFileSync } from 'node:fs';

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
