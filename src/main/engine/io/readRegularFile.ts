// Reads a whole file only if it is a regular file within a size limit. readFile() on a named pipe
// blocks forever, and on /dev/zero or /dev/urandom never ends (reading until the process runs out
// of memory): a study folder, a DICOMDIR entry or a dropped path can be any of these. The file is
// opened non-blocking (so opening a FIFO does not wait for a writer) and checked with fstat on the
// open handle, so a file swapped after a stat() cannot slip through.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Largest file the engine reads whole (a 2 GiB multi-frame object is already extreme). */
export const MAX_INPUT_FILE_BYTES = 2 * 1024 ** 3;

/** A file that was not read; `reason` is short user-facing text without the path. */
export class InputFileError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InputFileError';
  }
}

function kindOf(st: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

export async function readRegularFile(file: string, maxBytes = MAX_INPUT_FILE_BYTES): Promise<Buffer> {
  const h = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = await h.stat();
    if (!st.isFile()) throw new InputFileError(`not read: ${kindOf(st)}, not a regular file`);
    if (st.size > maxBytes) throw new InputFileError(`not read: ${formatBytes(st.size)}, above the ${formatBytes(maxBytes)} limit for one file`);
    const buffer = Buffer.allocUnsafe(st.size);
    let at = 0;
    while (at < st.size) {
      const { bytesRead } = await h.read(buffer, at, st.size - at, at);
      if (bytesRead === 0) break; // truncated while reading: parse what is there, the parser reports it
      at += bytesRead;
    }
    return at === st.size ? buffer : buffer.subarray(0, at);
  } finally {
    await h.close();
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
