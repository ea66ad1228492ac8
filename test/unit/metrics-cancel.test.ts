// A metrics run the caller dropped stops (services/explanationMetrics.ts): on the demo cephalogram
// with Grad-CAM, the suite is stopped part-way (plain curves, ROAD, faithfulness correlation) by an
// HTTP client that disconnects, by the app's cancel call, or by a dispatch signal. Each time: the
// call fails at once, the model is not run again (the inference pool's calls are counted on the
// real pool), ROAD's worker is gone, nothing is cached, and the next request computes the same
// report as an undisturbed run. Also: a caller leaving a run another caller waits for does not stop
// it, and a max-sensitivity request with other settings replaces one still running.
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateCeph } from '../../src/main/engine/demo/ceph';
import { dispatch } from '../../src/main/engine/dispatch';
import { Engine, EngineError } from '../../src/main/engine/engine';
import type { ExplanationResult } from '../../src/main/engine/explain/explainVolume';
import { InferencePool } from '../../src/main/engine/inference/pool';
import { liveImputationThreads } from '../../src/main/engine/metrics/imputationThread';
import { bundledModelsDir } from '../../src/main/engine/paths';
import { computedMetrics, explanationMetrics, type ExplanationMetrics } from '../../src/main/engine/services/explanationMetrics';
import { createApiServer } from '../../src/server/httpApi';
import type { ExplanationMetricsReply } from '../../src/shared/api';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-metrics-cancel-'));
let engine: Engine;
let seriesUid: string;
let modelId: string;
let jobId: string;
let result: ExplanationResult;
/** The undisturbed suite, computed on a copy of the result (the cache is keyed by the result object). */
let reference: ExplanationMetrics;

