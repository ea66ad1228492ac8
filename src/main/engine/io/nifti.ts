// Minimal NIfTI-1 (single .nii, optionally gzipped) writer and reader for maps and masks on a
// study's voxel grid. NIfTI is RAS+ while DICOM patient space is LPS, so the x and y rows of the
// affine are negated; qform and sform both carry it so that nibabel, ITK and 3D Slicer agree.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import type { Geometry, Mat3, Vec3 } from '../../../shared/geometry';
import { writeFileAtomic } from './atomic';


export type NiftiData = Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

const HEADER_SIZE = 348;
const VOX_OFFSET = 352; // header + 4-byte extension flag

/** NIfTI datatype code and bits per voxel of each typed array. */
function datatypeOf(data: NiftiData): { code: number; bitpix: number } {
  if (data instanceof Uint8Array) return { code: 2, bitpix: 8 };
  if (data instanceof Int16Array) return { code: 4, bitpix: 16 };
  if (data instanceof Int32Array) return { code: 8, bitpix: 32 };
  if (data instanceof Float32Array) return { code: 16, bitpix: 32 };
  if (data instanceof Float64Array) return { code: 64, bitpix: 64 };
  if (data instanceof Int8Array) return { code: 256, bitpix: 8 };
  if (data instanceof Uint16Array) return { code: 512, bitpix: 16 };
  return { code: 768, bitpix: 32 }; // Uint32Array
}

function arrayFor(code: number, buf: ArrayBuffer, offset: number, count: number): NiftiData {
  switch (code) {
    case 2: return new Uint8Array(buf, offset, count);
    case 4: return new Int16Array(buf, offset, count);
    case 8: return new Int32Array(buf, offset, count);
    case 16: return new Float32Array(buf, offset, count);
    case 64: return new Float64Array(buf, offset, count);
    case 256: return new Int8Array(buf, offset, count);
    case 512: return new Uint16Array(buf, offset, count);
    case 768: return new Uint32Array(buf, offset, count);
    default: throw new Error(`unsupported NIfTI datatype ${code}`);
  }
}

/** 3x4 RAS affine (rows) of a geometry: voxel index -> RAS mm. */
export function rasAffine(g: Geometry): number[][] {
  const rows: number[][] = [];
  for (let r = 0; r < 3; r++) {
    const flip = r < 2 ? -1 : 1; // LPS -> RAS
    rows.push([
      flip * g.direction[r] * g.spacing[0],
      flip * g.direction[3 + r] * g.spacing[1],
      flip * g.direction[6 + r] * g.spacing[2],
      flip * g.origin[r],
    ]);
  }
  return rows;
}

/** Quaternion (b, c, d) and qfac of a rotation, as nifti1_io's nifti_mat44_to_quatern does it. */
function toQuaternion(affine: number[][], spacing: Vec3): { b: number; c: number; d: number; qfac: number } {
  const r = [0, 1, 2].map((row) => [0, 1, 2].map((col) => affine[row][col] / spacing[col]));
  const det =
    r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1]) -
    r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0]) +
    r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0]);
  let qfac = 1;
  if (det < 0) {
    qfac = -1;
    for (let i = 0; i < 3; i++) r[i][2] = -r[i][2];
  }
  let a = r[0][0] + r[1][1] + r[2][2] + 1;
  let b: number, c: number, d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (r[2][1] - r[1][2])) / a;
    c = (0.25 * (r[0][2] - r[2][0])) / a;
    d = (0.25 * (r[1][0] - r[0][1])) / a;
  } else {
    const xd = 1 + r[0][0] - (r[1][1] + r[2][2]);
    const yd = 1 + r[1][1] - (r[0][0] + r[2][2]);
    const zd = 1 + r[2][2] - (r[0][0] + r[1][1]);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (r[0][1] + r[1][0])) / b;
      d = (0.25 * (r[0][2] + r[2][0])) / b;
      a = (0.25 * (r[2][1] - r[1][2])) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (r[0][1] + r[1][0])) / c;
      d = (0.25 * (r[1][2] + r[2][1])) / c;
      a = (0.25 * (r[0][2] - r[2][0])) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (r[0][2] + r[2][0])) / d;
      c = (0.25 * (r[1][2] + r[2][1])) / d;
      a = (0.25 * (r[1][0] - r[0][1])) / d;
    }
    if (a < 0) {
      b = -b;
      c = -c;
      d = -d;
    }
  }
  return { b, c, d, qfac };
}

