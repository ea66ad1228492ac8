// A sanity check leaves no model of its own loaded: each randomized model, and the gradient model
// a gradient method derives from it, is unloaded when its step ends (they used to stay in the
// inference threads for the life of the engine, one per step and check). The intact model's
// gradient model stays: the next map of the same model reuses it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExplainContext } from '../../src/main/engine/explain/method';
import { METHODS } from '../../src/main/engine/explain/methods';
import { InferencePool } from '../../src/main/engine/inference/pool';
import { parseManifest } from '../../src/main/engine/models/readPackage';
import { runSanityCheck } from '../../src/main/engine/sanity/sanityCheck';

const worker = new InferencePool(1);
afterAll(() => worker.terminate());

describe('sanity check sessions', () => {
  it.each(['gradient', 'mfaba'])('%s: the randomized models and their gradient models are unloaded when the check ends', async (method) => {
    const dir = path.resolve('test/fixtures/models/tiny-landmarks');
    const onnx = readFileSync(path.join(dir, 'model.onnx'));
    const session = await worker.load(`sanity-sessions-${method}`, onnx, { threads: 1, provider: 'cpu' });
    const input = new Float32Array(32 * 24).map((_, i) => ((i * 7919) % 97) / 97);
    const ctx: ExplainContext = {
      worker,
      session,
      manifest: parseManifest(readFileSync(path.join(dir, 'model.json'))),
      onnx,
      input: {
        data: input,
        dims: [1, 1, 32, 24],
        grid: { dimensions: [24, 32, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
      },
    };
    const options = method === 'mfaba' ? { target: 0, steps: 3 } : { target: 0 };
    const r = await runSanityCheck(ctx, method, METHODS[method], options, { seed: 3, maxSteps: 2, margin: 0.1 }, () => {}, new AbortController().signal);
    expect(r.steps).toHaveLength(2);
    // The key scheme of gradientSession.ts: the intact model's gradient model is there (so the
    // names below are the ones a leak would leave), the randomized ones are not.
    expect(worker.replicasOf(`${session.key}:grad:input:`)).toBe(1);
    for (const k of [0, 1]) {
      expect(worker.replicasOf(`${session.key}:sanity:3:${k}`)).toBe(0);
      expect(worker.replicasOf(`${session.key}:sanity:3:${k}:grad:input:`)).toBe(0);
    }
  });
});
