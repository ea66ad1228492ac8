// Gradient engine: every backward rule is checked against torch autograd references
// (test/fixtures/autodiff, written by tools/make_autodiff_fixtures.py) by running the gradient model in
// plain onnxruntime-node. Error measure: max|a - b| / max(max|b|, 1e-6) <= 1e-5 per tensor.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildGradientModel,
  findCamActivation,
  listOps,
  unsupportedOps,
  UnsupportedOpError,
} from '../../src/main/engine/explain/autodiff';

const DIR = path.resolve('test/fixtures/autodiff');
const TOLERANCE = 1e-5;

interface ArrayEntry {
  key: string;
  shape: number[];
  offset: number;
}
interface Fixture {
  name: string;
  opset: number;
  output: string;
  inputs: string[];
  wrt: string[];
  arrays: ArrayEntry[];
  gradcamTarget?: string;
  unsupportedOnly?: boolean;
  einsumNode?: string;
}
interface Arr {
  shape: number[];
  data: Float32Array;
}

const manifest = JSON.parse(readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as { fixtures: Fixture[] };
const fixtures = manifest.fixtures.filter((f) => !f.unsupportedOnly);
const model = (name: string) => new Uint8Array(readFileSync(path.join(DIR, `${name}.onnx`)));

function arrays(f: Fixture): Map<string, Arr> {
  const buf = readFileSync(path.join(DIR, `${f.name}.bin`));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const out = new Map<string, Arr>();
  for (const a of f.arrays) {
    const size = a.shape.reduce((p, q) => p * q, 1);
    out.set(a.key, { shape: a.shape, data: all.slice(a.offset, a.offset + size) });
  }
  return out;
}

function relErr(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / Math.max(scale, 1e-6);
}

const tensor = (a: Arr) => new ort.Tensor('float32', a.data, a.shape);

async function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
}

const report: string[] = [];
afterAll(() => {
  if (report.length) console.log(`max relative error per fixture (output, gradients):\n${report.join('\n')}`);
});

describe('gradients match torch autograd', () => {
  for (const f of fixtures) {
    it(`${f.name} (opset ${f.opset})`, async () => {
      const ref = arrays(f);
      const keep = f.wrt.filter((t) => !f.inputs.includes(t));
      const gm = buildGradientModel(model(f.name), { output: f.output, wrt: f.wrt, keepActivations: keep });
      const s = await session(gm.model);
      const feeds: Record<string, ort.Tensor> = { [gm.seedInput]: tensor(ref.get('seed')!) };
      for (const i of f.inputs) feeds[i] = tensor(ref.get(`input:${i}`)!);
      const res = await s.run(feeds);
      const outErr = relErr(res[f.output].data as Float32Array, ref.get('output')!.data);
      const errs = f.wrt.map((t) => {
        const got = res[gm.gradientOutputs[t]];
        expect(got.dims).toEqual(ref.get(`grad:${t}`)!.shape);
        return relErr(got.data as Float32Array, ref.get(`grad:${t}`)!.data);
      });
      for (const t of keep) expect(res[gm.activationOutputs[t]].dims.length).toBeGreaterThan(0);
      report.push(`  ${f.name.padEnd(32)} out ${outErr.toExponential(1)}  ${f.wrt.map((t, i) => `d/d${t} ${errs[i].toExponential(1)}`).join('  ')}`);
      await s.release();
      expect(outErr).toBeLessThanOrEqual(TOLERANCE);
      for (const e of errs) expect(e).toBeLessThanOrEqual(TOLERANCE);
    });
  }
});

