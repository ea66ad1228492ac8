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

/**
 * Yields each part as soon as it is complete. Throws PacsError when the stream ends before the
 * closing delimiter: a cut connection must read as a partial retrieval, never as a short study.
 */
export async function* readMultipart(chunks: AsyncIterable<Uint8Array>, boundary: string): AsyncGenerator<Part> {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // A leading CRLF lets the first delimiter (at offset 0, without CRLF) be found like the others.
  let pending = Buffer.from('\r\n');
  let inPart = false; // false: before the first delimiter (preamble)
  let searchFrom = 0;
  for await (const chunk of chunks) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : Buffer.from(chunk);
    for (;;) {
      const at = pending.indexOf(delimiter, searchFrom);
      if (at < 0) {
        searchFrom = Math.max(0, pending.length - delimiter.length);
        break;
      }
      const afterDelimiter = at + delimiter.length;
      if (pending.length < afterDelimiter + 2) break; // need to see "--" or CRLF after it
      if (inPart) {
        const part = pending.subarray(0, at);
        // A part is header lines, an empty line, then the body (no headers: the part starts with CRLF).
        const headerEnd = part.subarray(0, 2).toString('latin1') === '\r\n' ? -2 : part.indexOf('\r\n\r\n');
        if (headerEnd === -1) throw new PacsError('the PACS sent a malformed multipart response (a part without a header end)');
        yield { headers: headerEnd < 0 ? {} : parseHeaders(part.subarray(0, headerEnd).toString('latin1')), body: Buffer.from(part.subarray(headerEnd + 4)) };
      }
      if (pending[afterDelimiter] === 0x2d && pending[afterDelimiter + 1] === 0x2d) return; // closing delimiter
      const lineEnd = pending.indexOf('\r\n', afterDelimiter);
      if (lineEnd < 0) break; // transport padding not complete yet
      // The next part starts right after the delimiter line (which may carry transport padding).
      pending = pending.subarray(lineEnd + 2);
      inPart = true;
      searchFrom = 0;
    }
  }
  throw new PacsError('the PACS response ended before the last instance was complete (connection cut?)');
}

/** Builds a multipart/related body of DICOM instances (STOW-RS request). */
export function buildMultipart(instances: Uint8Array[]): { body: Buffer; contentType: string } {
  const boundary = `explicare-${randomBytes(12).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const data of instances) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\nContent-Length: ${data.byteLength}\r\n\r\n`), Buffer.from(data.buffer, data.byteOffset, data.byteLength), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}
