// Held-out evaluation of the SHIPPED demo models (model.onnx in onnxruntime-node, as the app runs
// them) on test sets written by tools/export-training-data.ts, plus forward-pass timing.
//
//   npx tsx tools/evaluate-models.ts --data /tmp/explicare-train [--only ct|ceph] [--write-card] [--ct-model FILE]
//
// CT: accuracy, F1, sensitivity, specificity, ROC AUC at softmax(logits)[1] >= 0.5.
// Ceph: heatmaps -> argmax + quadratic refinement (tools/heatmaps.ts) -> model-grid (i, j) ->
// reindex(grid, image geometry) (the app's geometry code) -> pixel error x 0.1 mm ImagerPixelSpacing:
// radial errors in the ORIGINAL image's mm; MRE and SDR within 2 / 2.5 / 3 / 4 mm.
// --write-card stores the metrics in resources/models/<model>/model.json (card.metrics, card.evaluation).
// --ct-model evaluates another CT model.onnx (a candidate before it replaces the shipped one; no card).
// The CT forward cost is timed at batch 1 and per sample in batches of 8 (how MUPAX runs its passes).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { reindex, type Geometry } from '../src/shared/geometry';
import { ISBI_PIXEL_SPACING_MM } from '../src/shared/landmarks';
import { modelManifestSchema } from '../src/shared/modelManifest';
import { decodeHeatmaps } from './heatmaps';
import { readNpy } from './npy';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const DIRS = { ct: 'resources/models/ct-nodule-classifier', ceph: 'resources/models/ceph-landmarks' } as const;

interface Index<M> { seeds: number[]; metas: M[] }
interface CtMeta { seed: number; label: number; lesionCount: number; lesions: { kind: string; diameterMm: number }[] }
interface CephMeta { seed: number; landmarksPixel: [number, number][]; geometry: Geometry; grid: Geometry }

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const round = (v: number, d = 4): number => Math.round(v * 10 ** d) / 10 ** d;

async function session(kind: 'ct' | 'ceph', file = path.join(root, DIRS[kind], 'model.onnx')): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(file, { intraOpNumThreads: 2, interOpNumThreads: 1, executionProviders: ['cpu'] });
}

/** Median ms of one run over 20 runs; with batch > 1 the input is repeated along the batch axis. */
async function timeForward(s: ort.InferenceSession, input: Float32Array, shape: number[], batch = 1): Promise<number> {
  const data = new Float32Array(input.length * batch);
  for (let b = 0; b < batch; b++) data.set(input, b * input.length);
  const feeds = { [s.inputNames[0]]: new ort.Tensor('float32', data, [batch, ...shape.slice(1)]) };
  for (let i = 0; i < 5; i++) await s.run(feeds);
  const t: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await s.run(feeds);
    t.push(performance.now() - t0);
  }
  return median(t);
}

function rocAuc(labels: number[], scores: number[]): number {
  let greater = 0;
  let pairs = 0;
  labels.forEach((li, i) => {
    if (li !== 1) return;
    labels.forEach((lj, j) => {
      if (lj !== 0) return;
      pairs++;
      greater += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    });
  });
  return greater / pairs;
}

async function evaluateCt(dir: string, modelFile?: string) {
  const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as Index<CtMeta>;
  const s = await session('ct', modelFile);
  const probs: number[] = [];
  const labels: number[] = [];
  let shape: number[] = [];
  let first: Float32Array | null = null;
  for (const [n, seed] of index.seeds.entries()) {
    const x = readNpy(path.join(dir, `x_${seed}.npy`));
    shape = [1, ...x.shape];
    first ??= x.data as Float32Array;
    const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', x.data as Float32Array, shape) });
    const [a, b] = out[s.outputNames[0]].data as Float32Array;
    const m = Math.max(a, b);
    probs.push(Math.exp(b - m) / (Math.exp(a - m) + Math.exp(b - m)));
    labels.push(index.metas[n].label);
  }
  const pred = probs.map((p) => (p >= 0.5 ? 1 : 0));
  const count = (f: (i: number) => boolean) => labels.filter((_, i) => f(i)).length;
  const tp = count((i) => pred[i] === 1 && labels[i] === 1);
  const tn = count((i) => pred[i] === 0 && labels[i] === 0);
  const fp = count((i) => pred[i] === 1 && labels[i] === 0);
  const fn = count((i) => pred[i] === 0 && labels[i] === 1);
  const precision = tp / Math.max(tp + fp, 1);
  const sensitivity = tp / Math.max(tp + fn, 1);
  // Sensitivity by the smallest nodule of a study (the hardest one to see).
  const bySize: Record<string, string> = {};
  for (const [lo, hi] of [[0, 10], [10, 15], [15, 100]]) {
    const idx = index.metas
      .map((m, i) => ({ m, i }))
      .filter(({ m }) => m.lesionCount > 0 && Math.min(...m.lesions.map((l) => l.diameterMm)) >= lo && Math.min(...m.lesions.map((l) => l.diameterMm)) < hi);
    bySize[`sensitivitySmallestNodule${lo}to${hi}mm`] = `${idx.filter(({ i }) => pred[i] === 1).length}/${idx.length}`;
  }
  const metrics = {
    testStudies: labels.length,
    testPositive: labels.filter((l) => l === 1).length,
    accuracy: round((tp + tn) / labels.length),
    f1: round((2 * precision * sensitivity) / Math.max(precision + sensitivity, 1e-12)),
    rocAuc: round(rocAuc(labels, probs)),
    sensitivity: round(sensitivity),
    specificity: round(tn / Math.max(tn + fp, 1)),
    confusion: `TP ${tp}, FN ${fn}, FP ${fp}, TN ${tn}`,
    ...bySize,
    forwardMsMedian2Threads: round(await timeForward(s, first!, shape), 1),
    forwardMsPerSampleBatch8: round((await timeForward(s, first!, shape, 8)) / 8, 1),
  };
  return {
    metrics,
    probabilities: Object.fromEntries(index.seeds.map((seed, i) => [seed, round(probs[i])])),
    seeds: [index.seeds[0], index.seeds[index.seeds.length - 1]],
  };
}

