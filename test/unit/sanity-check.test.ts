// The model-parameter randomization test: its similarity measures against independent references
// (scipy's spearmanr, scikit-image's structural_similarity, values computed offline with
// win_size=7, uniform windows, population covariance, data_range=1), the cascade over the weight
// layers of an ONNX model, and the verdict on real methods and on a model-independent fake.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCeph, generateCtStudy } from '../../src/main/engine/demo';
import { Engine } from '../../src/main/engine/engine';
import { bundledModelsDir } from '../../src/main/engine/paths';
import { decodeModel, tensorValue } from '../../src/main/engine/explain/autodiff/proto';
import { METHODS, type MethodEntry } from '../../src/main/engine/explain/methods';
import type { ExplainContext } from '../../src/main/engine/explain/method';
import { blocksOf, cascadingRandomization, parameterLayers } from '../../src/main/engine/sanity/randomizeLayers';
import { judge, runSanityCheck } from '../../src/main/engine/sanity/sanityCheck';
import { regionJaccard, spearman, ssim } from '../../src/main/engine/sanity/similarity';

describe('similarity measures', () => {
  it('Spearman ranks ties by their mean rank (scipy: 0.8207826816681233)', () => {
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(0.8207826816681233, 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNull();
  });

  it('SSIM and Spearman match scikit-image and scipy on a smooth 20x16 pair', () => {
    const w = 20;
    const h = 16;
    const a = new Float32Array(w * h);
    const b = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        a[y * w + x] = Math.sin(0.3 * x) + Math.cos(0.2 * y);
        b[y * w + x] = Math.sin(0.3 * x + 0.5) + 0.5 * Math.cos(0.25 * y) + 0.1 * ((x * 7 + y * 3) % 5);
      }
    }
    expect(ssim(a, b, [w, h, 1])).toBeCloseTo(0.703582212509747, 5);
    expect(spearman(a, b)).toBeCloseTo(0.8554745407669997, 5);
    expect(ssim(a, a, [w, h, 1])).toBeCloseTo(1, 12);
  });

  it('Jaccard of regions counts voxels above 0', () => {
    expect(regionJaccard([1, 1, 0, 0], [0, 1, 1, 0])).toBeCloseTo(1 / 3, 12);
    expect(regionJaccard([0, 0], [0, 0])).toBe(1);
  });
});

describe('the verdict', () => {
  const l = (spearman: number | null, regionJaccard?: number) => ({ spearman, ssim: 0, regionJaccard });
  it('reads the region for methods with a significance test, the rank correlation otherwise', () => {
    // MUPAX on the demo CT at N = 1024 (docs/sanity.md): seeds agree on the region, the z maps do not.
    const mupaxCt = { byRegion: true, emptyOriginal: false, final: l(0.1, 0), floor: l(0.2, 0), seedAgreement: l(0.05, 1), margin: 0.1 };
    expect(judge(mupaxCt).verdict).toBe('pass');
    expect(judge({ ...mupaxCt, byRegion: false }).verdict).toBe('inconclusive');
    expect(judge({ ...mupaxCt, final: l(0.1, 0.5) }).verdict).toBe('fail');
    expect(judge({ ...mupaxCt, seedAgreement: l(0.9, 0.1) }).verdict).toBe('inconclusive');
    expect(judge({ ...mupaxCt, emptyOriginal: true }).verdict).toBe('inconclusive');
    expect(judge({ byRegion: false, emptyOriginal: false, final: l(null), floor: l(0.3), margin: 0.1 }).verdict).toBe('pass');
    expect(judge({ byRegion: false, emptyOriginal: false, final: l(0.45), floor: l(0.3), margin: 0.1 }).verdict).toBe('fail');
  });
});

describe('cascading randomization', () => {
  const onnx = readFileSync('resources/models/ct-nodule-classifier/model.onnx');

  it('lists the weight layers and splits them into contiguous blocks', () => {
    const layers = parameterLayers(decodeModel(onnx));
    expect(layers.map((l) => l.name)).toEqual([
      '/features/features.0/Conv',
      '/features/features.3/Conv',
      '/features/features.7/Conv',
      '/features/features.10/Conv',
      '/features/features.13/Conv',
      '/features/features.17/Conv',
      '/features/features.20/Conv',
      '/detect/Conv',
      '/readout/Gemm',
    ]);
    expect(layers[8].initializers).toEqual(['readout.weight', 'readout.bias']);
    expect(blocksOf(7, 3)).toEqual([[0, 1], [2, 3], [4, 5, 6]]);
    expect(blocksOf(2, 6)).toEqual([[0], [1]]);
  });

  it('redraws the layers from the output down, cumulatively, seeded, with each tensor keeping its spread', () => {
    const original = decodeModel(onnx);
    const values = (m: typeof original, name: string) => tensorValue(m.graph!.initializer.find((t) => t.name === name)!)!.data as Float32Array;
    const steps = [...cascadingRandomization(onnx, 5, 9)];
    expect(steps.map((s) => s.layers.length)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(steps[0].layers).toEqual(['/readout/Gemm']);
    const first = decodeModel(steps[0].onnx);
    const second = decodeModel(steps[1].onnx);
    // Step 1: only the readout changed; step 2: the readout as in step 1, and the detect layer too.
    expect(values(first, 'readout.weight')).not.toEqual(values(original, 'readout.weight'));
    expect(values(first, 'detect.weight')).toEqual(values(original, 'detect.weight'));
    expect(values(second, 'readout.weight')).toEqual(values(first, 'readout.weight'));
    expect(values(second, 'detect.weight')).not.toEqual(values(original, 'detect.weight'));
    const sd = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length - (v.reduce((s, x) => s + x, 0) / v.length) ** 2);
    const last = decodeModel(steps[8].onnx);
    const big = 'onnx::Conv_94'; // 64x32x3x3x3 = 55,296 values
    expect(sd(values(last, big)) / sd(values(original, big))).toBeCloseTo(1, 1);
    expect(Buffer.from(steps[3].onnx).equals(Buffer.from([...cascadingRandomization(onnx, 5, 9)][3].onnx))).toBe(true);
    expect(Buffer.from(steps[3].onnx).equals(Buffer.from([...cascadingRandomization(onnx, 6, 9)][3].onnx))).toBe(false);
  });
});

