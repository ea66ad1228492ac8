// The app's Export from memory: the engine's finished jobs and the prediction it showed, handed to
// the report without a result folder, a second engine or another scan of the study.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCtStudy } from '../../src/main/engine/demo';
import { Engine } from '../../src/main/engine/engine';
import { bundledModelsDir } from '../../src/main/engine/paths';
import { readNatural } from '../../src/main/engine/report/studySource';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-session-export-'));
const study = path.join(tmp, 'ct');
let engine: Engine;
let seriesUid: string;
let modelId: string;

beforeAll(async () => {
  await generateCtStudy({ seed: 5, outDir: study, slices: 24, rows: 128, columns: 128 });
  engine = new Engine({ cacheDir: path.join(tmp, 'cache'), bundledModelsDir: bundledModelsDir() });
  seriesUid = (await engine.openPaths([study])).openedSeries[0];
  modelId = (await engine.importModel(path.join(bundledModelsDir(), 'ct-nodule-classifier'))).id;
}, 60_000);

afterAll(async () => {
  await engine.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

/** The export request of these tests: PDF only, nothing overwritten; `over` changes what a test needs. */
const exportArgs = (outDir: string, over: Partial<Parameters<Engine['exportReport']>[0]> = {}) => ({
  seriesUid,
  outDir,
  pdf: true,
  dicom: false,
  anonymize: false,
  comment: '',
  includeFreeText: false,
  allowBurnedInAnnotation: false,
  overwrite: false,
  ...over,
});

describe('export of the session', () => {
  it('refuses a series with no finished explanation', async () => {
    await expect(
      engine.exportReport(exportArgs(path.join(tmp, 'none'))),
    ).rejects.toThrow(/nothing to export yet/);
  });

  it('writes the PDF and DICOM objects of the latest explanation, with the prediction the app showed', async () => {
    await engine.runModel(seriesUid, modelId); // the app shows the prediction first; the export reports that one
    const job = await engine.startExplanation(seriesUid, modelId, 'gradcam', {});
    await engine.waitForJob(job.id);
    const outDir = path.join(tmp, 'out');
    const r = await engine.exportReport(exportArgs(outDir, { dicom: true, comment: 'from memory' }));
    expect(r.methods).toEqual(['gradcam']);
    expect(r.files).toContain('report.pdf');
    expect(r.dicomFiles).toBe(4); // SC, PM, SEG, SR
    for (const f of r.files) expect(existsSync(path.join(outDir, f))).toBe(true);
  }, 120_000);

  it('puts the faithfulness curves the user computed on the job card (plain and ROAD) into the PDF', async () => {
    const job = await engine.startExplanation(seriesUid, modelId, 'gradcam', {});
    await engine.waitForJob(job.id);
    const m = await engine.explanationMetrics(job.id); // what the card's "Faithfulness curves" button asks for
    const outDir = path.join(tmp, 'with-curves');
    const r = await engine.exportReport(exportArgs(outDir));
    const text = execFileSync('pdftotext', ['-layout', path.join(outDir, r.files.find((f) => f.endsWith('.pdf'))!), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain(`gradcam, constant baseline: deletion AUC ${m.faithfulness.deletion.auc.toFixed(4)}`);
    expect(text).toContain(`gradcam, ROAD imputation: deletion AUC ${m.faithfulness.road.deletion.auc.toFixed(4)}`);
  }, 180_000);

  it("draws the key images in the colour map the app sends (the viewer's)", async () => {
    const outDir = path.join(tmp, 'viridis');
    const r = await engine.exportReport(exportArgs(outDir, { pdf: false, dicom: true, colormap: 'viridis' }));
    const sc = await readNatural(path.join(outDir, r.files.find((f) => /SC-gradcam\.dcm$/.test(f))!));
    expect(JSON.stringify(sc)).toMatch(/gradcam saliency \(viridis, /);
  }, 60_000);

  it('refuses to write over an earlier export unless asked, naming the file', async () => {
    const outDir = path.join(tmp, 'out');
    const args = exportArgs(outDir);
    await expect(engine.exportReport(args)).rejects.toThrow(/^Export failed: .*report\.pdf already exists/);
    expect((await engine.exportReport({ ...args, overwrite: true })).files).toEqual(['report.pdf']);
  }, 60_000);
});
