// Packs several files into one binary request body (and back), so uploads need no multipart parser.
// Layout: u32 LE header length | UTF-8 JSON header {files: [{name, size}]} | file bytes in order.
import type { UploadFile } from './api';

export function packFiles(files: UploadFile[]): Blob {
  const header = new TextEncoder().encode(JSON.stringify({ files: files.map((f) => ({ name: f.name, size: f.data.byteLength })) }));
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, header.byteLength, true);
  return new Blob([len, header, ...files.map((f) => f.data)]);
}

export function unpackFiles(body: Uint8Array, limits: { maxFiles: number; maxTotalBytes: number }): UploadFile[] {
  if (body.byteLength < 4) throw new Error('upload body too short');
  const headerLength = new DataView(body.buffer, body.byteOffset, 4).getUint32(0, true);
  if (headerLength > 4 + body.byteLength || headerLength > 16 * 2 ** 20) throw new Error('upload header length is invalid');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(body.subarray(4, 4 + headerLength)));
  } catch {
    throw new Error('upload header is not JSON');
  }
  const list = (header as { files?: unknown }).files;
  if (!Array.isArray(list) || list.length > limits.maxFiles) throw new Error('upload header has no valid file list');
  let offset = 4 + headerLength;
  const files: UploadFile[] = [];
  for (const entry of list) {
    const { name, size } = entry as { name?: unknown; size?: unknown };
    if (typeof name !== 'string' || typeof size !== 'number' || !Number.isInteger(size) || size < 0) throw new Error('upload header has an invalid entry');
    if (offset + size > body.byteLength) throw new Error('upload body is shorter than its header says (interrupted upload?)');
    const bytes = body.subarray(offset, offset + size);
    files.push({ name, data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + size) as ArrayBuffer });
    offset += size;
  }
  if (offset !== body.byteLength) throw new Error('upload body is longer than its header says');
  return files;
}
