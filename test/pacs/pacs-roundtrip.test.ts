// PACS over DICOMweb against a real Orthanc (started here, in the private network namespace that
// `npm run test:pacs` provides): STOW the demo CT, QIDO it, WADO-retrieve it with progress into the
// cache and open it, explain (Grad-CAM), export DICOM, STOW the new series back and query it; then
// the failures: wrong password, timeout, a cut retrieval, a stopped server, a wrong URL.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PacsTransferStatus, StowResult } from '../../src/shared/pacsApi';
import { generateCtStudy, type CtDemoResult } from '../../src/main/engine/demo';
import { dispatch } from '../../src/main/engine/dispatch';
import { Engine } from '../../src/main/engine/engine';
import { bundledModelsDir } from '../../src/main/engine/paths';
import { retrievedFolder } from '../../src/main/engine/pacs/wadoRetrieve';
import { readNatural } from '../../src/main/engine/report/studySource';
import { startOrthanc, type Orthanc } from './support/orthanc';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-pacs-'));
const cacheDir = path.join(tmp, 'cache');
const demoDir = path.join(tmp, 'demo-ct');
let orthanc: Orthanc;
let demo: CtDemoResult;
let engine: Engine;
const figures: Record<string, string> = {};
const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';

const call = <T>(method: Parameters<typeof dispatch>[1], args: unknown = {}) => dispatch(engine, method, args) as Promise<T>;
const configure = (over: { authorization?: string | null; timeoutSeconds?: number; baseUrl?: string } = {}) =>
  call('pacsSaveSettings', { baseUrl: orthanc.dicomWebUrl, authorization: orthanc.authorization, timeoutSeconds: 20, ...over });

