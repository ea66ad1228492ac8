// Explanations through the engine: a job with progress, the map on the model grid, the disk cache
// (a second request is answered at once), cancellation, and clear option errors.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine';
import { upperTail } from '../../src/main/engine/explain/mupax/significance';
import { pydicomFile } from './dicom-test-helpers';

let work: string;
let engine: Engine;
let seriesUid: string;
let modelId: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'explicare-explain-'));
  engine = new Engine({ cacheDir: path.join(work, 'cache'), bundledModelsDir: path.join(work, 'none') });
  seriesUid = (await engine.openPaths([pydicomFile('CT_small.dcm')])).openedSeries[0];
  modelId = (await engine.importModel(path.resolve('test/fixtures/models/region-classifier'))).id;
});
afterAll(async () => {
  await engine.dispose();
  rmSync(work, { recursive: true, force: true });
});

const opts = { samples: 256, chunk: [4, 8, 8], seed: 5 };

describe('explanation jobs', () => {
  it('runs MUPAX as a job, then answers the same request from the cache', async () => {
    const job = await engine.startExplanation(seriesUid, modelId, 'mupax', opts);
    expect(job.fromCache).toBe(false);
    const result = await engine.waitForJob(job.id);
    const status = engine.jobStatus(job.id);
    expect(status.state).toBe('done');
    expect(status.done).toBe(256);
    expect(status.result!.grid.dimensions).toEqual([16, 16, 8]);
    const map = engine.explanationMap(job.id, 0, false);
    expect(map.length).toBe(16 * 16 * 8);

    const again = await engine.startExplanation(seriesUid, modelId, 'mupax', { ...opts });
    expect(again.fromCache).toBe(true);
    expect(engine.jobStatus(again.id).state).toBe('done');
    expect(engine.explanationMap(again.id, 0, false)).toEqual(map);
    expect((await engine.waitForJob(again.id)).explainedInput).toEqual(result.explainedInput);
  });

  it('RISE and the regression give landmark models an "any landmark" map: one Benjamini-Hochberg family over the landmarks\' chunk tests', async () => {
    const lm = (await engine.importModel(path.resolve('test/fixtures/models/tiny-landmarks'))).id;
    for (const method of ['rise', 'regression'] as const) {
      // A loose q, so that the untrained model's chunks pass in some landmarks and not in others.
      const job = await engine.startExplanation(seriesUid, lm, method, { samples: 256, chunk: [1, 8, 8], seed: 3, fdr: 0.3 });
      const r = await engine.waitForJob(job.id);
      expect(r.targets).toEqual(['Sella', 'Nasion', 'Orbitale', 'mean landmark error', 'any landmark']);
      // Chunk-level z of each landmark (one voxel per 8 x 8 chunk of the 24 x 32 grid), and an
      // independent step-up over the 3 x 12 one-sided p-values.
      const [gx, gy] = r.grid.dimensions;
      const firstVoxels: number[] = [];
      for (let y = 0; y < gy; y += 8) for (let x = 0; x < gx; x += 8) firstVoxels.push(y * gx + x);
      const tests = [0, 1, 2].flatMap((t) => firstVoxels.map((v, c) => ({ c, p: upperTail(r.layers!.z[t][v]) })));
      const sorted = [...tests].sort((a, b) => a.p - b.p);
      let k = 0;
      sorted.forEach((s, i) => {
        if (s.p <= ((i + 1) * 0.3) / tests.length) k = i + 1;
      });
      const expected = new Set(sorted.slice(0, k).map((s) => s.c));
      const got = new Set(firstVoxels.flatMap((v, c) => (r.layers!.significant[4][v] ? [c] : [])));
      expect([...got].sort()).toEqual([...expected].sort());
      expect(got.size).toBeGreaterThan(0);
      // Each chunk of the region shows its largest landmark z.
      for (const c of got) expect(r.maps[4][firstVoxels[c]]).toBeCloseTo(Math.max(...[0, 1, 2].map((t) => r.layers!.z[t][firstVoxels[c]])), 5);
    }
  });

  it('cancels a running job', async () => {
    const job = await engine.startExplanation(seriesUid, modelId, 'mupax', { ...opts, samples: 20_000, seed: 99 });
    engine.cancelJob(job.id);
    await expect(engine.waitForJob(job.id)).rejects.toThrow(/cancelled/);
    expect(engine.jobStatus(job.id).state).toBe('cancelled');
  });

  it('gives one map per landmark plus the mean-error map, from one pass of samples', async () => {
    const lm = (await engine.importModel(path.resolve('test/fixtures/models/tiny-landmarks'))).id;
    const job = await engine.startExplanation(seriesUid, lm, 'mupax', { samples: 256, chunk: [1, 8, 8], mode: 'paper', stableChecks: 0 });
    const r = await engine.waitForJob(job.id);
    expect(r.targets).toEqual(['Sella', 'Nasion', 'Orbitale', 'mean landmark error', 'any landmark']);
    expect(r.maps).toHaveLength(5);
    expect(engine.jobStatus(job.id).done).toBe(256); // not 4 x 256: the maps share the forward passes
    const significance = r.details.significance as { target: string; accepted: number }[];
    expect(significance.map((s) => s.target)).toEqual(r.targets);
    // mu <= W (20th percentile of 256): at least 51 each, more when errors tie at W; own sets per target.
    for (const a of significance) expect(a.accepted).toBeGreaterThanOrEqual(51);
    // "any landmark" is the union of what the joint test finds per landmark: it holds each landmark's
    // region only where that landmark's chunk passes the joint (stricter) threshold.
    const any = r.layers!.significant[4];
    for (let t = 0; t < 3; t++)
      for (let v = 0; v < any.length; v++)
        if (
          r.layers!.z[t][v] >= (significance[4] as { zThreshold: number | null } & (typeof significance)[number]).zThreshold! + 1e-9 &&
          r.layers!.significant[t][v]
        )
          expect(any[v]).toBe(1);
    expect(new Set(r.layers!.retention.map((m) => Array.from(m.slice(0, 64)).join())).size).toBeGreaterThan(1);
    // Every layer is served per target, and each significant map is 0/1.
    for (const layer of ['retention', 'z', 'significant'] as const) expect(engine.explanationMap(job.id, 1, false, layer)).toHaveLength(r.maps[1].length);
    for (const t of [3, 4]) for (const v of engine.explanationMap(job.id, t, false, 'significant')) expect(v === 0 || v === 1).toBe(true);
  });

  it('one chosen landmark: MUPAX and RISE make its map the main (last) one, layers and statistics alongside', async () => {
    const lm = (await engine.importModel(path.resolve('test/fixtures/models/tiny-landmarks'))).id;
    const o = { samples: 256, chunk: [1, 8, 8], mode: 'paper', stableChecks: 0, seed: 3 };
    for (const method of ['mupax', 'rise']) {
      const all = await engine.waitForJob((await engine.startExplanation(seriesUid, lm, method, o)).id);
      const one = await engine.waitForJob((await engine.startExplanation(seriesUid, lm, method, { ...o, target: 'Nasion' })).id);
      // Every reader (overlay, main NIfTI, metrics, sanity check, reports) takes the last map as the main one.
      expect(one.targets.at(-1)).toBe('Nasion');
      const significance = one.details.significance as { target: string }[];
      expect(significance.map((s) => s.target)).toEqual(one.targets);
      // The same samples and tests as the run over every landmark: only the order differs.
      const a = all.targets.indexOf('Nasion');
      const b = one.targets.length - 1;
      expect(Array.from(one.maps[b])).toEqual(Array.from(all.maps[a]));
      for (const layer of Object.keys(all.layers!)) expect(Array.from(one.layers![layer][b])).toEqual(Array.from(all.layers![layer][a]));
      expect([...one.targets].sort()).toEqual([...all.targets].sort());
    }
  });

  it('names bad methods and options', async () => {
    await expect(engine.startExplanation(seriesUid, modelId, 'lime', {})).rejects.toThrow(/unknown explanation method "lime" \(available: mupax/);
    await expect(engine.startExplanation(seriesUid, modelId, 'mupax', { percentile: 150 })).rejects.toThrow(/mupax options: percentile/);
    await expect(engine.startExplanation(seriesUid, modelId, 'mupax', { target: 'pneumonia' })).rejects.toThrow(
      /mupax options: target "pneumonia" is not a class of this model \(its classes: 0 /,
    );
    await expect(engine.startExplanation(seriesUid, modelId, 'gradcam', { target: 7 })).rejects.toThrow(/gradcam options: target 7: the model has no class 7/);
    await expect(engine.startExplanation(seriesUid, modelId, 'mupax', { fdr: 1.5 })).rejects.toThrow(/mupax options: fdr/);
    const job = await engine.startExplanation(seriesUid, modelId, 'mupax', { chunk: [16, 16, 16] });
    await expect(engine.waitForJob(job.id)).rejects.toThrow(/larger than the model input/);
  });
});