/** Model runs on the real inference pool, counted; `onCall` sees each count. */
const realRun = InferencePool.prototype.run;
let calls = 0;
let onCall: (n: number) => void = () => {};
InferencePool.prototype.run = function (this: InferencePool, ...args: Parameters<InferencePool['run']>) {
  onCall(++calls);
  return realRun.apply(this, args);
};
afterEach(() => {
  onCall = () => {};
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A report as plain JSON (what the API sends): the suite is seeded, so equal runs give equal JSON. */
const comparable = (m: unknown) => JSON.parse(JSON.stringify(m)) as unknown;

/** After the call failed: no model run follows, ROAD's worker is gone, no report is kept. */
async function expectStopped(callsAtAbort: number): Promise<void> {
  await sleep(1500); // several model runs' time on the ceph (15-35 ms each), and a ROAD solve's
  expect(calls, 'model runs after the abort').toBe(callsAtAbort);
  expect(liveImputationThreads()).toBe(0);
  expect(computedMetrics(result)).toBeUndefined();
}

beforeAll(async () => {
  await generateCeph({ seed: 11, outDir: path.join(tmp, 'ceph'), columns: 640, rows: 800 });
  engine = new Engine({ cacheDir: path.join(tmp, 'cache'), bundledModelsDir: bundledModelsDir() });
  seriesUid = (await engine.openPaths([path.join(tmp, 'ceph')])).openedSeries[0];
  modelId = (await engine.importModel(path.join(bundledModelsDir(), 'ceph-landmarks'))).id;
  jobId = (await engine.startExplanation(seriesUid, modelId, 'gradcam', {})).id;
  result = await engine.waitForJob(jobId);
  const ctx = await engine.explainContextFor(seriesUid, modelId);
  const before = calls;
  reference = await explanationMetrics(ctx, { ...result }, await engine.getGroundTruth(seriesUid), undefined, { sensitivity: null });
  // makeScorer's reference run, 4 + 2 x 21 plain, 2 x 11 ROAD, 1 + 32 for faithfulness correlation.
  expect(calls - before).toBe(1 + 4 + 42 + 22 + 33);
}, 180_000);

afterAll(async () => {
  InferencePool.prototype.run = realRun;
  await engine?.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

describe('a metrics run whose caller left', () => {
  // Model run numbers within the suite: plain curves 2-47, ROAD 48-69, faithfulness correlation 70-102.
  it.each([
    ['the plain curves', 10],
    ['ROAD (its worker is solving)', 55],
    ['faithfulness correlation', 80],
  ])('stops during %s when the dispatch signal aborts, keeps nothing, and the next request recomputes it', async (_phase, at) => {
    const gone = new AbortController();
    const start = calls;
    let abortedAt = 0;
    let failedAt = 0;
    onCall = (n) => {
      if (n - start === at) {
        gone.abort();
        abortedAt = performance.now();
      }
    };
    const failure = await dispatch(engine, 'getExplanationMetrics', { jobId }, gone.signal).then(
      () => null,
      (err: unknown) => ((failedAt = performance.now()), err),
    );
    expect(failure).toBeInstanceOf(EngineError);
    expect((failure as Error).message).toMatch(/^metrics not computed: /);
    // The call fails as the abort is signalled (no model run or solve is waited for); the bound leaves room for a loaded machine.
    expect(failedAt - abortedAt, 'ms from the abort to the failed call').toBeLessThan(200);
    await expectStopped(start + at);

    const again = (await dispatch(engine, 'getExplanationMetrics', { jobId })) as ExplanationMetricsReply;
    expect(calls - start - at).toBe(102);
    expect(comparable(again)).toEqual(comparable(reference));
    // Now it is kept: asking again runs nothing.
    const kept = calls;
    expect(comparable(await dispatch(engine, 'getExplanationMetrics', { jobId }))).toEqual(comparable(reference));
    expect(calls).toBe(kept);
    expect(engine.cancelExplanationMetrics(jobId)).toEqual({ cancelled: 0 }); // nothing is running
    await freshJob();
  }, 120_000);

  it('stops on the app\'s cancel call (IPC has no disconnect), and a caller leaving a shared run does not stop it', async () => {
    let start = calls;
    let cancelReply: Promise<unknown> = Promise.resolve();
    onCall = (n) => {
      if (n - start === 30) cancelReply = dispatch(engine, 'cancelExplanationMetrics', { jobId });
    };
    await expect(dispatch(engine, 'getExplanationMetrics', { jobId })).rejects.toThrow(/^metrics not computed: cancelled by the user$/);
    expect(await cancelReply).toEqual({ cancelled: 1 });
    await expectStopped(start + 30);

    // Two callers of one run: the first leaves at run 20, the second still gets the whole report.
    start = calls;
    const leaving = new AbortController();
    onCall = (n) => n - start === 20 && leaving.abort();
    const first = dispatch(engine, 'getExplanationMetrics', { jobId }, leaving.signal);
    const second = dispatch(engine, 'getExplanationMetrics', { jobId }, new AbortController().signal);
    await expect(first).rejects.toThrow(/withdrawn/);
    expect(comparable(await second)).toEqual(comparable(reference));
    expect(calls - start).toBe(102); // one run, not two
  }, 120_000);

  it('replaces a max-sensitivity run still going by a request with other settings; the stopped one leaves no value', async () => {
    await dispatch(engine, 'getExplanationMetrics', { jobId }); // the suite, kept from the case above
    const rerunning = new Promise<void>((resolve) => (onCall = () => resolve()));
    const two = dispatch(engine, 'getExplanationMetrics', { jobId, maxSensitivity: { perturbations: 2 } });
    two.catch(() => {}); // looked at below
    await rerunning; // the 2-copy reruns have started
    onCall = () => {};
    const three = (await dispatch(engine, 'getExplanationMetrics', { jobId, maxSensitivity: { perturbations: 3 } })) as ExplanationMetricsReply;
    await expect(two).rejects.toThrow(/^metrics not computed: replaced by a request for 3 noisy copies$/);
    expect(three.maxSensitivity?.perturbations).toBe(3);
    expect(three.maxSensitivity?.perDraw).toHaveLength(3);
    // Stopped during the reruns: the later plain reply carries the 3-copy value, not a half-done one.
    const sensitivityStart = calls;
    const leaving = new AbortController();
    onCall = (n) => n > sensitivityStart && leaving.abort();
    await expect(dispatch(engine, 'getExplanationMetrics', { jobId, maxSensitivity: { perturbations: 5 } }, leaving.signal)).rejects.toThrow(/withdrawn/);
    const later = (await dispatch(engine, 'getExplanationMetrics', { jobId })) as ExplanationMetricsReply;
    expect(later.maxSensitivity).toEqual(three.maxSensitivity);
  }, 120_000);
});

describe('over HTTP (the browser variant)', () => {
  let server: Server;
  let port: number;
  const token = 'metrics-cancel-token-0123456789';
  beforeAll(async () => {
    ({ server, port } = await createApiServer({ engine, token, staticDir: tmp, version: 'test' }));
  });
  afterAll(() => server?.close());

  it('a client that disconnects mid-suite stops the run; the next request gets the whole report', async () => {
    await freshJob();
    const start = calls;
    let answered = false;
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/getExplanationMetrics', method: 'POST', headers: { Authorization: `Bearer ${token}` } }, () => {
        answered = true;
      });
      req.on('error', () => resolve()); // our own destroy
      req.on('close', () => resolve());
      onCall = (n) => n - start === 40 && req.destroy();
      req.end(JSON.stringify({ jobId }));
    });
    await expectStopped(start + 40);
    expect(answered).toBe(false);
    const again = await new Promise<ExplanationMetricsReply>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/getExplanationMetrics', method: 'POST', headers: { Authorization: `Bearer ${token}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString())) : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ jobId }));
    });
    expect(comparable(again)).toEqual(comparable(reference));
  }, 120_000);
});

/** The same Grad-CAM map as a new job (from the result cache): a new result object, so no report is kept for it yet. */
async function freshJob(): Promise<void> {
  jobId = (await engine.startExplanation(seriesUid, modelId, 'gradcam', {})).id;
  result = await engine.waitForJob(jobId);
}
