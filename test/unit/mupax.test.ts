// MUPAX: the sampler, the acceptance/weighting, and the whole method on a model whose evidence is
// known to live in one block of the input.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferencePool, type LoadedSession } from '../../src/main/engine/inference/pool';
import { parseManifest } from '../../src/main/engine/models/readPackage';
import { MupaxAccumulator } from '../../src/main/engine/explain/mupax/accumulator';
import { chunkGrid, MupaxParameterError } from '../../src/main/engine/explain/mupax/chunks';
import { runMupax } from '../../src/main/engine/explain/mupax/mupax';
import { mupaxOptionsSchema } from '../../src/main/engine/explain/mupax/options';
import { MaskSampler } from '../../src/main/engine/explain/mupax/sampler';
import { jaccard } from '../../src/main/engine/explain/mupax/significance';
import type { ExplainContext } from '../../src/main/engine/explain/method';
import type { Geometry } from '../../src/shared/geometry';

const MODEL = path.resolve('test/fixtures/models/region-classifier');
let worker: InferencePool;
let session: LoadedSession;

beforeAll(async () => {
  worker = new InferencePool();
  session = await worker.load('region', readFileSync(path.join(MODEL, 'model.onnx')), { threads: 1, provider: 'cpu' });
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

/** 1 per chunk of `grid` whose voxels lie in the model's evidence block (z0-3, y0-7, x0-7). */
function evidenceChunks(grid: ReturnType<typeof chunkGrid>): Uint8Array {
  const out = new Uint8Array(grid.count);
  for (let z = 0; z < 4; z++) for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) out[grid.chunkOf[(z * 16 + y) * 16 + x]] = 1;
  return out;
}

/** The chunk-level region of a result layer (one voxel per chunk). */
function regionOf(layer: Float32Array, grid: ReturnType<typeof chunkGrid>): Uint8Array {
  const out = new Uint8Array(grid.count);
  for (let v = 0; v < layer.length; v++) if (layer[v] > 0) out[grid.chunkOf[v]] = 1;
  return out;
}

describe('MUPAX on a model with known evidence', () => {
  it('finds the block the model looks at, as retention and as the significant region', async () => {
    const out = await runMupax(context(), options({ samples: 512, chunk: [4, 8, 8], seed: 3, mode: 'paper', stableChecks: 0 }), () => {}, never);
    const retention = out.layers!.retention[0];
    const grid = chunkGrid([16, 16, 8], [8, 8, 4]);
    const inRegion = retention[0]; // voxel (0,0,0) lies in chunk 0 = the evidence block
    const others = Array.from({ length: grid.count - 1 }, (_, c) => retention[grid.chunkOf.indexOf(c + 1)]);
    expect(inRegion).toBeGreaterThan(0.95);
    for (const v of others) expect(v).toBeLessThan(inRegion - 0.3);
    expect(out.maps[0].target).toBe('present');
    expect(out.explainedInput![0]).toBeCloseTo(inRegion, 5);
    // The default map is the significant evidence: exactly the evidence chunk, with its z-score.
    expect(Array.from(regionOf(out.layers!.significant[0], grid))).toEqual(Array.from(evidenceChunks(grid)));
    expect(out.maps[0].data[0]).toBeCloseTo(out.layers!.z[0][0], 4);
    expect(out.maps[0].data[grid.chunkOf.indexOf(1)]).toBe(0);
  });

  it('recovers evidence spread over 64 fine chunks of 512 (coarse-to-fine keeps it whole), for every seed', async () => {
    const grid = chunkGrid([16, 16, 8], [2, 2, 1]);
    const truth = evidenceChunks(grid);
    for (const seed of [1, 2, 3]) {
      const out = await runMupax(context(), options({ samples: 2048, chunk: [1, 2, 2], seed, refine: true }), () => {}, never);
      const region = regionOf(out.layers!.significant[0], grid);
      expect(jaccard(region, truth)).toBeGreaterThanOrEqual(0.85);
    }
  });

  it('coarse-to-fine localizes a blob smaller than one coarse chunk', async () => {
    // Only z0-1, y0-3, x0-3 carries signal (the rest of the model's block is 0, like the fill):
    // one fine chunk of [2,4,4], an eighth of the coarse [4,8,8] chunk around it.
    const data = new Float32Array(8 * 16 * 16);
    for (let z = 0; z < 2; z++) for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) data[(z * 16 + y) * 16 + x] = 1;
    const ctx = { ...context(), input: { ...context().input, data } };
    const grid = chunkGrid([16, 16, 8], [4, 4, 2]);
    for (const seed of [1, 2]) {
      const out = await runMupax(ctx, options({ samples: 1024, chunk: [2, 4, 4], seed, target: 'present', refine: true }), () => {}, never);
      const region = regionOf(out.layers!.significant[0], grid);
      expect(Array.from(region).map((v, c) => (v ? c : -1)).filter((c) => c >= 0)).toEqual([0]);
      expect((out.details.resolution as { refinedCoarseChunks: number }).refinedCoarseChunks).toBe(1);
    }
  });

  it('controls false discoveries: an input the model cannot tell apart from its fill shows nothing', async () => {
    // Input and fill are both 0, so every masked input is the same and no chunk can matter.
    const blank = { ...context(), input: { ...context().input, data: new Float32Array(8 * 16 * 16) } };
    let withFindings = 0;
    for (let seed = 0; seed < 20; seed++) {
      const out = await runMupax(blank, options({ samples: 256, chunk: [2, 4, 4], seed, stableChecks: 0 }), () => {}, never);
      if ((out.details.significance as { significantChunks: number }[])[0].significantChunks > 0) withFindings++;
    }
    expect(withFindings).toBeLessThanOrEqual(1);
  });

  it('is bit-identical for the same seed whatever the batch size, and different for another seed', async () => {
    const a = await runMupax(context(), options({ samples: 256, chunk: [2, 4, 4], seed: 11, batchSize: 1 }), () => {}, never);
    const b = await runMupax(context(), options({ samples: 256, chunk: [2, 4, 4], seed: 11, batchSize: 8 }), () => {}, never);
    const c = await runMupax(context(), options({ samples: 256, chunk: [2, 4, 4], seed: 12, batchSize: 8 }), () => {}, never);
    const bytes = (r: typeof a) => Buffer.from(r.layers!.retention[0].buffer);
    expect(bytes(a).equals(bytes(b))).toBe(true);
    expect(Buffer.from(a.maps[0].data.buffer).equals(Buffer.from(b.maps[0].data.buffer))).toBe(true);
    expect(bytes(a).equals(bytes(c))).toBe(false);
  });

  it('is bit-identical whatever the ONNX Runtime thread count', async () => {
    const twoThreads = await worker.load('region-2t', readFileSync(path.join(MODEL, 'model.onnx')), { threads: 2, provider: 'cpu' });
    const o = options({ samples: 256, chunk: [2, 4, 4], seed: 21, batchSize: 4 });
    const one = await runMupax(context(), o, () => {}, never);
    const two = await runMupax({ ...context(), session: twoThreads }, o, () => {}, never);
    expect(Buffer.from(one.layers!.retention[0].buffer).equals(Buffer.from(two.layers!.retention[0].buffer))).toBe(true);
  });

  it('grows more certain with N: the evidence z-score rises and the region converges on the evidence', async () => {
    const grid = chunkGrid([16, 16, 8], [4, 4, 2]);
    const truth = evidenceChunks(grid);
    const at = async (samples: number) => {
      const out = await runMupax(context(), options({ samples, chunk: [2, 4, 4], seed: 8, stableChecks: 0 }), () => {}, never);
      const z = out.layers!.z[0];
      let inside = 0;
      for (let c = 0; c < grid.count; c++) if (truth[c]) inside += z[grid.chunkOf.indexOf(c)] / 8;
      return { z: inside, j: jaccard(regionOf(out.layers!.significant[0], grid), truth) };
    };
    const small = await at(256);
    const large = await at(2048);
    // z of a real effect grows like sqrt(N): 8x the samples, well over 2x the z.
    expect(large.z).toBeGreaterThan(2 * small.z);
    expect(large.j).toBeGreaterThanOrEqual(small.j);
    expect(large.j).toBe(1);
  });

  it('stops once the significant region is stable, streams partial maps, and says so', async () => {
    const partials: number[] = [];
    const out = await runMupax(context(), options({ samples: 4096, chunk: [4, 8, 8], checkEvery: 64, stableChecks: 3 }), (p) => partials.push(p.done), never);
    const d = out.details as {
      samplesUsed: number;
      stability: { stable: boolean; stableAfterSamples: number };
      convergence: { samples: number; regionSize: number; jaccardWithPrevious: number }[];
    };
    expect(d.stability.stable).toBe(true);
    expect(d.samplesUsed).toBe(d.stability.stableAfterSamples);
    expect(d.samplesUsed).toBeLessThan(4096);
    expect(d.samplesUsed % 64).toBe(0);
    expect(partials[0]).toBe(64);
    // The last three checks saw the same non-empty region.
    for (const c of d.convergence.slice(-3)) {
      expect(c.regionSize).toBeGreaterThan(0);
      expect(c.jaccardWithPrevious).toBe(1);
    }
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
    await expect(runMupax(context(), options({ samples: 64, chunk: [1, 1, 1], stratificationBlock: 8 }), () => {}, never)).rejects.toThrow(
      /samples: N = 64 cannot show any significant chunk at fdr 0.05 among 2048 chunks/,
    );
    await expect(runMupax(context(), options({ target: 'maybe', chunk: [4, 8, 8] }), () => {}, never)).rejects.toThrow(
      /target "maybe" is not a class of this model \(its classes: 0 absent, 1 present\)/,
    );
    await expect(runMupax(context(), options({ target: 5, chunk: [4, 8, 8] }), () => {}, never)).rejects.toThrow(/target 5: the model has no class 5/);
    expect(() => options({ percentile: 0 })).toThrow();
    expect(() => options({ fdr: 0 })).toThrow();
    expect(() => options({ fdr: 1 })).toThrow();
  });
});
