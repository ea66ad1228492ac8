// MFABA against a torch float64 reference computed from the method's definition
// (tools/mfaba_reference.py) on the 3D classifier and 2D landmark fixtures of the gradient
// references, its completeness-style property (the shares sum to the score lost along the path),
// its option validation, and its one-step arithmetic against hand-computed values.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Geometry } from '../../src/shared/geometry';
import { generateCeph, generateCtStudy } from '../../src/main/engine/demo';
import { Engine } from '../../src/main/engine/engine';
import { bundledModelsDir } from '../../src/main/engine/paths';
import type { ExplainContext } from '../../src/main/engine/explain/method';
import { METHODS } from '../../src/main/engine/explain/methods';
import { accumulateStep, stepAlongPath } from '../../src/main/engine/explain/gradient/mfabaPath';
import { InferencePool } from '../../src/main/engine/inference/pool';
import { parseManifest } from '../../src/main/engine/models/readPackage';

interface Reference {
  model: string;
  inputDims: number[];
  grid: Geometry;
  input: number[];
  cases: { options: Record<string, unknown>; resolvedTarget: number | string; steps: number; stoppedBy: string; scores: number[]; map: number[] }[];
}

interface Details {
  target: { index: number | null };
  path: { steps: number; stoppedBy: string; scores: number[] };
  passes: number;
  completeness: { scoreDifference: number; relativeError: number };
  attributionSum: number;
}

const worker = new InferencePool(1);
afterAll(() => worker.terminate());

async function context(ref: Reference): Promise<ExplainContext> {
  const dir = path.resolve('test/fixtures/models', ref.model);
  const onnx = readFileSync(path.join(dir, 'model.onnx'));
  const session = await worker.load(`mfaba-reference-${ref.model}`, onnx, { threads: 1, provider: 'cpu' });
  return {
    worker,
    session,
    manifest: parseManifest(readFileSync(path.join(dir, 'model.json'))),
    onnx,
    input: { data: Float32Array.from(ref.input), dims: ref.inputDims, grid: ref.grid },
  };
}

const run = async (ctx: ExplainContext, options: Record<string, unknown>) => {
  const out = await METHODS.mfaba.run(ctx, METHODS.mfaba.parse(options), () => {}, new AbortController().signal);
  return { map: out.maps[0].data, details: out.details as unknown as Details };
};

function worstDifference(actual: Float32Array, expected: number[]): { relative: number; index: number } {
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = { relative: 0, index: -1 };
  for (let i = 0; i < expected.length; i++) {
    const relative = Math.abs(actual[i] - expected[i]) / scale;
    if (!(relative <= worst.relative)) worst = { relative, index: i };
  }
  return worst;
}

const references = Object.fromEntries(
  ['pooled-ct-classifier', 'tiny-landmarks'].map((name) => [
    name,
    JSON.parse(readFileSync(path.resolve('test/fixtures/mfaba-reference', `${name}.json`), 'utf8')) as Reference,
  ]),
);

for (const [name, ref] of Object.entries(references)) {
  describe(`MFABA on ${name} matches torch`, () => {
    let ctx: ExplainContext;
    beforeAll(async () => {
      ctx = await context(ref);
    });

    for (const c of ref.cases) {
      it(JSON.stringify(c.options), async () => {
        const { map, details } = await run(ctx, c.options);
        expect(details.target.index ?? 'all').toBe(c.resolvedTarget);
        // The same path: as many steps, ended for the same reason, the same scores along it.
        expect(details.path.steps).toBe(c.steps);
        expect(details.path.stoppedBy).toBe(c.stoppedBy);
        expect(details.passes).toBe(c.steps + 1);
        for (let j = 0; j < c.scores.length; j++) expect(details.path.scores[j]).toBeCloseTo(c.scores[j], 4);
        expect(c.map.filter((v) => v !== 0).length).toBeGreaterThanOrEqual(16);
        const worst = worstDifference(map, c.map);
        console.log(
          `${name} mfaba ${JSON.stringify(c.options)}: ${c.steps} steps (${c.stoppedBy}), worst relative difference ${worst.relative.toExponential(2)}`,
        );
        expect(worst.relative, `worst at ${worst.index}: app ${map[worst.index]}, torch ${c.map[worst.index]}`).toBeLessThan(1e-4);
      });
    }
  });
}