export function niftiBuffer(args: { geometry: Geometry; data: NiftiData; description?: string }): Buffer {
  const { data } = args;
  return Buffer.concat([niftiHeader(args), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

/** The header and its (empty) extension flag: the VOX_OFFSET bytes before the data. */
function niftiHeader(args: { geometry: Geometry; data: NiftiData; description?: string }): Buffer {
  const { geometry: g, data } = args;
  const [nx, ny, nz] = g.dimensions;
  if (data.length !== nx * ny * nz) throw new Error(`NIfTI data has ${data.length} voxels, geometry ${nx}x${ny}x${nz}`);
  const { code, bitpix } = datatypeOf(data);
  const out = Buffer.alloc(VOX_OFFSET);
  out.writeInt32LE(HEADER_SIZE, 0);
  out.write('r', 38, 'latin1'); // "regular", as every writer sets it
  const dims = [3, nx, ny, nz, 1, 1, 1, 1];
  dims.forEach((v, i) => out.writeInt16LE(v, 40 + 2 * i));
  out.writeInt16LE(code, 70);
  out.writeInt16LE(bitpix, 72);
  const affine = rasAffine(g);
  const q = toQuaternion(affine, g.spacing);
  const pixdim = [q.qfac, g.spacing[0], g.spacing[1], g.spacing[2], 0, 0, 0, 0];
  pixdim.forEach((v, i) => out.writeFloatLE(v, 76 + 4 * i));
  out.writeFloatLE(VOX_OFFSET, 108);
  out.writeFloatLE(1, 112); // scl_slope: stored values are the values
  out.writeFloatLE(0, 116);
  out.writeUInt8(2, 123); // xyzt_units: mm
  out.write((args.description ?? '').slice(0, 79), 148, 'latin1');
  out.writeInt16LE(1, 252); // qform_code: scanner anatomical
  out.writeInt16LE(1, 254); // sform_code: scanner anatomical
  out.writeFloatLE(q.b, 256);
  out.writeFloatLE(q.c, 260);
  out.writeFloatLE(q.d, 264);
  affine.forEach((row, r) => {
    out.writeFloatLE(row[3], 268 + 4 * r); // qoffset
    row.forEach((v, c) => out.writeFloatLE(v, 280 + 16 * r + 4 * c)); // srow_x/y/z
  });
  out.write('n+1\0', 344, 'latin1');
  // 348..351: extension flag 0 (no extensions); the data follow, little-endian like the header.
  return out;
}

/** Writes .nii, or gzipped .nii.gz when the path says so (level 1: float maps compress little more at 6, and 3x slower). */
export async function writeNifti(file: string, args: { geometry: Geometry; data: NiftiData; description?: string }): Promise<void> {
  if (!file.endsWith('.gz')) return writeFileAtomic(file, niftiBuffer(args));
  // Header and data go through one gzip stream: no study-sized copy of the map just to prepend 352
  // bytes. The caller's array is read while this promise is pending: keep it unchanged until then.
  const { data } = args;
  const zip = createGzip({ level: 1 });
  const parts: Buffer[] = [];
  zip.on('data', (b: Buffer) => parts.push(b));
  const done = new Promise<void>((resolve, reject) => {
    zip.on('end', resolve);
    zip.on('error', reject);
  });
  zip.write(niftiHeader(args));
  zip.end(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  await done;
  await writeFileAtomic(file, Buffer.concat(parts));
}

export interface NiftiImage {
  geometry: Geometry;
  data: NiftiData;
  description: string;
}

/** The bytes of `file`, gunzipped when it starts with the gzip magic, as they are read. */
async function* fileBytes(file: string): AsyncGenerator<Buffer> {
  const fh = await open(file);
  const magic = Buffer.alloc(2);
  try {
    await fh.read(magic, 0, 2, 0);
  } finally {
    await fh.close();
  }
  const source = createReadStream(file, { highWaterMark: 1 << 20 });
  if (magic[0] !== 0x1f || magic[1] !== 0x8b) return yield* source;
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  pipeline(source, gunzip, () => undefined); // an error destroys gunzip with it: the loop below throws
  yield* gunzip;
}

/**
 * Reads what writeNifti writes (little-endian, sform or qform-free files use the sform rows). The
 * voxels are inflated straight into their own array: a whole-file buffer, its inflated copy and a
 * third aligned copy made a 420 MB map cost 1.3 GB at its peak.
 */
export async function readNifti(file: string): Promise<NiftiImage> {
  let head = Buffer.alloc(0);
  let voxels: Uint8Array | undefined;
  let filled = 0;
  for await (const chunk of fileBytes(file)) {
    let rest = chunk;
    if (!voxels) {
      head = Buffer.concat([head, chunk]);
      if (head.length < HEADER_SIZE) continue;
      if (head.readInt32LE(0) !== HEADER_SIZE) throw new Error('not a little-endian NIfTI-1 file');
      const offset = Math.round(head.readFloatLE(108));
      if (head.length < offset) continue;
      const count = head.readInt16LE(42) * head.readInt16LE(44) * head.readInt16LE(46);
      voxels = new Uint8Array(count * (head.readInt16LE(72) / 8)); // own, aligned buffer for the typed array
      rest = head.subarray(offset);
      head = head.subarray(0, offset);
    }
    const n = Math.min(rest.length, voxels.length - filled);
    voxels.set(rest.subarray(0, n), filled);
    filled += n;
  }
  if (!voxels || filled < voxels.length) throw new Error('truncated NIfTI file');
  const raw = head;
  const dims: Vec3 = [raw.readInt16LE(42), raw.readInt16LE(44), raw.readInt16LE(46)];
  const code = raw.readInt16LE(70);
  const rows = [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => raw.readFloatLE(280 + 16 * r + 4 * c)));
  const spacing = [0, 1, 2].map((c) => Math.hypot(rows[0][c], rows[1][c], rows[2][c])) as Vec3;
  const flip = [-1, -1, 1]; // RAS -> LPS
  const direction = [0, 1, 2].flatMap((c) => [0, 1, 2].map((r) => (flip[r] * rows[r][c]) / spacing[c])) as Mat3;
  const origin = [0, 1, 2].map((r) => flip[r] * rows[r][3]) as Vec3;
  return {
    geometry: { dimensions: dims, spacing, origin, direction },
    data: arrayFor(code, voxels.buffer as ArrayBuffer, 0, dims[0] * dims[1] * dims[2]),
    description: raw.toString('latin1', 148, 228).replace(/\0.*$/s, ''),
  };
}
