// RISE and the linear regression: against hand-computed and exactly linear cases, and as methods
// that reuse MUPAX's samples on a model with known evidence.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExplainContext } from '../../src/main/engine/explain/method';
import { runMupax } from '../../src/main/engine/explain/mupax/mupax';
import { mupaxOptionsSchema } from '../../src/main/engine/explain/mupax/options';
import { regression, rise } from '../../src/main/engine/explain/perturbation/estimators';
import { makeEstimator } from '../../src/main/engine/explain/perturbation/runEstimator';
import { InferencePool, type LoadedSession } from '../../src/main/engine/inference/pool';
import { parseManifest } from '../../src/main/engine/models/readPackage';
import { createRng } from '../../src/main/engine/random';

describe('estimators', () => {
  it('RISE is the kept-minus-dropped score difference, with Welch z (hand-computed)', () => {
    // 4 samples x 2 chunks; chunk 0 kept in samples 0, 1.
    const masks = Uint8Array.of(1, 0, 1, 1, 0, 1, 0, 0);
    const scores = [0.9, 0.8, 0.2, 0.1];
    const r = rise(masks, 2, scores, 0.05);
    expect(r.value[0]).toBeCloseTo(0.85 - 0.15, 12);
    const se0 = Math.sqrt(0.005 / 2 + 0.005 / 2); // both groups: variance 0.005
    expect(r.z[0]).toBeCloseTo(0.7 / se0, 9);
    expect(r.value[1]).toBeCloseTo((0.8 + 0.2) / 2 - (0.9 + 0.1) / 2, 12);
  });

  it('the regression recovers an exactly linear score and finds only its positive chunks', () => {
    const chunks = 20, n = 400;
    const rng = createRng('linear-scores');
    const masks = new Uint8Array(n * chunks);
    const scores = new Float64Array(n);
    const truth = Array.from({ length: chunks }, (_, c) => (c === 3 ? 2 : c === 7 ? 1 : c === 11 ? -1.5 : 0));
    for (let s = 0; s < n; s++) {
      let y = 0.5;
      for (let c = 0; c < chunks; c++) {
        const m = rng.next() < 0.5 ? 1 : 0;
        masks[s * chunks + c] = m;
        y += truth[c] * m;
      }
      scores[s] = y + 0.01 * rng.gaussian();
    }
    const r = regression(masks, chunks, scores, 0.05);
    truth.forEach((b, c) => expect(r.value[c]).toBeCloseTo(b, 2));
    // Both positive chunks are found, the negative one never; BH allows a rare false discovery.
    const found = Array.from(r.significant).map((v, c) => (v ? c : -1)).filter((c) => c >= 0);
    expect(found).toEqual(expect.arrayContaining([3, 7]));
    expect(found).not.toContain(11);
    expect(found.length).toBeLessThanOrEqual(3);
  });
});

describe('RISE and regression as methods, on MUPAX samples', () => {
  const MODEL = path.resolve('test/fixtures/models/region-classifier');
  let worker: InferencePool;
  let session: LoadedSession;
  beforeAll(async () => {
    worker = new InferencePool();
    session = await worker.load('region-est', readFileSync(path.join(MODEL, 'model.onnx')), { threads: 1, provider: 'cpu' });
  });
  afterAll(() => worker.terminate());
  const ctx = (): ExplainContext => ({
    worker,
    session,
    manifest: parseManifest(readFileSync(path.join(MODEL, 'model.json'))),
    onnx: readFileSync(path.join(MODEL, 'model.onnx')),
    input: {
      data: new Float32Array(8 * 16 * 16).fill(1),
      dims: [1, 1, 8, 16, 16],
      grid: { dimensions: [16, 16, 8], spacing: [1, 1, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
    },
  });

  it('reuse every forward pass of a MUPAX run with the same sampling, and find the evidence block', async () => {
    const context = ctx();
    const o = mupaxOptionsSchema.parse({ samples: 512, chunk: [4, 8, 8], seed: 5, baseline: 'zero', stableChecks: 0 });
    await runMupax(context, o, () => {}, new AbortController().signal);
    for (const kind of ['rise', 'regression'] as const) {
      const out = await makeEstimator(kind)(context, o, () => {}, new AbortController().signal);
      expect(out.details.samplesReused).toBe(512);
      // Chunk 0 (voxel 0) is the block the model reads: the only significant chunk.
      const sig = out.layers!.significant[0];
      expect(sig[0]).toBe(1);
      expect(sig.reduce((a, b) => a + b, 0)).toBe(sig.length / 8);
      expect(out.maps[0].data[0]).toBeGreaterThan(0);
    }
    // And MUPAX again, in paper mode with the same sampling: the same samples, none drawn anew,
    // and the same retention as a fresh run in a context the bank has never seen.
    const paper = mupaxOptionsSchema.parse({ ...o, mode: 'paper' });
    const again = await runMupax(context, paper, () => {}, new AbortController().signal);
    expect(again.details.samplesReused).toBe(512);
    const other = await worker.load('region-est-other', readFileSync(path.join(MODEL, 'model.onnx')), { threads: 1, provider: 'cpu' });
    const fresh = await runMupax({ ...context, session: other }, paper, () => {}, new AbortController().signal);
    expect(fresh.details.samplesReused).toBe(0);
    expect(Buffer.from(again.layers!.retention[0].buffer).equals(Buffer.from(fresh.layers!.retention[0].buffer))).toBe(true);
  });

  it('a method reading banked samples tests and stops by its own estimator and rule, not by those of the method that drew them', async () => {
    const context = ctx();
    // Drawn by a run that never stops early: 512 samples go to the bank.
    const drawer = mupaxOptionsSchema.parse({ samples: 512, chunk: [4, 8, 8], seed: 11, baseline: 'zero', stableChecks: 0, checkEvery: 64 });
    const first = await runMupax(context, drawer, () => {}, new AbortController().signal);
    expect(first.details.samplesUsed).toBe(512);
    // The same samples (same sampling key), read by paper mode with a stopping rule.
    const paper = mupaxOptionsSchema.parse({ ...drawer, mode: 'paper', stableChecks: 2 });
    const banked = await runMupax(context, paper, () => {}, new AbortController().signal);
    const other = await worker.load('region-est-rule', readFileSync(path.join(MODEL, 'model.onnx')), { threads: 1, provider: 'cpu' });
    const fresh = await runMupax({ ...context, session: other }, paper, () => {}, new AbortController().signal);
    expect(fresh.details.samplesReused).toBe(0);
    // The evidence block is found at once, so paper mode's own rule stops before the bank's 512.
    expect(fresh.details.samplesUsed).toBeLessThan(512);
    expect(banked.details.samplesReused).toBe(fresh.details.samplesUsed);
    expect(banked.details.samplesUsed).toBe(fresh.details.samplesUsed);
    expect(banked.details.convergence).toEqual(fresh.details.convergence);
    expect(Buffer.from(banked.layers!.retention[0].buffer).equals(Buffer.from(fresh.layers!.retention[0].buffer))).toBe(true);
    expect(Buffer.from(banked.layers!.significant[0].buffer).equals(Buffer.from(fresh.layers!.significant[0].buffer))).toBe(true);
  });
});
