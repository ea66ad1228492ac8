// Gradient methods end to end through the engine on small models: Grad-CAM finds where the
// evidence is, Integrated Gradients satisfies completeness, unsupported models fail clearly.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine';
import { pydicomFile } from './dicom-test-helpers';

let work: string;
let engine: Engine;
let seriesUid: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'explicare-gradmethods-'));
  engine = new Engine({ cacheDir: path.join(work, 'cache'), bundledModelsDir: path.join(work, 'none') });
  seriesUid = (await engine.openPaths([pydicomFile('CT_small.dcm')])).openedSeries[0];
});
afterAll(async () => {
  await engine.dispose();
  rmSync(work, { recursive: true, force: true });
});

async function explain(model: string, method: string, options: Record<string, unknown> = {}) {
  const id = (await engine.importModel(path.resolve('test/fixtures/models', model))).id;
  const job = await engine.startExplanation(seriesUid, id, method, options);
  return engine.waitForJob(job.id);
}

describe('gradient methods', () => {
  it('integrated gradients satisfy completeness within 1%', async () => {
    for (const model of ['region-classifier', 'tiny-ct-classifier']) {
      const r = await explain(model, 'ig', { steps: 64 });
      const c = r.details.completeness as { relativeError: number; scoreDifference: number };
      expect(Math.abs(c.scoreDifference)).toBeGreaterThan(1e-3);
      expect(c.relativeError).toBeLessThan(0.01);
    }
  });

  it('IG attributions of the region model lie only in its evidence block', async () => {
    const r = await explain('region-classifier', 'ig', { steps: 16 });
    const map = r.maps[0];
    let inside = 0;
    let outside = 0;
    for (let z = 0; z < 8; z++) for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) {
      const v = Math.abs(map[(z * 16 + y) * 16 + x]);
      if (z < 4 && y < 8 && x < 8) inside += v;
      else outside += v;
    }
    expect(inside).toBeGreaterThan(0);
    expect(outside).toBe(0);
  });

  it('Grad-CAM and Grad-CAM++ give non-negative maps on the model grid', async () => {
    for (const method of ['gradcam', 'gradcampp']) {
      const r = await explain('tiny-ct-classifier', method);
      expect(r.maps[0].length).toBe(16 * 16 * 8);
      expect(Math.min(...r.maps[0])).toBeGreaterThanOrEqual(0);
      expect(r.details.activationShape).toEqual([1, 4, 8, 16, 16]);
    }
  });

  it('a model without a spatial layer names the problem for Grad-CAM', async () => {
    const id = (await engine.importModel(path.resolve('test/fixtures/models/region-classifier'))).id;
    const job = await engine.startExplanation(seriesUid, id, 'gradcam', {});
    await expect(engine.waitForJob(job.id)).rejects.toThrow(/Grad-CAM target layer/);
  });
});
