// [I] read-back through a PACS: the demo CT and Explicare's DICOM export of its Grad-CAM are stored
// in a real Orthanc (STOW-RS), then a fresh engine retrieves the whole study (WADO-RS) and opens it:
// the SEG and the Parametric Map that came back read exactly as the files written to disk do (and
// those equal the map: test/unit/readback-ct.test.ts), and the series opens as before.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PacsTransferStatus } from '../../src/shared/pacsApi';
import { generateCtStudy, type CtDemoResult } from '../../src/main/engine/demo';
import { dispatch } from '../../src/main/engine/dispatch';
import { Engine } from '../../src/main/engine/engine';
import { bundledModelsDir } from '../../src/main/engine/paths';
import { retrievedFolder } from '../../src/main/engine/pacs/wadoRetrieve';
import { parseDicom } from '../../src/main/engine/dicom/parseFile';
import { readImageHeader } from '../../src/main/engine/dicom/imageHeader';
import { startOrthanc, type Orthanc } from './support/orthanc';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-pacs-readback-'));
const demoDir = path.join(tmp, 'demo-ct');
const outDir = path.join(tmp, 'export');
let orthanc: Orthanc;
let demo: CtDemoResult;
const engines: Engine[] = [];

function engineWith(cache: string): Engine {
  const e = new Engine({ cacheDir: path.join(tmp, cache), bundledModelsDir: bundledModelsDir() });
  engines.push(e);
  return e;
}
const call = <T>(e: Engine, method: Parameters<typeof dispatch>[1], args: unknown = {}) => dispatch(e, method, args) as Promise<T>;
const configure = (e: Engine) => call(e, 'pacsSaveSettings', { baseUrl: orthanc.dicomWebUrl, authorization: orthanc.authorization, timeoutSeconds: 30 });

async function waitTransfer(e: Engine, id: string): Promise<PacsTransferStatus> {
  for (;;) {
    const s = await call<PacsTransferStatus>(e, 'pacsTransfer', { transferId: id });
    if (s.state !== 'running') return s;
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  orthanc = await startOrthanc(path.join(tmp, 'orthanc'));
  demo = await generateCtStudy({ seed: 2, outDir: demoDir, slices: 24, rows: 128, columns: 128 });
});

afterAll(async () => {
  for (const e of engines) await e.dispose();
  await orthanc?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('SEG and Parametric Map through Orthanc', () => {
  it('STOW the CT and the export, WADO the study back into a fresh engine: the same SEG and PM voxels as from disk', async () => {
    const writer = engineWith('writer-cache');
    await configure(writer);
    const ct = readdirSync(demoDir).filter((f) => f.endsWith('.dcm'));
    expect((await writer.pacs.send(demoDir, ct)).failed).toBe(0);
    await writer.openPaths([demoDir]);
    const model = await writer.importModel(path.join(bundledModelsDir(), 'ct-nodule-classifier'));
    const job = await writer.startExplanation(demo.seriesUid, model.id, 'gradcam', {});
    await writer.waitForJob(job.id);
    const exported = await call<{ exportId: string; files: string[] }>(writer, 'exportReport', { seriesUid: demo.seriesUid, outDir, pdf: false, dicom: true });
    const sent = await call<{ failed: number; instances: { file: string }[] }>(writer, 'pacsSendExport', { exportId: exported.exportId });
    expect(sent.failed).toBe(0);

    // What the files on disk read as, opened with the series.
    const local = engineWith('local-cache');
    await local.openPaths([demoDir, path.join(outDir, 'dicom')]);
    const onDisk = await local.listDerived(demo.seriesUid);
    expect(onDisk.map((d) => d.kind).sort()).toEqual(['pm', 'seg', 'sr']);

    // A reader that has only the PACS.
    const reader = engineWith('reader-cache');
    await configure(reader);
    const started = await call<PacsTransferStatus>(reader, 'pacsRetrieve', { studyUid: demo.studyUid });
    const done = await waitTransfer(reader, started.id);
    expect(done.error).toBeUndefined();
    expect(done.state).toBe('done');
    expect(done.report?.skipped.filter((s) => s.file.endsWith('.dcm') || !s.file.includes('.'))).toEqual([]);
    const fromPacs = await reader.listDerived(demo.seriesUid);
    expect(fromPacs.filter((d) => d.refusal)).toEqual([]);
    expect(fromPacs.map((d) => d.kind).sort()).toEqual(['pm', 'seg', 'sr']);
    expect((await reader.loadVolume(demo.seriesUid)).geometry).toEqual((await local.loadVolume(demo.seriesUid)).geometry);

    for (const kind of ['pm', 'seg'] as const) {
      const a = onDisk.find((d) => d.kind === kind)!;
      const b = fromPacs.find((d) => d.kind === kind)!;
      expect(b.uid).toBe(a.uid);
      expect({ ...b, file: '' }).toEqual({ ...a, file: '' });
      for (const segment of kind === 'seg' ? [0, 1] : [0]) {
        const x = await local.derivedMap(demo.seriesUid, a.uid, segment);
        const y = await reader.derivedMap(demo.seriesUid, b.uid, segment);
        let differ = 0;
        for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) differ++;
        expect(differ, `${kind} segment ${segment}`).toBe(0);
      }
    }
    // Which encoding the PACS handed back (it may transcode on WADO-RS): recorded, not required.
    const folder = retrievedFolder(path.join(tmp, 'reader-cache', 'pacs'), { studyUid: demo.studyUid });
    for (const f of readdirSync(folder)) {
      const parsed = parseDicom(readFileSync(path.join(folder, f)), { untilPixelData: true });
      const sopClass = readImageHeader(parsed.dataSet).sopClassUid;
      if (sopClass === '1.2.840.10008.5.1.4.1.1.66.4' || sopClass === '1.2.840.10008.5.1.4.1.1.30')
        console.info(`from Orthanc: ${sopClass.endsWith('.30') ? 'Parametric Map' : 'SEG'} in transfer syntax ${parsed.transferSyntaxUid}`);
    }
  });

  // Uses what the test above stored in Orthanc.
  it('retrieving only the SEG series, with the CT already open: the SEG comes in as an object of the CT, not a series', async () => {
    const e = engineWith('seg-only-cache');
    await configure(e);
    await e.openPaths([demoDir]);
    const series = await call<{ seriesUid: string; modality: string }[]>(e, 'pacsListSeries', { studyUid: demo.studyUid });
    const seg = series.find((s) => s.modality === 'SEG')!;
    const started = await call<PacsTransferStatus>(e, 'pacsRetrieve', { studyUid: demo.studyUid, seriesUid: seg.seriesUid });
    const done = await waitTransfer(e, started.id);
    expect(done.error).toBeUndefined();
    expect(done.state).toBe('done');
    expect(done.report?.openedSeries).toEqual([]);
    expect(e.listStudies()[0].series.map((s) => s.seriesUid)).toEqual([demo.seriesUid]);
    const derived = await e.listDerived(demo.seriesUid);
    expect(derived.map((d) => [d.kind, d.refusal])).toEqual([['seg', undefined]]);
  });
});
