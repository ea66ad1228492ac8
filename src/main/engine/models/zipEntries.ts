// Reads chosen files out of a .zip without trusting what the archive says: the central directory
// gives each entry's declared size and CRC, sizes are checked against per-entry limits before
// anything is inflated, inflation streams into a buffer of the declared size and stops the moment
// the output would exceed it, and the CRC-32 is verified. A zip bomb costs at most its limit.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { Inflate } from 'fflate';

export class ZipError extends Error {}

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** Deflate cannot expand data more than about 1032:1; a larger declared ratio is a lie. */
const MAX_DEFLATE_RATIO = 1032;
const MAX_CENTRAL_DIRECTORY_BYTES = 16 * 2 ** 20;
const CHUNK = 1 << 20;
/** fflate inflates a whole pushed piece before handing it over: small pieces bound that to ~16 MB. */
const INFLATE_PIECE = 16 * 1024;

async function readAt(h: FileHandle, offset: number, length: number): Promise<Buffer> {
  const out = Buffer.alloc(length);
  let at = 0;
  while (at < length) {
    const { bytesRead } = await h.read(out, at, length - at, offset + at);
    if (bytesRead === 0) throw new ZipError('the archive is truncated');
    at += bytesRead;
  }
  return out;
}

function u64(b: Buffer, at: number): number {
  const v = b.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError('the archive declares an impossible size');
  return Number(v);
}

async function centralDirectory(h: FileHandle, fileSize: number): Promise<ZipEntry[]> {
  const tailLength = Math.min(fileSize, 22 + 0xffff);
  const tail = await readAt(h, fileSize - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) if (tail.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  if (eocd < 0) throw new ZipError('no zip end-of-central-directory record (not a zip archive, or truncated)');
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if ((count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) && eocd >= 20 && tail.readUInt32LE(eocd - 20) === 0x07064b50) {
    const z64 = await readAt(h, u64(tail, eocd - 20 + 8), 56);
    if (z64.readUInt32LE(0) !== 0x06064b50) throw new ZipError('a damaged zip64 record');
    count = u64(z64, 32);
    cdSize = u64(z64, 40);
    cdOffset = u64(z64, 48);
  }
  if (cdSize > MAX_CENTRAL_DIRECTORY_BYTES || cdOffset + cdSize > fileSize) throw new ZipError('the central directory is damaged or implausibly large');
  const cd = await readAt(h, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > cd.length || cd.readUInt32LE(at) !== 0x02014b50) throw new ZipError('the central directory is damaged');
    const nameLength = cd.readUInt16LE(at + 28);
    const extraLength = cd.readUInt16LE(at + 30);
    const commentLength = cd.readUInt16LE(at + 32);
    if (at + 46 + nameLength + extraLength > cd.length) throw new ZipError('the central directory is damaged');
    const entry: ZipEntry = {
      name: cd.toString('utf8', at + 46, at + 46 + nameLength),
      flags: cd.readUInt16LE(at + 8),
      method: cd.readUInt16LE(at + 10),
      crc: cd.readUInt32LE(at + 16),
      compressedSize: cd.readUInt32LE(at + 20),
      size: cd.readUInt32LE(at + 24),
      localHeaderOffset: cd.readUInt32LE(at + 42),
    };
    // zip64 extra field: the 64-bit values of the fields that are 0xFFFFFFFF, in this order.
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength; ) {
      const id = cd.readUInt16LE(e);
      const len = cd.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let p = e + 4;
        for (const key of ['size', 'compressedSize', 'localHeaderOffset'] as const) {
          if (entry[key] === 0xffffffff && p + 8 <= e + 4 + len) {
            entry[key] = u64(cd, p);
            p += 8;
          }
        }
      }
      e += 4 + len;
    }
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

async function inflateEntry(h: FileHandle, fileSize: number, entry: ZipEntry): Promise<Buffer> {
  if (entry.flags & 1) throw new ZipError(`${entry.name} is encrypted`);
  if (entry.method !== 0 && entry.method !== 8)
    throw new ZipError(`${entry.name} uses compression method ${entry.method} (only stored and deflate are supported)`);
  if (entry.method === 0 && entry.size !== entry.compressedSize) throw new ZipError(`${entry.name}: the archive declares inconsistent sizes`);
  if (entry.size > Math.max(entry.compressedSize, 1) * MAX_DEFLATE_RATIO)
    throw new ZipError(
      `${entry.name}: the archive declares ${entry.size} bytes from ${entry.compressedSize} compressed (not possible: a damaged or crafted archive)`,
    );
  const local = await readAt(h, entry.localHeaderOffset, 30);
  if (local.readUInt32LE(0) !== 0x04034b50) throw new ZipError(`${entry.name}: the local header is damaged`);
  const dataStart = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (dataStart + entry.compressedSize > fileSize) throw new ZipError(`${entry.name}: the archive is truncated`);

  const out = Buffer.alloc(entry.size);
  let produced = 0;
  const accept = (data: Uint8Array) => {
    if (produced + data.length > entry.size) throw new ZipError(`${entry.name} inflates to more than the ${entry.size} bytes the archive declares`);
    out.set(data, produced);
    produced += data.length;
  };
  const inflater = entry.method === 8 ? new Inflate((data) => accept(data)) : null;
  for (let at = 0; at < entry.compressedSize; at += CHUNK) {
    const piece = await readAt(h, dataStart + at, Math.min(CHUNK, entry.compressedSize - at));
    const last = at + piece.length >= entry.compressedSize;
    if (inflater) {
      try {
        for (let p = 0; p < piece.length; p += INFLATE_PIECE) inflater.push(piece.subarray(p, p + INFLATE_PIECE), last && p + INFLATE_PIECE >= piece.length);
      } catch (err) {
        if (err instanceof ZipError) throw err;
        throw new ZipError(`${entry.name}: the compressed data is damaged (${(err as Error).message})`);
      }
    } else accept(piece);
  }
  if (entry.compressedSize === 0 && inflater) inflater.push(new Uint8Array(0), true);
  if (produced !== entry.size) throw new ZipError(`${entry.name} inflates to ${produced} bytes, not the ${entry.size} the archive declares`);
  if (crc32(out) >>> 0 !== entry.crc >>> 0) throw new ZipError(`${entry.name} fails its CRC check (the archive is damaged)`);
  return out;
}

export interface ZipReadLimits {
  maxArchiveBytes: number;
  /** Largest size each wanted entry may declare (by entry name). */
  maxEntryBytes(name: string): number;
}

/** The wanted entries (by name); an entry above its limit is refused before it is inflated. */
export async function readZipEntries(file: string, wanted: (name: string) => boolean, limits: ZipReadLimits): Promise<Map<string, Buffer>> {
  // Non-blocking open: a named pipe must not wait for a writer; fstat then refuses it.
  const h = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = await h.stat();
    if (!st.isFile()) throw new ZipError('it is not a regular file');
    if (st.size > limits.maxArchiveBytes)
      throw new ZipError(`it is ${(st.size / 2 ** 30).toFixed(1)} GiB, above the ${(limits.maxArchiveBytes / 2 ** 30).toFixed(1)} GiB limit for a package`);
    const out = new Map<string, Buffer>();
    for (const entry of (await centralDirectory(h, st.size)).filter((e) => wanted(e.name))) {
      const limit = limits.maxEntryBytes(entry.name);
      if (entry.size > limit) throw new ZipError(`${entry.name} declares ${entry.size} bytes, above the ${limit} byte limit`);
      out.set(entry.name, await inflateEntry(h, st.size, entry));
    }
    return out;
  } finally {
    await h.close();
  }
}
