// Explanation timings on a demo model, in a fresh process:
//   tsx bench/explainRun.ts <ct|ceph> <samples>
// MUPAX seconds for N samples vs N plain forward passes at the same batch size (the overhead of
// masking, sampling, aggregation and significance tests), and Grad-CAM / input-gradient time vs one
// forward pass. Seed agreement and time to a stable region are bench/mupaxRuns.ts's.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../src/main/engine/engine';
import { bundledModelsDir } from '../src/main/engine/paths';

const kind = process.argv[2] as 'ct' | 'ceph';
const samples = Number(process.argv[3] ?? 2000);
const batchSize = 8;
const work = mkdtempSync(path.join(os.tmpdir(), 'explicare-bench-explain-'));
const engine = new Engine({ cacheDir: work, bundledModelsDir: bundledModelsDir() });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const report = await engine.openDemo(kind);
  const uid = report.openedSeries[0];
  const models = await engine.listModels();
  const model = models.find((m) => m.modality.includes(kind === 'ct' ? 'CT' : 'DX'))!;
  const pred = await engine.runModel(uid, model.id);

  const forward: number[] = [];
  for (let i = 0; i < 7; i++) forward.push((await engine.runModel(uid, model.id)).timings.inferenceMs);
  const forwardMs = median(forward);

  const timeJob = async (method: string, options: Record<string, unknown>) => {
    const t0 = performance.now();
    const job = await engine.startExplanation(uid, model.id, method, options);
    const result = await engine.waitForJob(job.id);
    return { ms: performance.now() - t0, result };
  };
  // Gradient methods: build + load once (warm-up), then time.
  await timeJob('gradcam', {});
  await engine.clearExplanations();
  // The gradient pass itself (ONNX Runtime time in the worker, as for the forward pass), and the
  // whole job (seed pass, upsampling to the study grid, caching) separately.
  const gradcam: number[] = [];
  const gradient: number[] = [];
  const gradcamJob: number[] = [];
  const passMs = (r: { details: Record<string, unknown> }) => (r.details.timing as { gradientPassMs: number }).gradientPassMs;
  for (let i = 0; i < 5; i++) {
    const g = await timeJob('gradcam', {});
    gradcam.push(passMs(g.result));
    gradcamJob.push(g.ms);
    gradient.push(passMs((await timeJob('gradient', {})).result));
    await engine.clearExplanations();
  }

  // N forward passes of masked-size batches: the same work without MUPAX's own bookkeeping.
  // The paper's estimator with every sample (no stop when stable): the same work at every run.
  const mupax = await timeJob('mupax', { samples, batchSize, seed: 1, mode: 'paper', stableChecks: 0 });
  const inferenceMs = (mupax.result.details.timing as { inferenceMs: number }).inferenceMs;
  console.log(
    JSON.stringify({
      model: model.name,
      provider: pred.provider,
      forwardMs,
      gradcamPassMs: median(gradcam),
      gradcamJobMs: median(gradcamJob),
      gradcamOverForward: median(gradcam) / forwardMs,
      inputGradientPassMs: median(gradient),
      inputGradientOverForward: median(gradient) / forwardMs,
      mupaxSamples: samples,
      mupaxSeconds: mupax.ms / 1000,
      mupaxInferenceSeconds: inferenceMs / 1000,
      mupaxOverInference: mupax.ms / inferenceMs,
    }),
  );
} finally {
  await engine.dispose();
  rmSync(work, { recursive: true, force: true });
}
