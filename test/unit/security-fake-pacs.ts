// A hostile DICOMweb server for security tests: a real node http server on 127.0.0.1 that answers
// the QIDO instance list and the WADO-RS retrieval with whatever the test wants it to lie about.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { el, part10 } from './dicom-test-helpers';

export const STUDY = '1.2.826.0.1.3680043.9.7.1';
export const SERIES = '1.2.826.0.1.3680043.9.7.1.1';

/** A small Part-10 instance whose UIDs say what the test wants (even what no UID may be). */
export function instance(sopUid: string, studyUid = STUDY, seriesUid = SERIES): Buffer {
  return part10([
    el(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
    el(0x00080018, 'UI', sopUid),
    el(0x0020000d, 'UI', studyUid),
    el(0x0020000e, 'UI', seriesUid),
  ]);
}

export function multipart(parts: Buffer[], boundary = 'fake-boundary'): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) out.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), p, Buffer.from('\r\n'));
  out.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(out);
}

export interface FakePacs {
  /** SOP Instance UIDs the QIDO instance list names. */
  listed: string[];
  /** The WADO-RS answer body (multipart with boundary "fake-boundary"). */
  wado: Buffer;
  /** Sends the QIDO list gzip-encoded, padded to this many bytes once inflated. */
  qidoInflatedBytes?: number;
}

export async function startFakePacs(fake: FakePacs): Promise<{ baseUrl: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.endsWith('/instances')) {
      let json = Buffer.from(JSON.stringify(fake.listed.map((u) => ({ '00080018': { vr: 'UI', Value: [u] } }))));
      if (fake.qidoInflatedBytes) {
        json = Buffer.concat([json.subarray(0, -1), Buffer.from(','), Buffer.alloc(fake.qidoInflatedBytes, ' '), Buffer.from(']')]);
        res.writeHead(200, { 'Content-Type': 'application/dicom+json', 'Content-Encoding': 'gzip' }).end(gzipSync(json));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/dicom+json' }).end(json);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'multipart/related; type="application/dicom"; boundary=fake-boundary' });
    // In pieces, as a network delivers it.
    for (let i = 0; i < fake.wado.length; i += 65536) res.write(fake.wado.subarray(i, i + 65536));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/dicom-web`,
    server,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
