// ROAD's imputation in a worker thread (metrics/imputationThread.ts): the worker's fields must equal
// the in-thread function's bit for bit (the curves and every cohort figure were measured in-thread),
// and the engine's thread must stay responsive while a CT-sized solve runs.
import { describe, expect, it } from 'vitest';
import type { ExplainContext } from '../../src/main/engine/explain/method';
import { curve, fractionsFor, order, removedAt } from '../../src/main/engine/metrics/curves';
import { noisyLinearImputation } from '../../src/main/engine/metrics/imputation';
import { ImputationThread } from '../../src/main/engine/metrics/imputationThread';
import { imputingRemover, roadCurves } from '../../src/main/engine/metrics/road';
import type { Scorer } from '../../src/main/engine/metrics/scorer';
import { createRng } from '../../src/main/engine/random';

/** A CT-like field: smooth blobs on a noisy background, in HU-ish values. */
function volume(dims: [number, number, number], seed: number): Float32Array {
  const rng = createRng(`road-worker:${seed}`);
  const [nx, ny, nz] = dims;
  const blobs = Array.from({ length: 6 }, () => [rng.uniform(0, nx), rng.uniform(0, ny), rng.uniform(0, nz), rng.uniform(3, 12), rng.uniform(-300, 900)]);
  const x = new Float32Array(nx * ny * nz);
  for (let k = 0, v = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, v++) {
        let s = -700 + rng.gaussian(0, 20);
        for (const [cx, cy, cz, r, a] of blobs) s += a * Math.exp(-((i - cx) ** 2 + (j - cy) ** 2 + (k - cz) ** 2) / (2 * r * r));
        x[v] = s;
      }
  return x;
}

const sameBits = (a: Float32Array, b: Float32Array) => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

describe('ROAD imputation in a worker thread', () => {
  it('returns exactly the in-thread function\'s field (2D and 3D, with noise, holes of every size)', async () => {
    for (const dims of [[40, 36, 1], [48, 40, 24]] as [number, number, number][]) {
      const x = volume(dims, dims[2]);
      const ranked = order(volume(dims, 99)); // an unrelated "map" ranks the voxels
      const thread = new ImputationThread(x, dims);
      try {
        for (const [f, deleting, seed] of [[0.05, true, 3], [0.5, true, 1004], [0.9, false, 2000], [1, true, 7]] as [number, boolean, number][]) {
          const options = { noise: 0.01, seed, maxIterations: 25 };
          const direct = noisyLinearImputation(x, dims, removedAt(ranked, f, deleting), options);
          const viaWorker = await thread.impute(removedAt(ranked, f, deleting), options);
          expect(sameBits(viaWorker, direct), `${dims.join('x')} f=${f}`).toBe(true);
        }
      } finally {
        thread.close();
      }
      expect(x[0]).toBe(volume(dims, dims[2])[0]); // the caller's input is copied, never detached
    }
  });

  it('roadCurves gives the in-thread curves bit for bit (the same seeds per point)', async () => {
    const dims: [number, number, number] = [32, 28, 12];
    const x = volume(dims, 5);
    const map = volume(dims, 6);
    const weights = volume(dims, 7);
    // A deterministic, non-linear "model": the score moves with every imputed value.
    const scorer: Scorer = { kind: 'probability', target: 't', score: async (xs) => xs.map((v) => Math.tanh(v.reduce((s, a, i) => s + a * weights[i], 0) / 1e9)) };
    const ctx = { input: { data: x, grid: { dimensions: dims } } } as unknown as ExplainContext;
    const r = await roadCurves(ctx, map, scorer, { steps: 6, seed: 2 });
    const o = { noise: 0.01, seed: 2, maxIterations: 25 };
    const del = await curve(x, order(map), scorer, fractionsFor(6), true, imputingRemover(dims, o));
    const ins = await curve(x, order(map), scorer, fractionsFor(6), false, imputingRemover(dims, { ...o, seed: 3 }));
    expect(r.deletion).toEqual(del);
    expect(r.insertion).toEqual(ins);
    expect(Object.is(r.deletion.auc, del.auc) && Object.is(r.insertion.auc, ins.auc)).toBe(true);
  });

  it('keeps the event loop ticking during a CT-sized solve (128x128x64), which in-thread blocks it', async () => {
    const dims: [number, number, number] = [128, 128, 64];
    const x = volume(dims, 11);
    const removed = removedAt(order(volume(dims, 12)), 0.5, true);
    const options = { noise: 0.01, seed: 1, maxIterations: 25 };
    // The machine's own timer jitter (other processes share the cores): the same timer with nothing to do.
    const idleGap = await new Promise<number>((resolve) => {
      let prev = performance.now();
      let worst = 0;
      const t = setInterval(() => {
        const now = performance.now();
        worst = Math.max(worst, now - prev);
        prev = now;
      }, 10);
      setTimeout(() => (clearInterval(t), resolve(worst)), 500);
    });
    const thread = new ImputationThread(x, dims);
    let last = performance.now();
    let worstGap = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
      ticks++;
    }, 10);
    const started = performance.now();
    let viaWorker: Float32Array;
    try {
      viaWorker = await thread.impute(removed.slice(), options);
    } finally {
      clearInterval(timer);
      thread.close();
    }
    const workerMs = performance.now() - started;
    // The same solve on this thread: one uninterrupted block as long as the solve itself.
    const t0 = performance.now();
    const direct = noisyLinearImputation(x, dims, removed, options);
    const inThreadMs = performance.now() - t0;
    console.log(`CT-sized solve: worker ${workerMs.toFixed(0)} ms wall, worst timer gap ${worstGap.toFixed(1)} ms over ${ticks} ticks (idle: ${idleGap.toFixed(1)} ms); in-thread ${inThreadMs.toFixed(0)} ms blocked`);
    expect(sameBits(viaWorker, direct)).toBe(true);
    expect(inThreadMs).toBeGreaterThan(150); // the solve is long enough for the bounds to mean something
    expect(ticks).toBeGreaterThan(workerMs / 10 / 4);
    // In-thread the loop stops for the whole solve; with the worker its longest pause is a fraction of
    // that: 35-78 ms on this shared 2-core machine. A fixed 100 ms bound is not asserted: with other
    // test files holding both cores the timer alone waited 227 ms for a core (in-thread: 1558 ms).
    expect(worstGap).toBeLessThan(inThreadMs / 3);
  });

  it('an aborted signal stops the worker and refuses what is in flight', async () => {
    const dims: [number, number, number] = [128, 128, 64];
    const x = volume(dims, 13);
    const controller = new AbortController();
    const thread = new ImputationThread(x, dims, controller.signal);
    const inFlight = thread.impute(new Uint8Array(x.length).fill(1), { noise: 0 });
    controller.abort();
    await expect(inFlight).rejects.toThrow(/cancelled/);
    await expect(thread.impute(new Uint8Array(x.length), {})).rejects.toThrow(/cancelled/);
  });

  it('refuses a mask of the wrong size naming both sizes', async () => {
    const thread = new ImputationThread(new Float32Array(8), [2, 2, 2]);
    try {
      await expect(thread.impute(new Uint8Array(7), {})).rejects.toThrow(/7 voxels for a 2x2x2 grid/);
    } finally {
      thread.close();
    }
  });
});