describe('the sanity check on the demo models', () => {
  let root: string;
  let engine: Engine;
  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'explicare-sanity-'));
    engine = new Engine({ cacheDir: path.join(root, 'cache'), bundledModelsDir: bundledModelsDir() });
  });
  afterAll(async () => {
    await engine.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  const contextFor = async (kind: 'ct' | 'ceph') => {
    const dir = path.join(root, kind);
    if (kind === 'ct') await generateCtStudy({ seed: 1, outDir: dir });
    else await generateCeph({ seed: 1, outDir: dir });
    const uid = (await engine.openPaths([dir])).openedSeries[0];
    const model = (await engine.listModels()).find((m) => m.modality.includes(kind === 'ct' ? 'CT' : 'DX'))!;
    await engine.loadVolume(uid);
    return engine.explainContextFor(uid, model.id);
  };
  const never = new AbortController().signal;

  /** A test fixture, not a product method: the input's gradient magnitude, blind to the model. */
  const edges: MethodEntry = {
    parse: (raw) => ({ ...(raw as object) }),
    async run(ctx) {
      const [w, h, d] = ctx.input.grid.dimensions;
      const v = ctx.input.data;
      const out = new Float32Array(v.length);
      for (let z = 0; z < d; z++) {
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const i = (z * h + y) * w + x;
            out[i] = Math.hypot(x + 1 < w ? v[i + 1] - v[i] : 0, y + 1 < h ? v[i + w] - v[i] : 0);
          }
        }
      }
      return { maps: [{ target: 'edges', data: out }], details: {} };
    },
  };

  // MUPAX is not run here: its region needs N ~ 1024 to reproduce across seeds on the CT (minutes
  // per check on 2 cores); docs/sanity.md has its figures from the CLI, the verdict rule is above.
  it('refuses a check of a job that does not exist, or of a sanity check that does not exist, by name', async () => {
    await expect(engine.startSanityCheck('job-nope-1', 6)).rejects.toThrow(/no such job/);
    expect(() => engine.sanityCheckStatus('job-nope-2')).toThrow(/no such sanity check/);
  });

  it('measures every run of a perturbation method against its model\'s own prediction, never the study\'s ground truth', async () => {
    const ctx = await contextFor('ceph');
    expect(ctx.truthInGrid?.every((t) => t !== null)).toBe(true); // the demo ceph carries truth: auto would use it
    const seen: { truth: boolean; reference: unknown; seed: unknown }[] = [];
    // A recording fixture with MUPAX's option set: which reference and truth each run is given.
    const recorder: MethodEntry = {
      parse: (raw) => ({ seed: 0, reference: 'auto', ...(raw as object) }),
      async run(c, o) {
        const opts = o as { reference: unknown; seed: unknown };
        seen.push({ truth: c.truthInGrid !== undefined, reference: opts.reference, seed: opts.seed });
        return { maps: [{ target: 'Sella', data: Float32Array.from(c.input.data) }], details: { target: { kind: 'landmark', index: 0 } } };
      },
    };
    const r = await runSanityCheck(ctx, 'recorder', recorder, { target: 'Sella', reference: 'truth' }, { seed: 1, maxSteps: 2, margin: 0.1 }, () => {}, never);
    // original, floor, the next seed, two randomized models
    expect(seen).toEqual([
      { truth: false, reference: 'prediction', seed: 0 },
      { truth: false, reference: 'prediction', seed: 0 },
      { truth: false, reference: 'prediction', seed: 1 },
      { truth: false, reference: 'prediction', seed: 0 },
      { truth: false, reference: 'prediction', seed: 0 },
    ]);
    expect(r.reference).toBe('own prediction');
    expect(r.reason).toMatch(/own unmasked prediction/);
    // A method without a reference option (the edge fixture, Grad-CAM) is run with its options untouched.
    const plain = await runSanityCheck(ctx, 'edges', edges, {}, { seed: 1, maxSteps: 1, margin: 0.1 }, () => {}, never);
    expect(plain.reference).toBeUndefined();
  }, 120_000);

  it.each(['ct', 'ceph'] as const)('Grad-CAM passes on the demo %s; a model-blind edge map fails', async (kind) => {
    const ctx = await contextFor(kind);
    const target = kind === 'ct' ? 'nodule' : 'all';
    const gradcam = await runSanityCheck(ctx, 'gradcam', METHODS.gradcam, { target }, { seed: 1, maxSteps: 6, margin: 0.1 }, () => {}, never);
    expect(gradcam.verdict, gradcam.reason).toBe('pass');
    expect(gradcam.steps).toHaveLength(6);
    const fake = await runSanityCheck(ctx, 'edges', edges, {}, { seed: 1, maxSteps: 2, margin: 0.1 }, () => {}, never);
    expect(fake.steps.every((s) => s.spearman === 1)).toBe(true);
    expect(fake.verdict, fake.reason).toBe('fail');
  }, 300_000);
});
