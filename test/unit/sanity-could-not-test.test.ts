// The sanity check's "could not test" verdict (issue [H], bad input): a model with nothing to
// randomize, and a method that gives no usable map on a randomized model, are reported as such with
// the reason, never as "pass" (or "fail"). Real ONNX models in a real inference thread; the
// methods are recording fixtures, not product methods.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { create } from '@bufbuild/protobuf';
import { TensorProtoSchema } from 'onnx-buf';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel, DT, encodeModel } from '../../src/main/engine/explain/autodiff/proto';
import type { ExplainContext, MethodOutput } from '../../src/main/engine/explain/method';
import type { MethodEntry } from '../../src/main/engine/explain/methods';
import { METHODS } from '../../src/main/engine/explain/methods';
import { InferencePool } from '../../src/main/engine/inference/pool';
import { parseManifest } from '../../src/main/engine/models/readPackage';
import { parameterLayers } from '../../src/main/engine/sanity/randomizeLayers';
import { runSanityCheck } from '../../src/main/engine/sanity/sanityCheck';
import { sanityPlotSvg } from '../../src/main/engine/sanity/sanityPlot';

const dir = path.resolve('test/fixtures/models/tiny-landmarks');
const intact = new Uint8Array(readFileSync(path.join(dir, 'model.onnx')));
const worker = new InferencePool(1);
afterAll(() => worker.terminate());
const never = new AbortController().signal;

async function contextFor(onnx: Uint8Array, key: string): Promise<ExplainContext> {
  const session = await worker.load(key, onnx, { threads: 1, provider: 'cpu' });
  return {
    worker,
    session,
    manifest: parseManifest(readFileSync(path.join(dir, 'model.json'))),
    onnx,
    input: {
      data: new Float32Array(32 * 24).map((_, i) => ((i * 7919) % 97) / 97),
      dims: [1, 1, 32, 24],
      grid: { dimensions: [24, 32, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
    },
  };
}

/** The tiny model with every weight tensor (rank >= 2) set to `value`, or removed when `value` is null. */
function withWeights(value: number | null): Uint8Array {
  const model = decodeModel(intact);
  const weights = new Set(parameterLayers(model).map((l) => l.initializers[0]));
  const g = model.graph!;
  g.initializer = g.initializer.flatMap((t) => {
    if (!weights.has(t.name)) return [t];
    if (value === null) return [];
    const n = t.dims.reduce((a, b) => a * Number(b), 1);
    return [create(TensorProtoSchema, { name: t.name, dims: t.dims, dataType: DT.FLOAT, rawData: new Uint8Array(new Float32Array(n).fill(value).buffer) })];
  });
  return encodeModel(model);
}

/** A method fixture: the input itself as the map, or `broken`'s answer on any model but the intact one. */
function fixture(broken: () => Float32Array, runs: string[]): MethodEntry {
  return {
    parse: (raw) => ({ ...(raw as object) }),
    async run(ctx): Promise<MethodOutput> {
      const isIntact = Buffer.from(ctx.onnx).equals(Buffer.from(intact));
      runs.push(isIntact ? 'intact' : 'randomized');
      const data = isIntact ? Float32Array.from(ctx.input.data) : broken();
      return { maps: [{ target: 'Sella', data }], details: {} };
    },
  };
}

describe('sanity check: could not test', () => {
  it.each([
    ['only constant weights', 0.25, /every weight tensor of the model's \d+ weight layer\(s\) holds one repeated value/],
    ['no weight layers', null, /the model has no weight layers/],
  ] as const)('a model with %s: nothing runs, the verdict says why', async (_, value, reason) => {
    const onnx = withWeights(value);
    const runs: string[] = [];
    // The model is never loaded or run: the check stops before the first map.
    const ctx = { ...(await contextFor(intact, `cnt-${String(value)}`)), onnx };
    const r = await runSanityCheck(ctx, 'fixture', fixture(() => new Float32Array(0), runs), {}, { seed: 1, maxSteps: 3, margin: 0.1 }, () => {}, never);
    expect(r.verdict).toBe('could not test');
    expect(r.reason).toMatch(reason);
    expect(r.steps).toEqual([]);
    expect(r.floor).toBeNull();
    expect(runs).toEqual([]);
    expect(sanityPlotSvg(r)).toContain('COULD NOT TEST'); // the CLI's plot still draws, without floor lines
  });

  it('a method whose map on a randomized model is NaN: could not test, naming the model', async () => {
    const runs: string[] = [];
    const ctx = await contextFor(intact, 'cnt-nan');
    const nan = () => new Float32Array(32 * 24).fill(Number.NaN);
    const r = await runSanityCheck(ctx, 'fixture', fixture(nan, runs), {}, { seed: 1, maxSteps: 3, margin: 0.1 }, () => {}, never);
    expect(r.verdict).toBe('could not test');
    expect(r.reason).toMatch(/the map of the model with \d+ of \d+ weight layers redrawn has values that are not finite numbers/);
    // The floor (intact model, turned input) was measured; the first randomized model stopped the check.
    expect(r.floor).not.toBeNull();
    expect(r.steps).toEqual([]);
    expect(runs).toEqual(['intact', 'intact', 'randomized']);
  });

  it('a method that throws on a randomized model: could not test, with its message', async () => {
    const ctx = await contextFor(intact, 'cnt-throw');
    const r = await runSanityCheck(
      ctx,
      'fixture',
      fixture(() => {
        throw new Error('the errors of every masked sample are NaN');
      }, []),
      {},
      { seed: 1, maxSteps: 3, margin: 0.1 },
      () => {},
      never,
    );
    expect(r.verdict).toBe('could not test');
    expect(r.reason).toMatch(/the method failed on the model with \d+ of \d+ weight layers redrawn \(the errors of every masked sample are NaN\)/);
  });

  it('a real method on the real model still gets a verdict, and a cancel still cancels', async () => {
    const ctx = await contextFor(intact, 'cnt-real');
    const r = await runSanityCheck(ctx, 'gradient', METHODS.gradient, { target: 0 }, { seed: 1, maxSteps: 2, margin: 0.1 }, () => {}, never);
    expect(['pass', 'fail', 'inconclusive']).toContain(r.verdict);
    expect(r.steps).toHaveLength(2);
    const stop = new AbortController();
    stop.abort();
    await expect(runSanityCheck(ctx, 'gradient', METHODS.gradient, { target: 0 }, { seed: 1, maxSteps: 2, margin: 0.1 }, () => {}, stop.signal)).rejects.toThrow();
  });
});