describe('gradient engine behaviour', () => {
  it('names the op and node when an op without a rule lies on the path', () => {
    const onnx = model('einsum_branch');
    const node = manifest.fixtures.find((f) => f.name === 'einsum_branch')!.einsumNode!;
    let error: unknown;
    try {
      buildGradientModel(onnx, { output: 'aux', wrt: ['x'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedOpError);
    const u = error as UnsupportedOpError;
    expect(u.opType).toBe('Einsum');
    expect(u.nodeName).toBe(node);
    expect(u.message).toContain('"Einsum"');
    expect(u.message).toContain(`"${node}"`);
    expect(unsupportedOps(onnx)).toEqual(['Einsum']);
    expect(listOps(onnx)).toContain('Einsum');
  });

  it('ignores unsupported ops that are off the path', async () => {
    const gm = buildGradientModel(model('einsum_branch'), { output: 'out', wrt: ['x'] });
    const s = await session(gm.model);
    const x = new ort.Tensor('float32', new Float32Array(60).fill(0.5), [1, 2, 5, 6]);
    const res = await s.run({ x, [gm.seedInput]: new ort.Tensor('float32', new Float32Array([1, 0, 0]), [1, 3]) });
    expect(res[gm.gradientOutputs.x].dims).toEqual([1, 2, 5, 6]);
  });

  it('finds the Grad-CAM target of classifiers and of the U-Net heatmap model', () => {
    for (const f of manifest.fixtures.filter((x) => x.gradcamTarget)) {
      expect(findCamActivation(model(f.name)), f.name).toBe(f.gradcamTarget);
    }
  });

  it('gives per-sample gradients with a dynamic batch axis (batch 3 = three batch-1 runs)', async () => {
    const f = fixtures.find((x) => x.name === 'dynamic_batch')!;
    const ref = arrays(f);
    const gm = buildGradientModel(model(f.name), { output: 'out', wrt: ['x', 'act'], keepActivations: ['act'] });
    const s = await session(gm.model);
    const x = ref.get('input:x')!;
    const seed = ref.get('seed')!;
    const gx = ref.get('grad:x')!;
    const per = (a: Arr, i: number): Arr => {
      const n = a.data.length / a.shape[0];
      return { shape: [1, ...a.shape.slice(1)], data: a.data.slice(i * n, (i + 1) * n) };
    };
    expect(x.shape[0]).toBe(3);
    for (let i = 0; i < 3; i++) {
      const res = await s.run({ x: tensor(per(x, i)), [gm.seedInput]: tensor(per(seed, i)) });
      expect(relErr(res[gm.gradientOutputs.x].data as Float32Array, per(gx, i).data)).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('refuses to differentiate through weights it treats as constants', () => {
    let error: unknown;
    try {
      buildGradientModel(model('conv2d_autopad_valid'), { output: 'out', wrt: ['w'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedOpError);
    expect((error as UnsupportedOpError).opType).toBe('Conv');
    expect((error as Error).message).toMatch(/input 1 \(w\) is treated as a constant/);
  });

  it('gives zeros for a wrt tensor the output does not depend on', async () => {
    // 'aux' is another output of the same model: d(out)/d(aux) = 0.
    const gm = buildGradientModel(model('einsum_branch'), { output: 'out', wrt: ['x', 'aux'] });
    const s = await session(gm.model);
    const x = new ort.Tensor('float32', new Float32Array(60).fill(0.5), [1, 2, 5, 6]);
    const res = await s.run({ x, [gm.seedInput]: new ort.Tensor('float32', new Float32Array([1, 1, 1]), [1, 3]) });
    const aux = res[gm.gradientOutputs.aux];
    expect(aux.dims).toEqual([1, 5, 6]);
    expect(Array.from(aux.data as Float32Array).every((v) => v === 0)).toBe(true);
  });

  it('rejects unknown tensors', () => {
    expect(() => buildGradientModel(model('classifier'), { output: 'nope', wrt: ['x'] })).toThrow(/nope/);
  });
});

// The bundled demo models are trained elsewhere; when present, their gradient models must build and run.
const DEMO = path.resolve('resources/models');
const demos = [
  { dir: 'ct-nodule-classifier', output: 'logits' },
  { dir: 'ceph-landmarks', output: 'heatmaps' },
].filter((d) => existsSync(path.join(DEMO, d.dir, 'model.onnx')));

describe.skipIf(demos.length === 0)('demo models', () => {
  for (const d of demos) {
    it(`${d.dir}: gradient model builds and runs`, async () => {
      const onnx = new Uint8Array(readFileSync(path.join(DEMO, d.dir, 'model.onnx')));
      expect(unsupportedOps(onnx)).toEqual([]);
      const target = findCamActivation(onnx);
      expect(target).not.toBeNull();
      const gm = buildGradientModel(onnx, { output: d.output, wrt: [target!], keepActivations: [target!] });
      const s = await session(gm.model);
      const input = s.inputNames.find((n) => n !== gm.seedInput)!;
      const meta = JSON.parse(readFileSync(path.join(DEMO, d.dir, 'model.json'), 'utf8')) as { input: { shape: number[] } };
      const shape = meta.input.shape;
      const x = new ort.Tensor('float32', new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.1), shape);
      const plain = await session(onnx);
      const out = (await plain.run({ [input]: x }))[d.output];
      const seed = new ort.Tensor('float32', new Float32Array(out.data.length).fill(1), out.dims);
      const res = await s.run({ [input]: x, [gm.seedInput]: seed });
      expect(res[gm.gradientOutputs[target!]].dims).toEqual(res[gm.activationOutputs[target!]].dims);
    });
  }
});
