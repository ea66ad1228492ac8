// The local HTTP transport: token, Host/Origin checks, validation, errors and binary voxels.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { Engine } from '../../src/main/engine/engine';
import { createApiServer } from '../../src/server/httpApi';
import { packFiles } from '../../src/shared/uploadFraming';
import type { OpenReport, VolumeInfo } from '../../src/shared/api';

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
let server: Server;
let port: number;
let work: string;
const token = 'test-token-0123456789';

function call(method: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; type: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: `/api/${method}`, method: 'POST', headers: { Authorization: `Bearer ${token}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), type: String(res.headers['content-type']) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
const json = (r: { body: Buffer }) => JSON.parse(r.body.toString());

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'explicare-http-'));
  writeFileSync(path.join(work, 'index.html'), '<!doctype html><title>x</title>');
  ({ server, port } = await createApiServer({ engine: new Engine({ cacheDir: path.join(work, 'cache') }), token, staticDir: work, version: 'test' }));
});
afterAll(() => {
  server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('HTTP transport', () => {
  it('refuses calls without the session token', async () => {
    const r = await call('listStudies', '{}', { Authorization: 'Bearer wrong-token-xxxxxxxx' });
    expect(r.status).toBe(401);
    expect(json(r).code).toBe('unauthorized');
  });

  it('refuses foreign Host (DNS rebinding) and foreign Origin', async () => {
    expect((await call('listStudies', '{}', { Host: `evil.example:${port}` })).status).toBe(403);
    expect((await call('listStudies', '{}', { Origin: 'http://evil.example' })).status).toBe(403);
  });

  it('validates arguments and names the problem', async () => {
    const r = await call('loadVolume', JSON.stringify({ seriesUid: '../../etc/passwd' }));
    expect(r.status).toBe(400);
    expect(json(r).message).toMatch(/seriesUid: not a DICOM UID/);
    const extra = await call('openDemo', JSON.stringify({ kind: 'ct', path: '/etc' }));
    expect(extra.status).toBe(400);
    expect((await call('nope', '{}')).status).toBe(404);
    expect((await call('listStudies', '{not json')).status).toBe(400);
  });

  it('opens uploaded files, skips non-DICOM ones with a reason, and serves voxels as binary', async () => {
    const { readFileSync } = await import('node:fs');
    const ct = readFileSync(CT_SMALL);
    const blob = packFiles([
      { name: 'CT_small.dcm', data: ct.buffer.slice(ct.byteOffset, ct.byteOffset + ct.byteLength) as ArrayBuffer },
      { name: 'notes.txt', data: new TextEncoder().encode('hello, not DICOM').buffer as ArrayBuffer },
    ]);
    const up = await call('openFiles', Buffer.from(await blob.arrayBuffer()), { 'Content-Type': 'application/octet-stream' });
    expect(up.status).toBe(200);
    const report = json(up) as OpenReport;
    expect(report.dicomFiles).toBe(1);
    expect(report.skipped).toHaveLength(1);
    expect(report.skipped[0].file).toBe('notes.txt');
    expect(report.skipped[0].reason).toMatch(/not a DICOM file/);

    const uid = report.openedSeries[0];
    const info = json(await call('loadVolume', JSON.stringify({ seriesUid: uid }))) as VolumeInfo;
    expect(info.geometry.dimensions).toEqual([128, 128, 1]);
    const voxels = await call('getVoxels', JSON.stringify({ seriesUid: uid }));
    expect(voxels.type).toBe('application/octet-stream');
    expect(voxels.body.byteLength).toBe(128 * 128 * (info.voxelType === 'float32' ? 4 : 2));
  });

  it('rejects a truncated upload body', async () => {
    const blob = packFiles([{ name: 'a.dcm', data: new Uint8Array(100).buffer }]);
    const bytes = Buffer.from(await blob.arrayBuffer()).subarray(0, 60);
    const r = await call('openFiles', bytes, { 'Content-Type': 'application/octet-stream' });
    expect(r.status).toBe(400);
    expect(json(r).message).toMatch(/shorter than its header/);
  });
});
