// Security items 3 and 9 of issue K on the local HTTP transport: no request can stop the server,
// prototype keys are not methods, uploads stream to private files under a per-file limit, and an
// internal failure is recorded in a real log without patient data.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppLog } from '../../src/main/engine/appLog';
import { toApiError } from '../../src/main/engine/dispatch';
import { Engine } from '../../src/main/engine/engine';
import { createApiServer } from '../../src/server/httpApi';
import { packFiles } from '../../src/shared/uploadFraming';

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
const token = 'test-token-0123456789';
let server: Server;
let port: number;
let work: string;
let uploadTmp: string;
const oldTmp = process.env.TMPDIR;

/** A request written byte for byte, as a hostile page or tool could send it. */
function raw(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let got = '';
    socket.on('data', (d) => (got += d.toString('latin1')));
    socket.on('end', () => resolve(got));
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
  });
}

function call(method: string, body: Buffer | string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/api/${method}`, method: 'POST', headers: { Authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function framed(files: { name: string; data: Uint8Array }[]): Promise<Buffer> {
  return Buffer.from(await packFiles(files.map((f) => ({ name: f.name, data: f.data.slice().buffer as ArrayBuffer }))).arrayBuffer());
}

const alive = async () => expect((await call('capabilities', '{}')).status).toBe(200);

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'explicare-http-sec-'));
  uploadTmp = path.join(work, 'tmp');
  mkdirSync(uploadTmp);
  process.env.TMPDIR = uploadTmp; // the server's upload folders go here, where the test can see them
  writeFileSync(path.join(work, 'index.html'), '<!doctype html><title>x</title>');
  ({ server, port } = await createApiServer({
    engine: new Engine({ cacheDir: path.join(work, 'cache') }),
    token,
    staticDir: work,
    version: 'test',
    uploadLimits: { maxFiles: 10, maxFileBytes: 64 * 1024, maxTotalBytes: 1024 * 1024 },
    log: new AppLog(path.join(work, 'logs', 'explicare.log')),
  }));
});
afterAll(() => {
  process.env.TMPDIR = oldTmp;
  server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('malformed requests', () => {
  it('answers GET /%FF with 400 and keeps serving', async () => {
    const answer = await raw(`GET /%FF HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    await alive();
  });

  it('answers a URL that does not parse (//[) and a Host of "[" without stopping', async () => {
    expect(await raw(`GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw(`GET / HTTP/1.1\r\nHost: [\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 403/);
    expect(await raw(`POST /api/listStudies HTTP/1.1\r\nHost: [\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`)).toMatch(/^HTTP\/1\.1 403/);
    await alive();
  });

  it('treats prototype keys as unknown names: a clean 400/404, never 500', async () => {
    const r = await call('startExplanation', JSON.stringify({ seriesUid: '1.2.3', modelId: 'a'.repeat(64), method: 'constructor' }));
    expect(r.status).toBe(400);
    expect(String(r.body.message)).toMatch(/unknown explanation method "constructor"/);
    for (const name of ['constructor', 'toString', 'hasOwnProperty']) expect((await call(name, '{}')).status).toBe(404);
    await alive();
  });
});

describe('uploads', () => {
  it('refuses a file above the per-file limit from the header, before storing it', async () => {
    const r = await call('openFiles', await framed([{ name: 'big.dcm', data: new Uint8Array(64 * 1024 + 1) }]));
    expect(r.status).toBe(413);
    expect(String(r.body.message)).toMatch(/above the limit of 65536 bytes per file/);
    expect(readdirSync(uploadTmp)).toEqual([]);
  });

  it('refuses a header length that runs past the body', async () => {
    const head = Buffer.alloc(4);
    head.writeUInt32LE(1000, 0);
    const r = await call('openFiles', Buffer.concat([head, Buffer.from('{"files":[]}')]));
    expect(r.status).toBe(400);
    expect(String(r.body.message)).toMatch(/shorter than its header says/);
  });

  it('streams each file to disk as it arrives (private folder and files)', async () => {
    const declared = 60 * 1024;
    const full = await framed([{ name: 'slow.dcm', data: new Uint8Array(declared) }]);
    const firstPart = full.subarray(0, full.length - declared + 20000);
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/api/openFiles',
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Length': full.length },
    });
    const answered = new Promise<number>((resolve) => req.on('response', (res) => (res.resume(), resolve(res.statusCode!))));
    req.write(firstPart);
    // Before the body is complete, the bytes already sent are in a 0600 file of a 0700 folder.
    let seen = 0;
    for (let i = 0; i < 100 && seen < 20000; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const dirs = readdirSync(uploadTmp);
      if (dirs.length === 1 && readdirSync(path.join(uploadTmp, dirs[0])).length === 1) {
        const dir = path.join(uploadTmp, dirs[0]);
        const file = path.join(dir, 'slow.dcm');
        seen = statSync(file).size;
        expect(statSync(dir).mode & 0o777).toBe(0o700);
        expect(statSync(file).mode & 0o777).toBe(0o600);
      }
    }
    expect(seen).toBe(20000);
    req.end(full.subarray(firstPart.length));
    expect(await answered).toBe(200); // opened (the file is just not DICOM: reported as skipped)
  });

  it('opens a real upload as before', async () => {
    const ct = readFileSync(CT_SMALL);
    const server2 = await createApiServer({ engine: new Engine({ cacheDir: path.join(work, 'cache2') }), token, staticDir: work, version: 'test' });
    try {
      port = server2.port;
      const r = await call('openFiles', await framed([{ name: 'CT_small.dcm', data: ct }, { name: '../../escape.txt', data: Buffer.from('x') }]));
      expect(r.status).toBe(200);
      expect(r.body.dicomFiles).toBe(1);
    } finally {
      port = (server.address() as { port: number }).port;
      server2.server.close();
    }
  });
});

describe('application log', () => {
  it('records an internal failure without patient data, and the message names the real file', () => {
    const log = new AppLog(path.join(work, 'logs2', 'explicare.log'));
    const err = new TypeError('cannot read /data/studies/DOE^JANE_19600101/IM0001 of patient 12345678');
    log.error('getTags', err);
    const text = readFileSync(log.file, 'utf8');
    expect(text).toMatch(/getTags failed: TypeError at /);
    expect(text).toMatch(/security-http\.test\.ts:\d+/);
    expect(text).not.toMatch(/DOE|JANE|12345678|\/data\/studies/);
    expect(statSync(log.file).mode & 0o777).toBe(0o600);
    expect(toApiError(err, log.file).message).toBe(`internal error (recorded without patient data in ${log.file})`);
    expect(toApiError(err).message).not.toMatch(/log/);
  });
});
