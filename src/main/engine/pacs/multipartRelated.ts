// multipart/related (RFC 2387) as DICOMweb uses it: WADO-RS answers with one part per instance,
// STOW-RS sends one. Parsing streams, so a 400-slice study never sits in memory as one buffer.
import { randomBytes } from 'node:crypto';
import { PacsError } from './pacsError';

export interface Part {
  headers: Record<string, string>; // lower-case names
  body: Buffer;
}

/** The boundary parameter of a multipart/related Content-Type, or null when it is something else. */
export function multipartBoundary(contentType: string | null): string | null {
  if (!contentType || !/^\s*multipart\/related\s*(;|$)/i.test(contentType)) return null;
  const m = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : null;
}

function parseHeaders(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

export interface MultipartLimits {
  /** Largest part (headers + body) held in memory; a larger one is refused, not buffered. */
  maxPartBytes: number;
}

/** One DICOM instance above 1 GiB is not something a viewer retrieves; it is refused, not buffered. */
export const DEFAULT_MULTIPART_LIMITS: MultipartLimits = { maxPartBytes: 2 ** 30 };

/** Header lines of a part and the transport padding after a delimiter are short in any real answer. */
const MAX_HEADER_BYTES = 64 * 1024;
const MAX_PADDING_BYTES = 1024;

/**
 * Yields each part as soon as it is complete. Throws PacsError when the stream ends before the
 * closing delimiter: a cut connection must read as a partial retrieval, never as a short study.
 * Every byte is copied a bounded number of times (the chunk list of a part is joined once, when the
 * part ends), so a large instance costs linear time whatever the chunk sizes.
 */
export async function* readMultipart(
  chunks: AsyncIterable<Uint8Array>,
  boundary: string,
  limits: MultipartLimits = DEFAULT_MULTIPART_LIMITS,
): AsyncGenerator<Part> {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const keep = delimiter.length - 1; // bytes that might be the start of a delimiter split across chunks
  let pieces: Buffer[] = [];
  let partBytes = 0;
  let inPart = false; // false: before the first delimiter (preamble, discarded)
  let afterDelimiter = false; // a delimiter ended; its line (padding, CRLF or "--") is pending
  // A leading CRLF lets the first delimiter (at offset 0, without CRLF) be found like the others.
  let tail = Buffer.from('\r\n');

  const take = (bytes: Buffer) => {
    if (!inPart || bytes.length === 0) return;
    partBytes += bytes.length;
    if (partBytes > limits.maxPartBytes) {
      throw new PacsError(`the PACS sent an instance larger than ${Math.round(limits.maxPartBytes / 2 ** 20)} MB; the retrieval was stopped`);
    }
    pieces.push(bytes);
  };
  const finish = (): Part => {
    const part = Buffer.concat(pieces, partBytes);
    pieces = [];
    partBytes = 0;
    // A part is header lines, an empty line, then the body (no headers: the part starts with CRLF).
    if (part.subarray(0, 2).toString('latin1') === '\r\n') return { headers: {}, body: part.subarray(2) };
    const headerEnd = part.subarray(0, MAX_HEADER_BYTES).indexOf('\r\n\r\n');
    if (headerEnd < 0) throw new PacsError('the PACS sent a malformed multipart response (a part without a header end)');
    return { headers: parseHeaders(part.subarray(0, headerEnd).toString('latin1')), body: part.subarray(headerEnd + 4) };
  };

  for await (const chunk of chunks) {
    const window = Buffer.concat([tail, chunk]); // tail is short: at most keep or padding bytes
    let pos = 0;
    for (;;) {
      if (afterDelimiter) {
        if (window.length - pos < 2) break;
        if (window[pos] === 0x2d && window[pos + 1] === 0x2d) return; // closing delimiter
        const lineEnd = window.indexOf('\r\n', pos);
        if (lineEnd < 0) {
          if (window.length - pos > MAX_PADDING_BYTES) throw new PacsError('the PACS sent a malformed multipart response (a delimiter line without an end)');
          break;
        }
        pos = lineEnd + 2; // the next part starts after the delimiter line (which may carry padding)
        afterDelimiter = false;
        inPart = true;
        continue;
      }
      const at = window.indexOf(delimiter, pos);
      if (at < 0) {
        const safe = Math.max(pos, window.length - keep);
        take(window.subarray(pos, safe));
        pos = safe;
        break;
      }
      take(window.subarray(pos, at));
      if (inPart) yield finish();
      pos = at + delimiter.length;
      afterDelimiter = true;
    }
    tail = Buffer.from(window.subarray(pos)); // a copy, so the window can be released
  }
  throw new PacsError('the PACS response ended before the last instance was complete (connection cut?)');
}

/** Builds a multipart/related body of DICOM instances (STOW-RS request). */
export function buildMultipart(instances: Uint8Array[]): { body: Buffer; contentType: string } {
  const boundary = `explicare-${randomBytes(12).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const data of instances) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\nContent-Length: ${data.byteLength}\r\n\r\n`),
      Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}
