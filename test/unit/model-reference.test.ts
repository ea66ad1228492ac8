// The bundled demo models against the reference outputs their training code wrote
// (tools/export_reference.py): the seeded demo studies are regenerated and preprocessed by the app's
// own pipeline (generator -> DICOM -> Engine -> preprocess with the shipped model.json), the input
// tensor must be bit-identical to the one the reference was computed from (sha256), and
// onnxruntime-node must reproduce torch's outputs. Also checks the manifests against the schema,
// the ONNX interface they promise (names, shapes, dynamic batch) and the Grad-CAM target tensor.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCeph, generateCtStudy } from '../../src/main/engine/demo';
import { Engine } from '../../src/main/engine/engine';
import { preprocess } from '../../src/main/engine/inference/preprocess';
import { ISBI_LANDMARKS } from '../../src/shared/landmarks';
import { type ModelManifest, modelManifestSchema } from '../../src/shared/modelManifest';
import { decodeHeatmaps } from '../../tools/heatmaps';
import { fitGrid, type Geometry } from '../../src/shared/geometry';
import { resample } from '../../src/main/engine/volume/resample';

const models = fileURLToPath(new URL('../../resources/models', import.meta.url));
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const bytes = (a: Float32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

interface Reference<C> { modelSha256: string; tolerance: number; cases: C[] }
interface CtCase { seed: number; inputShape: number[]; inputSha256: string; logits: number[]; gradcam: { shape: number[]; values: number[] } }
interface CephCase {
  seed: number; inputShape: number[]; outputShape: number[]; inputSha256: string;
  landmarksGrid: [number, number][]; heatmapMax: number[]; valueIndices: number[]; values: number[];
  gradcam: { pool: number; shape: number[]; values: number[] };
}

function loadPackage<C>(name: string): { manifest: ModelManifest; onnx: Buffer; reference: Reference<C> } {
  const dir = path.join(models, name);
  return {
    manifest: modelManifestSchema.parse(JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'))),
    onnx: readFileSync(path.join(dir, 'model.onnx')),
    reference: JSON.parse(readFileSync(path.join(dir, 'reference.json'), 'utf8')) as Reference<C>,
  };
}

/** |a - b| <= tol, relative for values larger than 1. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const allowed = tol * Math.max(1, Math.abs(expected[i]));
    if (!(Math.abs(actual[i] - expected[i]) <= allowed)) {
      throw new Error(`${what}[${i}]: got ${actual[i]}, reference ${expected[i]} (allowed difference ${allowed})`);
    }
  }
}

// --- A minimal ONNX (protobuf) reader: the graph's nodes, enough to check tensor names. ---
interface OnnxNode { opType: string; inputs: string[]; outputs: string[] }

function* fields(buf: Uint8Array): Generator<{ field: number; wire: number; value: number; data?: Uint8Array }> {
  let p = 0;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = buf[p++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
  };
  while (p < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) yield { field, wire, value: varint() };
    else if (wire === 1) { p += 8; yield { field, wire, value: 0 }; }
    else if (wire === 5) { p += 4; yield { field, wire, value: 0 }; }
    else if (wire === 2) {
      const len = varint();
      yield { field, wire, value: len, data: buf.subarray(p, p + len) };
      p += len;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

function onnxNodes(model: Uint8Array): OnnxNode[] {
  const text = (d: Uint8Array): string => Buffer.from(d).toString('utf8');
  const nodes: OnnxNode[] = [];
  for (const m of fields(model)) {
    if (m.field !== 7 || !m.data) continue; // ModelProto.graph
    for (const g of fields(m.data)) {
      if (g.field !== 1 || !g.data) continue; // GraphProto.node
      const node: OnnxNode = { opType: '', inputs: [], outputs: [] };
      for (const f of fields(g.data)) {
        if (!f.data) continue;
        if (f.field === 1) node.inputs.push(text(f.data));
        else if (f.field === 2) node.outputs.push(text(f.data));
        else if (f.field === 4) node.opType = text(f.data);
      }
      nodes.push(node);
    }
  }
  return nodes;
}

// --- The app pipeline: seeded demo study -> DICOM -> Engine -> preprocess. ---
const root = mkdtempSync(path.join(tmpdir(), 'explicare-model-ref-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The preprocessed input and the app's own Grad-CAM map (default target, on the model grid). */
async function appInput(kind: 'ct' | 'ceph', seed: number, manifest: ModelManifest) {
  const outDir = path.join(root, `${kind}-${seed}`);
  if (kind === 'ct') await generateCtStudy({ seed, outDir });
  else await generateCeph({ seed, outDir });
  const engine = new Engine({ cacheDir: path.join(root, `cache-${kind}-${seed}`), bundledModelsDir: models });
  try {
    const { openedSeries } = await engine.openPaths([outDir]);
    expect(openedSeries).toHaveLength(1);
    const info = await engine.loadVolume(openedSeries[0]);
    const input = preprocess(manifest, info.geometry, await engine.getVoxels(openedSeries[0]));
    const model = (await engine.listModels()).find((m) => m.name === manifest.name)!;
    const job = await engine.startExplanation(openedSeries[0], model.id, 'gradcam', {});
    const result = await engine.waitForJob(job.id);
    return { ...input, gradcam: Float32Array.from(result.maps[0]) };
  } finally {
    await engine.dispose();
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** Pearson correlation. */
function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i] / n; mb += b[i] / n; }
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

async function createSession(onnx: Buffer): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(onnx, { intraOpNumThreads: 2, executionProviders: ['cpu'] });
}

describe('demo CT nodule classifier', () => {
  const pkg = loadPackage<CtCase>('ct-nodule-classifier');
  let session: ort.InferenceSession;
  const inputs: Float32Array[] = [];
  const cams: { map: Float32Array; grid: Geometry }[] = [];
  beforeAll(async () => {
    session = await createSession(pkg.onnx);
    for (const c of pkg.reference.cases) {
      const x = await appInput('ct', c.seed, pkg.manifest);
      inputs.push(x.data);
      cams.push({ map: x.gradcam, grid: x.grid });
    }
  }, 300_000);

  it("computes the same Grad-CAM as torch (r >= 0.999 on the model grid)", () => {
    for (const [n, c] of pkg.reference.cases.entries()) {
      // Torch's map on the activation grid [z, y, x], brought to the model grid as the app does.
      const [d, h, w] = c.gradcam.shape;
      const actGrid = fitGrid(cams[n].grid, [w, h, d]);
      const torchMap = resample(Float32Array.from(c.gradcam.values), actGrid, cams[n].grid, 'linear', 'clamp');
      expect(correlation(cams[n].map, torchMap), `CT seed ${c.seed} Grad-CAM`).toBeGreaterThanOrEqual(0.999);
    }
  });

  it('is the model the references were computed with', () => {
    expect(sha256(pkg.onnx), 'model.onnx changed: rerun tools/export_reference.py').toBe(pkg.reference.modelSha256);
    expect(pkg.onnx.length).toBeLessThan(10 * 1024 * 1024);
  });

  it('has the interface its manifest promises, and the Grad-CAM target exists', () => {
    const m = pkg.manifest;
    expect(m.task).toBe('classification');
    expect(session.inputNames).toEqual([m.input.name]);
    expect(session.outputNames).toEqual([m.output.name]);
    const nodes = onnxNodes(pkg.onnx);
    const producer = nodes.filter((n) => n.outputs.includes(m.gradcamTarget!));
    expect(producer.map((n) => n.opType)).toEqual(['Relu']);
    // It is the LAST ReLU (the last conv block's activation): only the 1x1x1 detection conv and the
    // global max readout follow it.
    const after = nodes.slice(nodes.indexOf(producer[0]) + 1).map((n) => n.opType);
    expect(after).not.toContain('Relu');
    expect(nodes.filter((n) => n.inputs.includes(m.gradcamTarget!)).map((n) => n.opType)).toEqual(['Conv']);
  });

  it('gets bit-identical inputs from the app pipeline and reproduces the torch logits', async () => {
    for (const [n, c] of pkg.reference.cases.entries()) {
      expect(pkg.manifest.input.shape).toEqual(c.inputShape);
      expect(sha256(bytes(inputs[n])), `CT seed ${c.seed}: the app's preprocessed input differs from the reference's`).toBe(c.inputSha256);
      const out = await session.run({ [pkg.manifest.input.name]: new ort.Tensor('float32', inputs[n], c.inputShape) });
      const logits = out[pkg.manifest.output.name];
      expect(logits.dims).toEqual([1, 2]);
      expectClose(logits.data as Float32Array, c.logits, pkg.reference.tolerance, `CT seed ${c.seed} logits`);
    }
  });

  it('takes a dynamic batch', async () => {
    const shape = pkg.manifest.input.shape;
    const batch = new Float32Array(inputs[0].length * inputs.length);
    inputs.forEach((x, n) => batch.set(x, n * x.length));
    const out = await session.run({ [pkg.manifest.input.name]: new ort.Tensor('float32', batch, [inputs.length, ...shape.slice(1)]) });
    expectClose(out[pkg.manifest.output.name].data as Float32Array, pkg.reference.cases.flatMap((c) => c.logits), pkg.reference.tolerance, 'batched logits');
  });
});

describe('demo cephalometric landmark model', () => {
  const pkg = loadPackage<CephCase>('ceph-landmarks');
  let session: ort.InferenceSession;
  const inputs: Float32Array[] = [];
  const cams: Float32Array[] = [];
  beforeAll(async () => {
    session = await createSession(pkg.onnx);
    for (const c of pkg.reference.cases) {
      const x = await appInput('ceph', c.seed, pkg.manifest);
      inputs.push(x.data);
      cams.push(x.gradcam);
    }
  }, 300_000);

  it('computes the same Grad-CAM as torch (r >= 0.999, both average-pooled alike)', () => {
    for (const [n, c] of pkg.reference.cases.entries()) {
      const [, , H, W] = c.inputShape;
      const P = c.gradcam.pool;
      // The target layer has the input's resolution, so the app's map is on it unresampled: pool it.
      const pooled = new Float64Array((H / P) * (W / P));
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) pooled[Math.floor(y / P) * (W / P) + Math.floor(x / P)] += cams[n][y * W + x] / (P * P);
      expect(c.gradcam.shape).toEqual([H / P, W / P]);
      expect(correlation(pooled, c.gradcam.values), `ceph seed ${c.seed} Grad-CAM`).toBeGreaterThanOrEqual(0.999);
    }
  });

  it('is the model the references were computed with', () => {
    expect(sha256(pkg.onnx), 'model.onnx changed: rerun tools/export_reference.py').toBe(pkg.reference.modelSha256);
    expect(pkg.onnx.length).toBeLessThan(10 * 1024 * 1024);
  });

  it('has the interface its manifest promises', () => {
    const m = pkg.manifest;
    expect(m.task).toBe('landmarks');
    expect(session.inputNames).toEqual([m.input.name]);
    expect(session.outputNames).toEqual([m.output.name]);
    if (m.output.decoding.type !== 'heatmaps') throw new Error('expected heatmap decoding');
    expect(m.output.decoding.landmarks).toEqual(ISBI_LANDMARKS.map((l) => ({ name: l.name, abbreviation: l.abbreviation })));
  });

  it('gets bit-identical inputs from the app pipeline and reproduces the torch heatmaps and landmarks', async () => {
    const tol = pkg.reference.tolerance;
    for (const [n, c] of pkg.reference.cases.entries()) {
      expect(pkg.manifest.input.shape).toEqual(c.inputShape);
      expect(sha256(bytes(inputs[n])), `ceph seed ${c.seed}: the app's preprocessed input differs from the reference's`).toBe(c.inputSha256);
      const out = await session.run({ [pkg.manifest.input.name]: new ort.Tensor('float32', inputs[n], c.inputShape) });
      const h = out[pkg.manifest.output.name];
      // Full input resolution: heatmap (i, j) is model-grid (column, row).
      expect(h.dims).toEqual(c.outputShape);
      expect(h.dims.slice(2)).toEqual(c.inputShape.slice(2));
      const data = h.data as Float32Array;
      const [, L, H, W] = c.outputShape;
      expectClose(c.valueIndices.map((i) => data[i]), c.values, tol, `ceph seed ${c.seed} heatmap values`);
      const max = Array.from({ length: L }, (_, l) => data.subarray(l * H * W, (l + 1) * H * W).reduce((a, b) => Math.max(a, b), -Infinity));
      expectClose(max, c.heatmapMax, tol, `ceph seed ${c.seed} heatmap maxima`);
      expectClose(decodeHeatmaps(data, L, H, W).flat(), c.landmarksGrid.flat(), tol, `ceph seed ${c.seed} landmarks`);
    }
  });

  it('takes a dynamic batch', async () => {
    const shape = pkg.manifest.input.shape;
    const batch = new Float32Array(inputs[0].length * inputs.length);
    inputs.forEach((x, n) => batch.set(x, n * x.length));
    const out = await session.run({ [pkg.manifest.input.name]: new ort.Tensor('float32', batch, [inputs.length, ...shape.slice(1)]) });
    const h = out[pkg.manifest.output.name];
    expect(h.dims[0]).toBe(inputs.length);
    const plane = h.data.length / inputs.length;
    pkg.reference.cases.forEach((c, n) => {
      const [, L, H, W] = c.outputShape;
      const item = (h.data as Float32Array).subarray(n * plane, (n + 1) * plane);
      expectClose(decodeHeatmaps(item, L, H, W).flat(), c.landmarksGrid.flat(), pkg.reference.tolerance, `batched ceph seed ${c.seed} landmarks`);
    });
  });
});