async function waitTransfer(id: string, seen: PacsTransferStatus[] = []): Promise<PacsTransferStatus> {
  for (;;) {
    const s = await call<PacsTransferStatus>('pacsTransfer', { transferId: id });
    seen.push(s);
    if (s.state !== 'running') return s;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Files left in the cache's incoming folder (a failed retrieval must leave none). */
const incomingLeft = () => (existsSync(path.join(cacheDir, 'pacs', 'incoming')) ? readdirSync(path.join(cacheDir, 'pacs', 'incoming')) : []);

beforeAll(async () => {
  orthanc = await startOrthanc(path.join(tmp, 'orthanc'));
  demo = await generateCtStudy({ seed: 1, outDir: demoDir });
  engine = new Engine({ cacheDir, bundledModelsDir: bundledModelsDir() });
});

afterAll(async () => {
  await engine?.dispose();
  await orthanc?.stop();
  console.log('PACS figures (demo CT, 120 x 512 x 512):', figures);
  rmSync(tmp, { recursive: true, force: true });
});

describe('PACS settings', () => {
  it('refuses to touch the network before a PACS is configured', async () => {
    await expect(call('pacsSearch', {})).rejects.toThrow(/no PACS is configured/);
    expect(await call('pacsGetSettings')).toBeNull();
  });

  it('validates the URL and keeps the authorization header out of what it returns', async () => {
    await expect(call('pacsSaveSettings', { baseUrl: 'ftp://x/dicom-web' })).rejects.toThrow(/http:\/\/ or https:\/\//);
    await expect(call('pacsSaveSettings', { baseUrl: 'http://u:p@host/dicom-web' })).rejects.toThrow(/credentials/);
    await expect(call('pacsSaveSettings', { baseUrl: orthanc.dicomWebUrl, authorization: 'Basic x\r\nX-Evil: 1' })).rejects.toThrow(/one line/);
    const view = await configure();
    expect(view).toEqual({ baseUrl: orthanc.dicomWebUrl, hasAuthorization: true, timeoutSeconds: 20 });
    expect(JSON.stringify(view)).not.toContain(orthanc.password);
    const file = path.join(cacheDir, 'pacs', 'settings.json');
    expect(statSync(file).mode & 0o077).toBe(0); // owner only: the file holds the secret
    // A new engine (next launch) finds the settings again; absent authorization keeps the stored one.
    const again = new Engine({ cacheDir });
    expect(await again.pacs.getSettings()).toEqual(view);
    expect(await again.pacs.saveSettings({ baseUrl: orthanc.dicomWebUrl + '/', timeoutSeconds: 20 })).toEqual(view);
    await again.dispose();
  });

  it('says when the credentials are refused (401)', async () => {
    await configure({ authorization: 'Basic ' + Buffer.from(`${orthanc.user}:wrong`).toString('base64') });
    await expect(call('pacsSearch', {})).rejects.toThrow(/refused the credentials \(401 Unauthorized\)/);
    await configure({ authorization: null });
    await expect(call('pacsSearch', {})).rejects.toThrow(/401/);
    await configure();
  });
});

describe('round trip with a real Orthanc', () => {
  it('stores the demo CT with STOW-RS, every instance confirmed', async () => {
    const files = readdirSync(demoDir).filter((f) => f.endsWith('.dcm'));
    expect(files.length).toBe(120);
    const t0 = performance.now();
    const result: StowResult = await engine.pacs.send(demoDir, readdirSync(demoDir));
    figures.stowDemoCtMs = (performance.now() - t0).toFixed(0);
    expect(result.failed).toBe(0);
    expect(result.stored).toBe(120);
    expect(new Set(result.instances.map((i) => i.sopInstanceUid)).size).toBe(120);
  });

  it('finds the study by patient name, patient ID, date range and modality', async () => {
    const first = await readNatural(demo.files[0]);
    const patientId = String(first.PatientID);
    const da = String(first.StudyDate);
    const iso = `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6, 8)}`;
    const byName = await call<{ studyUid: string; instanceCount: number; modalities: string[]; patientId: string; studyDate: string }[]>('pacsSearch', {
      patientName: 'Demo',
    });
    expect(byName.map((s) => s.studyUid)).toEqual([demo.studyUid]);
    expect(byName[0]).toMatchObject({ instanceCount: 120, modalities: ['CT'], patientId, studyDate: iso });
    expect(await call('pacsSearch', { patientId })).toHaveLength(1);
    expect(await call('pacsSearch', { dateFrom: iso, dateTo: iso, modality: 'CT' })).toHaveLength(1);
    expect(await call('pacsSearch', { dateFrom: '1990-01-01', dateTo: '1990-12-31' })).toHaveLength(0);
    expect(await call('pacsSearch', { modality: 'MR' })).toHaveLength(0);
    expect(await call('pacsSearch', { patientName: 'Nobody' })).toHaveLength(0);
    await expect(call('pacsSearch', { dateFrom: '2024-02-01', dateTo: '2024-01-01' })).rejects.toThrow(/ends before it starts/);
    await expect(call('pacsSearch', { modality: 'ct; drop' })).rejects.toThrow(/modality/);
    const series = await call<{ seriesUid: string; instanceCount: number }[]>('pacsListSeries', { studyUid: demo.studyUid });
    expect(series).toEqual([expect.objectContaining({ seriesUid: demo.seriesUid, instanceCount: 120, modality: 'CT' })]);
  });

  it('retrieves the study with progress into the cache and opens it like a local folder, voxel for voxel', async () => {
    const t0 = performance.now();
    const started = await call<PacsTransferStatus>('pacsRetrieve', { studyUid: demo.studyUid });
    const seen: PacsTransferStatus[] = [];
    const done = await waitTransfer(started.id, seen);
    figures.retrieveDemoCtMs = (performance.now() - t0).toFixed(0);
    expect(done.error).toBeUndefined();
    expect(done).toMatchObject({ state: 'done', done: 120, total: 120 });
    expect(done.bytes).toBeGreaterThan(120 * 512 * 512 * 2);
    figures.retrievedMB = (done.bytes / 2 ** 20).toFixed(1);
    // Progress is reported on the way and never goes back.
    const dones = seen.map((s) => s.done);
    expect(dones.some((d) => d > 0 && d < 120)).toBe(true);
    expect(dones.every((d, i) => i === 0 || d >= dones[i - 1])).toBe(true);
    expect(done.report?.openedSeries).toEqual([demo.seriesUid]);
    expect(readdirSync(retrievedFolder(path.join(cacheDir, 'pacs'), { studyUid: demo.studyUid }))).toHaveLength(120);
    expect(incomingLeft()).toEqual([]);

    const info = await engine.loadVolume(demo.seriesUid);
    expect(info.geometry.dimensions).toEqual([512, 512, 120]);
    const local = new Engine({ cacheDir: path.join(tmp, 'local-cache') });
    try {
      await local.openPaths([demoDir]);
      const expected = await local.getVoxels(demo.seriesUid);
      const got = await engine.getVoxels(demo.seriesUid);
      expect(got.length).toBe(expected.length);
      let differ = 0;
      for (let i = 0; i < got.length; i++) if (got[i] !== expected[i]) differ++;
      expect(differ).toBe(0);
      expect((await local.loadVolume(demo.seriesUid)).geometry).toEqual(info.geometry);
    } finally {
      await local.dispose();
    }
  });

  it('exports Grad-CAM key images of the retrieved study, sends them back (STOW) and finds the new series', async () => {
    const model = await engine.importModel(path.join(bundledModelsDir(), 'ct-nodule-classifier'));
    const job = await engine.startExplanation(demo.seriesUid, model.id, 'gradcam', {});
    await engine.waitForJob(job.id);
    const outDir = path.join(tmp, 'export');
    const exported = await call<{ exportId: string; files: string[]; dicomFiles: number; methods: string[] }>('exportReport', {
      seriesUid: demo.seriesUid,
      outDir,
      pdf: false,
      dicom: true,
    });
    expect(exported.methods).toEqual(['gradcam']);
    expect(exported.dicomFiles).toBeGreaterThanOrEqual(1);
    const dicomFiles = exported.files.filter((f) => f.endsWith('.dcm'));

    const t0 = performance.now();
    const sent = await call<StowResult>('pacsSendExport', { exportId: exported.exportId });
    figures.stowExportMs = (performance.now() - t0).toFixed(0);
    figures.stowExportInstances = String(sent.instances.length);
    figures.stowExportMB = (dicomFiles.reduce((n, f) => n + statSync(path.join(outDir, f)).size, 0) / 2 ** 20).toFixed(1);
    expect(sent.failed).toBe(0);
    expect(sent.instances.map((i) => i.file).sort()).toEqual(dicomFiles.sort());
    expect(sent.instances.every((i) => i.ok)).toBe(true);

    // Each exported series is now in the study on the PACS, with its modality and instance count.
    const onPacs = await call<{ seriesUid: string; modality: string; instanceCount: number }[]>('pacsListSeries', { studyUid: demo.studyUid });
    const exportedSeries = new Map<string, { modality: string; sopClass: string; count: number }>();
    for (const f of dicomFiles) {
      const ds = await readNatural(path.join(outDir, f));
      expect(ds.StudyInstanceUID).toBe(demo.studyUid);
      const s = exportedSeries.get(String(ds.SeriesInstanceUID)) ?? { modality: String(ds.Modality), sopClass: String(ds.SOPClassUID), count: 0 };
      s.count++;
      exportedSeries.set(String(ds.SeriesInstanceUID), s);
    }
    for (const [uid, s] of exportedSeries)
      expect(onPacs).toContainEqual(expect.objectContaining({ seriesUid: uid, modality: s.modality, instanceCount: s.count }));
    expect(onPacs).toHaveLength(1 + exportedSeries.size);

    // The key image, retrieved back from the PACS, references source images of the original CT.
    const sc = [...exportedSeries.entries()].find(([, s]) => s.sopClass === SECONDARY_CAPTURE)!;
    const back = await call<PacsTransferStatus>('pacsRetrieve', { studyUid: demo.studyUid, seriesUid: sc[0] });
    const backDone = await waitTransfer(back.id);
    expect(backDone.state).toBe('done');
    const folder = retrievedFolder(path.join(cacheDir, 'pacs'), { studyUid: demo.studyUid, seriesUid: sc[0] });
    const sourceUids = new Set<string>();
    for (const f of readdirSync(folder)) {
      const ds = await readNatural(path.join(folder, f));
      for (const ref of (ds.SourceImageSequence as { ReferencedSOPInstanceUID: string }[]) ?? []) sourceUids.add(ref.ReferencedSOPInstanceUID);
    }
    expect(sourceUids.size).toBeGreaterThan(0);
    const demoSops = new Set(await Promise.all(demo.files.map(async (f) => String((await readNatural(f)).SOPInstanceUID))));
    for (const u of sourceUids) expect(demoSops.has(u)).toBe(true);
  });
});

describe('PACS failures give clear messages and store nothing half', () => {
  it('times out when the server stops answering', async () => {
    await configure({ timeoutSeconds: 1 });
    process.kill(orthanc.pid(), 'SIGSTOP'); // the real server, frozen: connections hang
    try {
      const t0 = performance.now();
      await expect(call('pacsSearch', {})).rejects.toThrow(/did not answer within 1 s/);
      expect(performance.now() - t0).toBeLessThan(5000);
    } finally {
      process.kill(orthanc.pid(), 'SIGCONT');
      await configure();
    }
  });

  it('says when the URL is not a DICOMweb root', async () => {
    try {
      await configure({ baseUrl: orthanc.restUrl }); // Orthanc's own REST API, not DICOMweb
      await expect(call('pacsSearch', {})).rejects.toThrow(/400 Bad Request; is the URL the DICOMweb root/);
      await expect(call('pacsListSeries', { studyUid: demo.studyUid })).rejects.toThrow(/not found .*404; is the DICOMweb URL right/);
      await configure({ baseUrl: orthanc.restUrl + '/nothing-here' });
      await expect(call('pacsSearch', {})).rejects.toThrow(/404/);
    } finally {
      await configure();
    }
  });

  it('a retrieval cut off midway keeps nothing and says so', async () => {
    const target = { studyUid: demo.studyUid, seriesUid: demo.seriesUid };
    const started = await call<PacsTransferStatus>('pacsRetrieve', target);
    let killed = false;
    for (;;) {
      const s = await call<PacsTransferStatus>('pacsTransfer', { transferId: started.id });
      if (!killed && s.done >= 10) {
        killed = true;
        await orthanc.kill();
      }
      if (s.state !== 'running') {
        expect(killed).toBe(true);
        expect(s.state).toBe('failed');
        expect(s.error).toMatch(/ended before the last instance|closed the connection|partial retrieval/);
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(existsSync(retrievedFolder(path.join(cacheDir, 'pacs'), target))).toBe(false);
    expect(incomingLeft()).toEqual([]);
  });

  it('says when the server is down', async () => {
    await expect(call('pacsSearch', {})).rejects.toThrow(/connection refused \(is the server running/);
    const retrieval = await waitTransfer((await call<PacsTransferStatus>('pacsRetrieve', { studyUid: demo.studyUid })).id);
    expect(retrieval).toMatchObject({ state: 'failed', error: expect.stringMatching(/connection refused/) });
    await orthanc.start(); // back up on the same storage: what was stored is still there
    expect(await call('pacsSearch', { patientName: 'Demo' })).toHaveLength(1);
  });

  it('a cancelled retrieval keeps nothing', async () => {
    const target = { studyUid: demo.studyUid, seriesUid: demo.seriesUid };
    const started = await call<PacsTransferStatus>('pacsRetrieve', target);
    await call('pacsCancelTransfer', { transferId: started.id });
    const end = await waitTransfer(started.id);
    expect(end.state).toBe('cancelled');
    expect(existsSync(retrievedFolder(path.join(cacheDir, 'pacs'), target))).toBe(false);
    expect(incomingLeft()).toEqual([]);
  });
});
