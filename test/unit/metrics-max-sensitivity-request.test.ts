// Max-sensitivity on request: the API's bounds (the app may ask for 1..8 perturbations, nothing
// else), the `N[:methods]` form shared by `evaluate --max-sensitivity` and EXPLICARE_MAX_SENSITIVITY,
// and the engine's answer to the app's call on a demo cephalogram with Grad-CAM, checked against the
// same reruns done by hand here (Grad-CAM on the perturbed inputs, the relative L2 change).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiArgs } from '../../src/shared/api';
import { generateCeph } from '../../src/main/engine/demo/ceph';
import { dispatch } from '../../src/main/engine/dispatch';
import { Engine } from '../../src/main/engine/engine';
import { METHODS } from '../../src/main/engine/explain/methods';
import { perturbed } from '../../src/main/engine/metrics/maxSensitivity';
import { bundledModelsDir } from '../../src/main/engine/paths';
import { parseSensitivityRequest, perturbationsFor, sensitivityFor, sensitivityFromEnv } from '../../src/main/engine/services/explanationMetrics';
import type { ExplanationMetricsReply } from '../../src/shared/api';

describe('getExplanationMetrics arguments', () => {
  const ok = (v: unknown) => apiArgs.getExplanationMetrics.safeParse(v).success;
  it('takes 1..8 whole perturbations, or none', () => {
    expect(ok({ jobId: 'job-1' })).toBe(true);
    expect(ok({ jobId: 'job-1', maxSensitivity: { perturbations: 1 } })).toBe(true);
    expect(ok({ jobId: 'job-1', maxSensitivity: { perturbations: 8 } })).toBe(true);
  });
  it('refuses 0, 9, fractions, strings, extra fields and an empty object', () => {
    for (const perturbations of [0, 9, 2.5, -1, '3', null, Number.NaN, Infinity]) expect(ok({ jobId: 'job-1', maxSensitivity: { perturbations } }), String(perturbations)).toBe(false);
    expect(ok({ jobId: 'job-1', maxSensitivity: { perturbations: 2, radiusFraction: 0.5 } })).toBe(false);
    expect(ok({ jobId: 'job-1', maxSensitivity: {} })).toBe(false);
    expect(ok({ jobId: 'job-1', maxSensitivity: 3 })).toBe(false);
    expect(ok({ jobId: 'job-1', sensitivity: { perturbations: 2 } })).toBe(false);
  });
});

