// Explanation timings on a demo model, in a fresh process:
//   tsx bench/explainRun.ts <ct|ceph> <samples>
// MUPAX seconds for N samples vs N plain forward passes at the same batch size (the overhead of
// masking, sampling and aggregation), the samples early stopping needs to reach a map correlating
// >= 0.95 with the N=2N reference map, and Grad-CAM / input-gradient time vs one forward pass.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../src/main/engine/engine';
import { correlation } from '../src/main/engine/explain/mupax/accumulator';
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
  const mupax = await timeJob('mupax', { samples, batchSize, seed: 1 });
  const inferenceMs = (mupax.result.details.timing as { inferenceMs: number }).inferenceMs;
  const reference = await timeJob('mupax', { samples: 2 * samples, batchSize, seed: 2 });
  const ref = Float64Array.from(reference.result.maps.at(-1)!);
  // Sample i is the same whatever N (one seeded stream), so the first n samples of seed 1 are a run
  // with samples = n: binary search over the check points, assuming the correlation grows with n.
  const checkpoints = (mupax.result.details.convergence as { samples: number }[]).map((c) => c.samples).filter((n) => n >= 256);
  const corrAt = async (n: number) => correlation(Float64Array.from((await timeJob('mupax', { samples: n, batchSize, seed: 1 })).result.maps.at(-1)!), ref);
  let needed: number | null = null;
  let lo = 0;
  let hi = checkpoints.length - 1;
  if (checkpoints.length && correlation(Float64Array.from(mupax.result.maps.at(-1)!), ref) >= 0.95) {
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await corrAt(checkpoints[mid])) >= 0.95) hi = mid;
      else lo = mid + 1;
    }
    needed = checkpoints[lo];
  }
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
      samplesForCorrelation095WithDoubleN: needed,
      referenceSamples: 2 * samples,
    }),
  );
} finally {
  await engine.dispose();
  rmSync(work, { recursive: true, force: true });
}
