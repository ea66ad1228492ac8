// Packs several files into one binary request body, so uploads need no multipart parser.
// Layout: u32 LE header length | UTF-8 JSON header {files: [{name, size}]} | file bytes in order.
// The receiver (src/server/uploadStream.ts) streams the bytes to disk: only the header is held
// in memory, and it is checked against the limits before any file byte is accepted.
import type { UploadFile } from './api';

/** A header listing 5,000 files with long names is far below this. */
export const MAX_UPLOAD_HEADER_BYTES = 16 * 2 ** 20;

export interface UploadLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
}

export interface UploadEntry {
  name: string;
  size: number;
}

export function packFiles(files: UploadFile[]): Blob {
  const header = new TextEncoder().encode(JSON.stringify({ files: files.map((f) => ({ name: f.name, size: f.data.byteLength })) }));
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, header.byteLength, true);
  return new Blob([len, header, ...files.map((f) => f.data)]);
}

export class UploadFramingError extends Error {
  /** 413 when a limit is exceeded, 400 when the framing is broken. */
  constructor(message: string, readonly tooLarge = false) {
    super(message);
    this.name = 'UploadFramingError';
  }
}

/** The header's file list, checked against every limit before any file data is read. */
export function parseUploadHeader(header: Uint8Array, limits: UploadLimits): UploadEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(header));
  } catch {
    throw new UploadFramingError('upload header is not JSON');
  }
  const list = (parsed as { files?: unknown } | null)?.files;
  if (!Array.isArray(list)) throw new UploadFramingError('upload header has no valid file list');
  if (list.length > limits.maxFiles) throw new UploadFramingError(`too many files in one upload (${list.length}, limit ${limits.maxFiles})`, true);
  let total = 0;
  return list.map((entry: unknown) => {
    const { name, size } = (entry ?? {}) as { name?: unknown; size?: unknown };
    if (typeof name !== 'string' || typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
      throw new UploadFramingError('upload header has an invalid entry');
    if (size > limits.maxFileBytes)
      throw new UploadFramingError(`a file of the upload is ${size} bytes, above the limit of ${limits.maxFileBytes} bytes per file`, true);
    total += size;
    if (total > limits.maxTotalBytes) throw new UploadFramingError(`the upload is larger than the limit of ${limits.maxTotalBytes} bytes`, true);
    return { name, size };
  });
}