async function evaluateCeph(dir: string) {
  const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as Index<CephMeta>;
  const s = await session('ceph');
  const errors: number[] = [];
  const perLandmark: number[][] = Array.from({ length: 19 }, () => []);
  let shape: number[] = [];
  let first: Float32Array | null = null;
  for (const [n, seed] of index.seeds.entries()) {
    const x = readNpy(path.join(dir, `x_${seed}.npy`));
    shape = [1, ...x.shape];
    first ??= x.data as Float32Array;
    const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', x.data as Float32Array, shape) });
    const h = out[s.outputNames[0]];
    const [, L, H, W] = h.dims as number[];
    const meta = index.metas[n];
    decodeHeatmaps(h.data as Float32Array, L, H, W).forEach(([i, j], l) => {
      const [col, row] = reindex(meta.grid, meta.geometry, [i, j, 0]);
      const [gc, gr] = meta.landmarksPixel[l];
      const e = Math.hypot(col - gc, row - gr) * ISBI_PIXEL_SPACING_MM;
      errors.push(e);
      perLandmark[l].push(e);
    });
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const mre = mean(errors);
  const sdr = (mm: number) => round(errors.filter((e) => e <= mm).length / errors.length);
  const worst = perLandmark.map((v, l) => ({ l, m: mean(v) })).sort((a, b) => b.m - a.m)[0];
  const metrics = {
    testImages: index.seeds.length,
    mreMm: round(mre, 3),
    sdMm: round(Math.sqrt(mean(errors.map((e) => (e - mre) ** 2))), 3),
    medianErrorMm: round(median(errors), 3),
    maxErrorMm: round(Math.max(...errors), 2),
    sdr2mm: sdr(2),
    sdr2_5mm: sdr(2.5),
    sdr3mm: sdr(3),
    sdr4mm: sdr(4),
    worstLandmark: `${worst.l + 1} (MRE ${round(worst.m, 2)} mm)`,
    forwardMsMedian2Threads: round(await timeForward(s, first!, shape), 1),
  };
  return { metrics, perLandmarkMreMm: perLandmark.map((v) => round(mean(v), 3)), seeds: [index.seeds[0], index.seeds[index.seeds.length - 1]] };
}

function writeCard(kind: 'ct' | 'ceph', metrics: Record<string, number | string>, evaluation: string): void {
  const file = path.join(root, DIRS[kind], 'model.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  json.card = { ...(json.card ?? {}), metrics, evaluation };
  modelManifestSchema.parse(json);
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const data = args.includes('--data') ? args[args.indexOf('--data') + 1] : '/tmp/explicare-train';
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const write = args.includes('--write-card');
  const ctModel = args.includes('--ct-model') ? path.resolve(args[args.indexOf('--ct-model') + 1]) : undefined;
  if (write && ctModel) throw new Error('--write-card writes the shipped model\'s card: drop --ct-model');
  if (only !== 'ceph') {
    const r = await evaluateCt(path.join(data, 'ct-test'), ctModel);
    console.log('CT', JSON.stringify(r.metrics, null, 1));
    console.log('CT p(nodule) by seed', JSON.stringify(r.probabilities));
    if (write) {
      writeCard(
        'ct',
        r.metrics,
        `Held-out test: ${r.metrics.testStudies} synthetic chest CTs (seeds ${r.seeds[0]}-${r.seeds[1]}, ${r.metrics.testPositive} with 1-3 nodules, the rest without), generated at the demo's default resolution (512x512, 0.7 mm pixels, 120 slices of 2.5 mm), read and preprocessed by the app's own code, run as model.onnx in onnxruntime-node (CPU). Threshold: softmax probability of "nodule" >= 0.5. Forward pass: median of 20 runs, 2 intra-op threads, batch 1 (forwardMsMedian2Threads) and batches of 8 (forwardMsPerSampleBatch8, per sample), on the 2-core development machine that wrote this card (shared with other jobs; the figures compare models measured in the same run, not machines).`,
      );
    }
  }
  if (only !== 'ct') {
    const r = await evaluateCeph(path.join(data, 'ceph-test'));
    console.log('ceph', JSON.stringify(r, null, 1));
    if (write) {
      writeCard(
        'ceph',
        { ...r.metrics, perLandmarkMreMm: r.perLandmarkMreMm.join(', ') },
        `Held-out test: ${r.metrics.testImages} synthetic lateral cephalograms (seeds ${r.seeds[0]}-${r.seeds[1]}, 1935x2400 px at 0.1 mm, the demo's default), read and preprocessed by the app's own code, run as model.onnx in onnxruntime-node (CPU). Decoding: argmax of each heatmap + quadratic (parabola) sub-pixel refinement on the 320x256 model grid, mapped back to the original image with the model grid's geometry; radial errors are in the original image's mm (pixel distance x 0.1 mm ImagerPixelSpacing). SDR = share of landmarks within 2 / 2.5 / 3 / 4 mm. perLandmarkMreMm lists the 19 ISBI landmarks in order. Forward pass: median of 20 runs, 2 intra-op threads, batch 1, on the 2-core development machine that wrote this card (shared with other jobs; the figures compare models measured in the same run, not machines).`,
      );
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