describe('MFABA options', () => {
  it('default to the values the torch reference assumed', () => {
    const defaults = (references['pooled-ct-classifier'] as unknown as { defaults: Record<string, unknown> }).defaults;
    expect(METHODS.mfaba.parse({})).toEqual(defaults);
  });

  it('refuse bad values naming the option', () => {
    expect(() => METHODS.mfaba.parse({ stepSize: 0 })).toThrow(/stepSize/);
    expect(() => METHODS.mfaba.parse({ direction: 'up' })).toThrow(/direction/);
    expect(() => METHODS.mfaba.parse({ order: 3 })).toThrow(/order/);
    expect(() => METHODS.mfaba.parse({ steps: 0 })).toThrow(/steps/);
    expect(() => METHODS.mfaba.parse({ baseline: 'min' })).toThrow(/baseline/); // an IG option
    for (const preset of [{ direction: 'normalized' }, { order: 1 }]) expect(() => METHODS.mfaba.parse(preset)).not.toThrow();
  });
});

describe("MFABA's step arithmetic by hand", () => {
  const box = { lo: 0, hi: 1, step: 0.1, radius: 1 };
  it('sign steps move every voxel against the gradient, clipped to the range and the ball', () => {
    const x0 = Float32Array.of(0, 0.5, 1, 0.5);
    const next = new Float32Array(4);
    expect(stepAlongPath(x0, x0, Float32Array.of(2, -1, 0, 3), 'sign', box, next)).toBe(true);
    // 0 - 0.1 clips to the range's 0; 0.5 + 0.1; a zero gradient stays; 0.5 - 0.1.
    expect(Array.from(next)).toEqual([0, 0.6, 1, 0.4].map(Math.fround));
    const ball = new Float32Array(4);
    stepAlongPath(x0, next, Float32Array.of(0, -1, 0, 1), 'sign', { ...box, radius: 0.15 }, ball);
    expect(ball[1]).toBeCloseTo(0.65, 6); // 0.7 clipped to 0.5 + 0.15
    expect(ball[3]).toBeCloseTo(0.35, 6); // 0.3 clipped to 0.5 - 0.15
  });

  it('normalized steps have an RMS of the step size; a vanished gradient ends the path', () => {
    const x0 = Float32Array.of(0.5, 0.5);
    const next = new Float32Array(2);
    stepAlongPath(x0, x0, Float32Array.of(3, 4), 'normalized', box, next); // RMS of (3, 4) = sqrt(12.5)
    expect(next[0]).toBeCloseTo(0.5 - (0.1 * 3) / Math.sqrt(12.5), 6);
    expect(next[1]).toBeCloseTo(0.5 - (0.1 * 4) / Math.sqrt(12.5), 6);
    expect(stepAlongPath(x0, x0, Float32Array.of(0, 0), 'normalized', box, next)).toBe(false);
    expect(stepAlongPath(x0, x0, Float32Array.of(0, 0), 'sign', box, next)).toBe(false);
  });

  it('shares: first order g_j (x_j - x_j+1), second order the mean of both gradients', () => {
    const at = Float32Array.of(0.5, 0.5);
    const next = Float32Array.of(0.4, 0.7);
    const first = new Float64Array(2);
    accumulateStep(first, at, next, Float32Array.of(2, -1), Float32Array.of(4, -3), 1);
    expect(first[0]).toBeCloseTo(2 * 0.1, 6);
    expect(first[1]).toBeCloseTo(-1 * -0.2, 6);
    const second = new Float64Array(2);
    accumulateStep(second, at, next, Float32Array.of(2, -1), Float32Array.of(4, -3), 2);
    expect(second[0]).toBeCloseTo(3 * 0.1, 6);
    expect(second[1]).toBeCloseTo(-2 * -0.2, 6);
  });

  it('the second-order sum is exact for a quadratic score, the first-order one is not', () => {
    // s(x) = -(x0^2 + 3 x1^2) / 2 with gradient (-x0, -3 x1): every step's share is exact.
    const grad = (x: Float32Array) => Float32Array.of(-x[0], -3 * x[1]);
    const s = (x: Float32Array) => -(x[0] * x[0] + 3 * x[1] * x[1]) / 2;
    let x = Float32Array.of(0.2, 0.1);
    const x0 = x;
    const acc1 = new Float64Array(2);
    const acc2 = new Float64Array(2);
    for (let j = 0; j < 5; j++) {
      const next = new Float32Array(2);
      stepAlongPath(x0, x, grad(x), 'sign', { lo: -1, hi: 1, step: 0.05, radius: 1 }, next);
      accumulateStep(acc1, x, next, grad(x), grad(next), 1);
      accumulateStep(acc2, x, next, grad(x), grad(next), 2);
      x = next;
    }
    const lost = s(x0) - s(x);
    expect(acc2[0] + acc2[1]).toBeCloseTo(lost, 6);
    expect(Math.abs(acc1[0] + acc1[1] - lost)).toBeGreaterThan(0.01);
  });
});

