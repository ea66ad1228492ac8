// The browser variant opens an exported PDF from bytes the HTTP server sends (POST with the session
// token; a new tab cannot send it, so the page makes a blob of them). Only a file that export wrote
// is served, named exactly as the export listed it: traversal, absolute paths, other exports' ids,
// a file swapped for a link since, and requests without the token are refused; the PDF goes out as
// application/pdf, inline, never sniffed. Also the engine's export progress and cancel.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCtStudy } from '../../src/main/engine/demo';
import { Engine } from '../../src/main/engine/engine';
import { bundledModelsDir } from '../../src/main/engine/paths';
import { createApiServer } from '../../src/server/httpApi';
import type { ExportProgress } from '../../src/shared/exportProgress';
import type { ExportResult } from '../../src/shared/pacsApi';

const token = 'test-token-export-file-0123';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-export-file-'));
let engine: Engine;
let server: Server;
let port: number;
let seriesUid: string;
let first: ExportResult;
let second: ExportResult;

function post(method: string, body: unknown, auth = true): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (auth) headers.Authorization = `Bearer ${token}`;
    const req = request({ host: '127.0.0.1', port, path: `/api/${method}`, method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
const message = (r: { body: Buffer }) => String((JSON.parse(r.body.toString()) as { message?: string }).message);

const exportTo = (outDir: string, pdf = true, dicom = false) =>
  engine.exportReport({ seriesUid, outDir, pdf, dicom, anonymize: false, comment: '', includeFreeText: false, allowBurnedInAnnotation: false, overwrite: false });

beforeAll(async () => {
  const study = path.join(tmp, 'ct');
  await generateCtStudy({ seed: 7, outDir: study, slices: 24, rows: 128, columns: 128 });
  engine = new Engine({ cacheDir: path.join(tmp, 'cache'), bundledModelsDir: bundledModelsDir() });
  seriesUid = (await engine.openPaths([study])).openedSeries[0];
  const modelId = (await engine.importModel(path.join(bundledModelsDir(), 'ct-nodule-classifier'))).id;
  await engine.waitForJob((await engine.startExplanation(seriesUid, modelId, 'gradcam', {})).id);
  first = await exportTo(path.join(tmp, 'first'));
  second = await exportTo(path.join(tmp, 'second'), false, true);
  ({ server, port } = await createApiServer({ engine, token, staticDir: tmp, version: 'test' }));
}, 120_000);

afterAll(async () => {
  server?.close();
  await engine?.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

describe('an export file over HTTP', () => {
  it('serves the PDF of this session\'s export as application/pdf, inline, byte for byte', async () => {
    const r = await post('getExportFile', { exportId: first.exportId, file: 'report.pdf' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/pdf');
    expect(r.headers['content-disposition']).toBe('inline; filename="report.pdf"');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.body.subarray(0, 5).toString()).toBe('%PDF-');
    const { data } = await engine.exportFile(first.exportId, 'report.pdf');
    expect(Buffer.compare(r.body, Buffer.from(data))).toBe(0);
    // A DICOM file of an export goes out as DICOM.
    const sc = second.files.find((f) => f.endsWith('.dcm'))!;
    const d = await post('getExportFile', { exportId: second.exportId, file: sc });
    expect(d.status).toBe(200);
    expect(d.headers['content-type']).toBe('application/dicom');
  });

  it('needs the session token', async () => {
    expect((await post('getExportFile', { exportId: first.exportId, file: 'report.pdf' }, false)).status).toBe(401);
  });

  it.each([
    ['../../etc/passwd', 404],
    ['/etc/passwd', 404],
    ['dicom/../report.pdf', 404],
    ['./report.pdf', 404],
    ['report.pdf\0.txt', 404],
    ['REPORT.PDF', 404],
    ['', 400],
    ['x'.repeat(256), 400],
  ])('refuses %j: only names the export listed, as listed', async (file, status) => {
    const r = await post('getExportFile', { exportId: first.exportId, file });
    expect(r.status).toBe(status);
    expect(r.headers['content-type']).toBe('application/json');
  });

  it('refuses another export\'s file under this id, an unknown id and a malformed one', async () => {
    // The second export has no PDF: its id does not reach the first export's folder.
    const other = await post('getExportFile', { exportId: second.exportId, file: 'report.pdf' });
    expect(other.status).toBe(404);
    expect(message(other)).toMatch(/not a file of this export/);
    const unknown = await post('getExportFile', { exportId: 'export-zzz-99', file: 'report.pdf' });
    expect(unknown.status).toBe(404);
    expect(message(unknown)).toMatch(/no such export in this session/);
    expect((await post('getExportFile', { exportId: '../export-1', file: 'report.pdf' })).status).toBe(400);
    expect((await post('getExportFile', { exportId: first.exportId, file: 'report.pdf', path: '/etc' })).status).toBe(400);
  });

  it('refuses the file once it was replaced by a link (it is no longer what the export wrote)', async () => {
    const own = path.join(tmp, 'first', 'report.pdf');
    const secret = path.join(tmp, 'secret.txt');
    writeFileSync(secret, 'not for the browser');
    unlinkSync(own);
    symlinkSync(secret, own);
    const r = await post('getExportFile', { exportId: first.exportId, file: 'report.pdf' });
    expect(r.status).toBe(422);
    expect(message(r)).toMatch(/no longer a plain file/);
    expect(r.body.toString()).not.toContain('not for the browser');
  });

  it('is not something the browser may ask the engine to open with the system viewer', async () => {
    const r = await post('openExportFile', { exportId: second.exportId, file: second.files[0] });
    expect(r.status).toBe(501);
  });
});

describe('export progress and cancel', () => {
  it('reports the objects in order with growing bytes while it runs, then done', async () => {
    const seen: ExportProgress[] = [];
    const timer = setInterval(() => {
      const p = engine.exportProgress(seriesUid);
      if (p) seen.push(p);
    }, 5);
    const out = await exportTo(path.join(tmp, 'watched'), true, true);
    clearInterval(timer);
    const writing = seen.filter((p) => p.phase === 'write');
    expect(new Set(writing.map((p) => p.object)).size).toBeGreaterThanOrEqual(2);
    expect(writing.every((p) => p.objects === out.files.length)).toBe(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i].bytes).toBeGreaterThanOrEqual(seen[i - 1].bytes);
    const done = engine.exportProgress(seriesUid)!;
    expect(done).toMatchObject({ phase: 'done', object: out.files.length, objects: out.files.length });
    // Every byte the export staged is in its folder.
    expect(done.bytes).toBe(out.files.reduce((n, f) => n + statSync(path.join(out.folder, f)).size, 0));
  });

  it('cancelled: nothing reaches the folder, the call says so, and a second export of the series waits for none', async () => {
    const folder = path.join(tmp, 'cancelled');
    const running = exportTo(folder, true, true);
    expect(engine.cancelExport(seriesUid)?.cancelling).toBe(true);
    await expect(running).rejects.toThrow('Export cancelled: nothing was written');
    expect(engine.exportProgress(seriesUid)?.phase).toBe('cancelled');
    expect(existsSync(folder) ? readdirSync(folder) : []).toEqual([]);
    expect(engine.cancelExport(seriesUid)?.phase).toBe('cancelled'); // nothing left to cancel
    const again = await exportTo(path.join(tmp, 'after-cancel'));
    expect(again.files).toEqual(['report.pdf']);
  });
});
