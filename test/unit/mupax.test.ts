// MUPAX: the sampler, the acceptance/weighting, and the whole method on a model whose evidence is
// known to live in one block of the input.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferenceWorker, type LoadedSession } from '../../src/main/engine/inference/pool';
import { parseManifest } from '../../src/main/engine/models/readPackage';
import { MupaxAccumulator } from '../../src/main/engine/explain/mupax/accumulator';
import { chunkGrid, MupaxParameterError } from '../../src/main/engine/explain/mupax/chunks';
import { runMupax } from '../../src/main/engine/explain/mupax/mupax';
import { mupaxOptionsSchema } from '../../src/main/engine/explain/mupax/options';
import { MaskSampler } from '../../src/main/engine/explain/mupax/sampler';
import type { ExplainContext } from '../../src/main/engine/explain/method';
import type { Geometry } from '../../src/shared/geometry';

const MODEL = path.resolve('test/fixtures/models/region-classifier');
let worker: InferenceWorker;
let session: LoadedSession;

beforeAll(async () => {
  worker = new InferenceWorker();
  session = await worker.load('region', readFileSync(path.join(MODEL, 'model.onnx')), { threads: 1, preferGpu: false });
});
afterAll(() => worker.terminate());

function context(): ExplainContext {
  const grid: Geometry = { dimensions: [16, 16, 8], spacing: [1, 1, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
  return {
    worker,
    session,
    manifest: parseManifest(readFileSync(path.join(MODEL, 'model.json'))),
    onnx: readFileSync(path.join(MODEL, 'model.onnx')),
    input: { data: new Float32Array(8 * 16 * 16).fill(1), dims: [1, 1, 8, 16, 16], grid },
  };
}
const options = (o: Record<string, unknown>) => mupaxOptionsSchema.parse({ baseline: 'zero', ...o });
const never = new AbortController().signal;

describe('sampler', () => {
  it('covers every mask density in each block and is reproducible', () => {
    const s = new MaskSampler(7, 100, 10);
    const out = new Uint8Array(100 * 10);
    for (let i = 0; i < 10; i++) s.next(out, i * 100);
    const kept = Array.from({ length: 10 }, (_, i) => out.subarray(i * 100, (i + 1) * 100).reduce((a, b) => a + b, 0)).sort((a, b) => a - b);
    // One sample per decile of density.
    kept.forEach((k, i) => {
      expect(k).toBeGreaterThanOrEqual(Math.max(1, i * 10 - 1));
      expect(k).toBeLessThanOrEqual(Math.min(99, (i + 1) * 10 + 1));
    });
    const again = new Uint8Array(100 * 10);
    const s2 = new MaskSampler(7, 100, 10);
    for (let i = 0; i < 10; i++) s2.next(again, i * 100);
    expect(again).toEqual(out);
  });
});

describe('accumulator', () => {
  it('accepts by percentile and weights by 1/(mu+1)', () => {
    const acc = new MupaxAccumulator(2, 1, 4);
    acc.add(Uint8Array.of(1, 0), 0, [0]); // weight 1
    acc.add(Uint8Array.of(1, 1), 0, [1]); // weight 1/2
    acc.add(Uint8Array.of(0, 1), 0, [3]); // rejected at the 50th percentile (W = 2)
    acc.add(Uint8Array.of(0, 1), 0, [5]); // rejected
    const m = acc.map(0, 50);
    expect(m.threshold).toBe(2);
    expect(m.accepted).toBe(2);
    expect(Array.from(m.values)).toEqual([1, 0.5 / 1.5]);
  });
});

describe('MUPAX on a model with known evidence', () => {
  it('finds the block the model looks at', async () => {
    const out = await runMupax(context(), options({ samples: 512, chunk: [4, 8, 8], seed: 3 }), () => {}, never);
    const map = out.maps[0].data;
    const grid = chunkGrid([16, 16, 8], [8, 8, 4]);
    const inRegion = map[0]; // voxel (0,0,0) lies in chunk 0 = the evidence block
    const others = Array.from({ length: grid.count - 1 }, (_, c) => map[grid.chunkOf.indexOf(c + 1)]);
    expect(inRegion).toBeGreaterThan(0.95);
    for (const v of others) expect(v).toBeLessThan(inRegion - 0.3);
    expect(out.maps[0].target).toBe('present');
    expect(out.explainedInput![0]).toBeCloseTo(inRegion, 5);
  });

  it('is bit-identical for the same seed whatever the batch size, and different for another seed', async () => {
    const a = await runMupax(context(), options({ samples: 256, chunk: [2, 4, 4], seed: 11, batchSize: 1 }), () => {}, never);
    const b = await runMupax(context(), options({ samples: 256, chunk: [2, 4, 4], seed: 11, batchSize: 8 }), () => {}, never);
    const c = await runMupax(context(), options({ samples: 256, chunk: [2, 4, 4], seed: 12, batchSize: 8 }), () => {}, never);
    expect(Buffer.from(a.maps[0].data.buffer).equals(Buffer.from(b.maps[0].data.buffer))).toBe(true);
    expect(Buffer.from(a.maps[0].data.buffer).equals(Buffer.from(c.maps[0].data.buffer))).toBe(false);
  });

  it('is bit-identical whatever the ONNX Runtime thread count', async () => {
    const twoThreads = await worker.load('region-2t', readFileSync(path.join(MODEL, 'model.onnx')), { threads: 2, preferGpu: false });
    const o = options({ samples: 256, chunk: [2, 4, 4], seed: 21, batchSize: 4 });
    const one = await runMupax(context(), o, () => {}, never);
    const two = await runMupax({ ...context(), session: twoThreads }, o, () => {}, never);
    expect(Buffer.from(one.maps[0].data.buffer).equals(Buffer.from(two.maps[0].data.buffer))).toBe(true);
  });

  it('concentrates on the evidence as N grows', async () => {
    const contrast = async (samples: number) => {
      const m = (await runMupax(context(), options({ samples, chunk: [2, 4, 4], seed: 8 }), () => {}, never)).maps[0].data;
      let inside = 0, outside = 0, ni = 0, no = 0;
      for (let z = 0; z < 8; z++) for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) {
        const v = m[(z * 16 + y) * 16 + x];
        if (z < 4 && y < 8 && x < 8) { inside += v; ni++; } else { outside += v; no++; }
      }
      return inside / ni - outside / no;
    };
    const small = await contrast(256);
    const large = await contrast(2048);
    expect(large).toBeGreaterThan(0);
    expect(large).toBeGreaterThanOrEqual(small - 0.02);
  });

  it('tracks convergence, streams partial maps, and stops early at a tolerance', async () => {
    const partials: number[] = [];
    const out = await runMupax(context(), options({ samples: 2048, chunk: [4, 8, 8], checkEvery: 64, tolerance: 0.02 }), (p) => partials.push(p.done), never);
    const d = out.details as { samplesUsed: number; earlyStopped: boolean; convergence: { samples: number; splitHalfCorrelation: number }[] };
    expect(d.earlyStopped).toBe(true);
    expect(d.samplesUsed).toBeLessThan(2048);
    expect(d.samplesUsed % 64).toBe(0);
    expect(partials[0]).toBe(64);
    expect(d.convergence.at(-1)!.splitHalfCorrelation).toBeGreaterThan(0.9);
  });

  it('can be cancelled', async () => {
    const ctl = new AbortController();
    const run = runMupax(context(), options({ samples: 4096, chunk: [4, 8, 8] }), (p) => p.done >= 128 && ctl.abort(), ctl.signal);
    await expect(run).rejects.toThrow(/cancelled/);
  });

  it('refuses bad parameters with clear messages', async () => {
    await expect(runMupax(context(), options({ chunk: [16, 8, 8] }), () => {}, never)).rejects.toThrow(MupaxParameterError);
    await expect(runMupax(context(), options({ chunk: [16, 8, 8] }), () => {}, never)).rejects.toThrow(/larger than the model input 8x16x16 along z/);
    await expect(runMupax(context(), options({ samples: 100, percentile: 5, chunk: [4, 8, 8] }), () => {}, never)).rejects.toThrow(/too few|accepts only/);
    await expect(runMupax(context(), options({ samples: 256, percentile: 2, chunk: [4, 8, 8] }), () => {}, never)).rejects.toThrow(/accepts only 5/);
    await expect(runMupax(context(), options({ chunk: [8, 16, 16] }), () => {}, never)).rejects.toThrow(/only one chunk/);
    expect(() => options({ percentile: 0 })).toThrow();
  });
});
