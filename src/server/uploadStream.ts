// Receives a framed upload (src/shared/uploadFraming.ts) straight into a private folder: the header
// is checked against the limits first, then each file's bytes go to disk as they arrive, so a
// multi-gigabyte study never sits in memory and a file above the per-file limit is refused before
// any of it is stored.
import { open } from 'node:fs/promises';
import path from 'node:path';
import { uploadNameSchema } from '../shared/api';
import { MAX_UPLOAD_HEADER_BYTES, parseUploadHeader, UploadFramingError, type UploadLimits } from '../shared/uploadFraming';

export interface ReceivedFile {
  /** The name it was stored under: the client's, unless that held a path or was taken. */
  name: string;
  file: string;
  size: number;
}

/** Pulls exact byte counts out of a chunk stream. */
class ByteReader {
  private readonly it: AsyncIterator<Buffer>;
  private rest: Buffer = Buffer.alloc(0);

  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async more(): Promise<boolean> {
    const next = await this.it.next();
    if (next.done) return false;
    this.rest = this.rest.length ? Buffer.concat([this.rest, next.value]) : Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    return true;
  }

  /** n bytes (small: the length word and the header). */
  async exactly(n: number): Promise<Buffer> {
    while (this.rest.length < n) if (!(await this.more())) throw new UploadFramingError('upload body is shorter than its header says (interrupted upload?)');
    const out = this.rest.subarray(0, n);
    this.rest = this.rest.subarray(n);
    return out;
  }

  /** Passes the next n bytes to `sink` as they arrive. */
  async forward(n: number, sink: (bytes: Buffer) => Promise<void>): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.rest.length === 0 && !(await this.more())) throw new UploadFramingError('upload body is shorter than its header says (interrupted upload?)');
      const piece = this.rest.subarray(0, left);
      this.rest = this.rest.subarray(piece.length);
      left -= piece.length;
      await sink(piece);
    }
  }

  async atEnd(): Promise<boolean> {
    return this.rest.length === 0 && !(await this.more());
  }
}

export async function receiveUpload(body: AsyncIterable<Buffer>, dir: string, limits: UploadLimits): Promise<ReceivedFile[]> {
  const reader = new ByteReader(body);
  const headerLength = (await reader.exactly(4)).readUInt32LE(0);
  if (headerLength === 0 || headerLength > MAX_UPLOAD_HEADER_BYTES) throw new UploadFramingError('upload header length is invalid');
  const entries = parseUploadHeader(await reader.exactly(headerLength), limits);
  const used = new Set<string>();
  const received: ReceivedFile[] = [];
  for (const [i, entry] of entries.entries()) {
    // A name with a path (or none) is replaced; a repeated one gets its index: nothing escapes `dir`.
    const safe = uploadNameSchema.safeParse(entry.name).success ? entry.name : `file-${i}`;
    let name = safe;
    for (let k = 0; used.has(name); k++) name = `${i}-${k}-${safe}`;
    used.add(name);
    const file = path.join(dir, name);
    const handle = await open(file, 'wx', 0o600);
    try {
      await reader.forward(entry.size, async (bytes) => {
        await handle.write(bytes);
      });
    } finally {
      await handle.close();
    }
    received.push({ name, file, size: entry.size });
  }
  if (!(await reader.atEnd())) throw new UploadFramingError('upload body is longer than its header says');
  return received;
}