// The completeness-style property on the demo models (as IG's in gradient-methods.test.ts): the
// shares sum to the score the input loses along its path, closely with the second-order term,
// loosely without it (figures: docs/mfaba.md).
describe('MFABA on the demo models', () => {
  let root: string;
  let engine: Engine;
  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'explicare-mfaba-'));
    engine = new Engine({ cacheDir: path.join(root, 'cache'), bundledModelsDir: bundledModelsDir() });
  });
  afterAll(async () => {
    await engine.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  const open = async (kind: 'ct' | 'ceph') => {
    const dir = path.join(root, kind);
    if (kind === 'ct') await generateCtStudy({ seed: 1, outDir: dir });
    else await generateCeph({ seed: 1, outDir: dir });
    const uid = (await engine.openPaths([dir])).openedSeries[0];
    const model = (await engine.listModels()).find((m) => m.modality.includes(kind === 'ct' ? 'CT' : 'DX'))!;
    return { uid, model: model.id };
  };
  const mfaba = async (s: { uid: string; model: string }, options: Record<string, unknown>) => {
    const job = await engine.startExplanation(s.uid, s.model, 'mfaba', options);
    return (await engine.waitForJob(job.id)).details as unknown as Details;
  };

  it.each([
    ['ct', 'predicted', 0.05],
    ['ceph', 'Sella', 0.15],
  ] as const)('on the demo %s (target %s) the second-order shares sum to the score lost to within %s', async (kind, target, bound) => {
    const s = await open(kind);
    const second = await mfaba(s, { target });
    const first = await mfaba(s, { target, order: 1 });
    console.log(
      `demo ${kind} mfaba: ${second.path.steps} steps (${second.path.stoppedBy}), completeness error ${second.completeness.relativeError.toFixed(4)} (order 2), ${first.completeness.relativeError.toFixed(4)} (order 1)`,
    );
    expect(second.path.stoppedBy).toBe('boundary');
    expect(second.path.steps).toBeLessThan(32);
    expect(Math.abs(second.completeness.scoreDifference)).toBeGreaterThan(0.1);
    expect(second.completeness.relativeError).toBeLessThan(bound);
    expect(first.completeness.relativeError).toBeGreaterThan(3 * second.completeness.relativeError);
    await expect(engine.startExplanation(s.uid, s.model, 'mfaba', { target, stepSize: 2 })).rejects.toThrow(/mfaba options: stepSize/);
  }, 120_000);
});
