// multipart/related for DICOMweb: what STOW-RS builds, WADO-RS parsing at every chunk split, and a
// cut stream reading as an error (never as a shorter, complete-looking answer).
import { describe, expect, it } from 'vitest';
import { buildMultipart, multipartBoundary, readMultipart } from '../../src/main/engine/pacs/multipartRelated';

async function* chunked(data: Buffer, size: number) {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}
async function parts(data: Buffer, boundary: string, size: number) {
  const out: { headers: Record<string, string>; body: Buffer }[] = [];
  for await (const p of readMultipart(chunked(data, size), boundary)) out.push(p);
  return out;
}

const bodies = [Buffer.from('first\r\n--not-the-boundary\r\n'), Buffer.alloc(0), Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251))];

describe('multipart/related', () => {
  it('reads back what it builds, whatever the chunk sizes', async () => {
    const { body, contentType } = buildMultipart(bodies);
    const boundary = multipartBoundary(contentType)!;
    expect(contentType).toMatch(/^multipart\/related; type="application\/dicom"; boundary=/);
    for (const size of [1, 2, 7, 64, 1000, body.length]) {
      const got = await parts(body, boundary, size);
      expect(got.map((p) => p.body)).toEqual(bodies);
      expect(got[0].headers['content-type']).toBe('application/dicom');
    }
  });

  it('accepts a preamble, transport padding, parts without headers and a quoted boundary', async () => {
    const text = 'preamble\r\n--b1 \r\nContent-Type: application/dicom\r\n\r\nAAA\r\n--b1\r\n\r\nBBB\r\n--b1--\r\nepilogue';
    expect(multipartBoundary('multipart/related; type="application/dicom"; boundary="b1"')).toBe('b1');
    const got = await parts(Buffer.from(text), 'b1', 3);
    expect(got.map((p) => p.body.toString())).toEqual(['AAA', 'BBB']);
    expect(got[1].headers).toEqual({});
  });

  it('refuses what is not multipart/related', () => {
    expect(multipartBoundary('application/json')).toBeNull();
    expect(multipartBoundary('multipart/related; type="application/dicom"')).toBeNull();
    expect(multipartBoundary(null)).toBeNull();
  });

  it('a stream cut before the closing delimiter is an error, at any point', async () => {
    const { body, contentType } = buildMultipart(bodies);
    const boundary = multipartBoundary(contentType)!;
    for (const cut of [10, 100, body.length - 100, body.length - 3]) {
      await expect(parts(body.subarray(0, cut), boundary, 50)).rejects.toThrow(/ended before the last instance was complete/);
    }
  });
});