describe('the N[:method,method] form (evaluate --max-sensitivity, EXPLICARE_MAX_SENSITIVITY)', () => {
  it('reads N for every method, or N for the listed methods only', () => {
    expect(parseSensitivityRequest('3', '--max-sensitivity')).toEqual({ perturbations: 3 });
    expect(parseSensitivityRequest('2:gradcam,ig', '--max-sensitivity')).toEqual({ perturbations: 2, methods: ['gradcam', 'ig'] });
    // Only the first ":" ends N: a variant is listed as written.
    expect(parseSensitivityRequest('2:mupax:paper,ig', '--max-sensitivity')).toEqual({ perturbations: 2, methods: ['mupax:paper', 'ig'] });
    // Per method as written in --methods (what a case job carries): by id covers every variant.
    const byVariant = parseSensitivityRequest('3:mupax:paper', 'x')!;
    expect(['mupax:paper', 'mupax', 'gradcam'].map((m) => perturbationsFor(byVariant, m))).toEqual([3, 0, 0]);
    const byId = parseSensitivityRequest('4:mupax', 'x')!;
    expect(['mupax:paper', 'mupax', 'gradcam'].map((m) => perturbationsFor(byId, m))).toEqual([4, 4, 0]);
    expect(perturbationsFor({ perturbations: 5 }, 'rise')).toBe(5);
    expect(perturbationsFor({ perturbations: 0 }, 'rise')).toBe(0);
    expect(parseSensitivityRequest(undefined, 'x')).toBeUndefined();
    expect(parseSensitivityRequest('0', 'x')).toBeUndefined();
    const only = parseSensitivityRequest('2:gradcam,ig', 'x');
    expect(sensitivityFor(only, 'ig')).toEqual({ perturbations: 2, radiusFraction: 0.02, seed: 0 });
    expect(sensitivityFor(only, 'mupax')).toBeUndefined();
    expect(sensitivityFromEnv('mupax', { EXPLICARE_MAX_SENSITIVITY: '4' })).toEqual({ perturbations: 4, radiusFraction: 0.02, seed: 0 });
    expect(sensitivityFromEnv('mupax', {})).toBeUndefined();
  });
  it('refuses anything else, naming the flag or variable', () => {
    for (const bad of ['33', '-1', '1.5', 'x', '2:', '2:gradcam,,ig', '2:ig:', '2:mupax:,ig', ' 2', '1e1'])
      expect(() => parseSensitivityRequest(bad, '--max-sensitivity'), bad).toThrow(/^--max-sensitivity must be N or N:method,method with N perturbations in 1\.\.32, got "/);
    expect(() => sensitivityFromEnv('gradcam', { EXPLICARE_MAX_SENSITIVITY: 'lots' })).toThrow(/^EXPLICARE_MAX_SENSITIVITY must be/);
  });
});

describe('max-sensitivity through the API (demo cephalogram, Grad-CAM)', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-max-sensitivity-'));
  let engine: Engine;
  let seriesUid: string;
  let modelId: string;
  beforeAll(async () => {
    await generateCeph({ seed: 7, outDir: path.join(tmp, 'ceph'), columns: 640, rows: 800 });
    engine = new Engine({ cacheDir: path.join(tmp, 'cache'), bundledModelsDir: bundledModelsDir() });
    seriesUid = (await engine.openPaths([path.join(tmp, 'ceph')])).openedSeries[0];
    modelId = (await engine.importModel(path.join(bundledModelsDir(), 'ceph-landmarks'))).id;
  }, 120_000);
  afterAll(async () => {
    await engine?.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('reruns only the method after the curves, equals the reruns done by hand, stays with the map and goes into the PDF', async () => {
    const job = await engine.startExplanation(seriesUid, modelId, 'gradcam', {});
    const result = await engine.waitForJob(job.id);
    const suite = (await dispatch(engine, 'getExplanationMetrics', { jobId: job.id })) as ExplanationMetricsReply;
    expect(suite.maxSensitivity).toBeNull();

    const asked = (await dispatch(engine, 'getExplanationMetrics', { jobId: job.id, maxSensitivity: { perturbations: 2 } })) as ExplanationMetricsReply;
    expect(asked.faithfulness).toBe(suite.faithfulness); // the suite was not computed again
    const s = asked.maxSensitivity!;
    expect(s.perturbations).toBe(2);
    expect(s.radiusFraction).toBe(0.02);
    expect(s.perDraw).toHaveLength(2);

    // By hand: Grad-CAM on x + uniform noise of +-2% of x's range (draws 0 and 1, seed 0), relative L2 change.
    const ctx = await engine.explainContextFor(seriesUid, modelId);
    const x = ctx.input.data;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of x) ((lo = Math.min(lo, v)), (hi = Math.max(hi, v)));
    const map = result.maps[result.maps.length - 1];
    let norm = 0;
    for (const v of map) norm += v * v;
    const byHand: number[] = [];
    for (const d of [0, 1]) {
      const out = await METHODS.gradcam.run({ ...ctx, input: { ...ctx.input, data: perturbed(x, 0.02 * (hi - lo), 0, d) } }, METHODS.gradcam.parse({}), () => {}, new AbortController().signal);
      const other = out.maps[out.maps.length - 1].data;
      let diff = 0;
      for (let v = 0; v < map.length; v++) diff += (other[v] - map[v]) ** 2;
      byHand.push(Math.sqrt(diff / norm));
    }
    for (const d of [0, 1]) expect(s.perDraw[d]).toBeCloseTo(byHand[d], 9);
    expect(s.value).toBe(Math.max(...s.perDraw));
    expect(s.value).toBeGreaterThan(0);

    // A later call that does not ask (the card reopened) still carries it, as does the export.
    const later = (await dispatch(engine, 'getExplanationMetrics', { jobId: job.id })) as ExplanationMetricsReply;
    expect(later.maxSensitivity).toEqual(s);
    const outDir = path.join(tmp, 'export');
    const r = await engine.exportReport({ seriesUid, outDir, pdf: true, dicom: false, anonymize: false, comment: '', includeFreeText: false, allowBurnedInAnnotation: false, overwrite: false });
    const text = execFileSync('pdftotext', ['-layout', path.join(outDir, r.files.find((f) => f.endsWith('.pdf'))!), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain(`gradcam: max-sensitivity ${s.value!.toFixed(4)}. Under noise of up to 2% of the intensity range (2 noisy copies)`);
  }, 300_000);

  it('refuses 9 perturbations before anything runs', async () => {
    await expect(dispatch(engine, 'getExplanationMetrics', { jobId: 'job-1', maxSensitivity: { perturbations: 9 } })).rejects.toThrow();
  });
});
