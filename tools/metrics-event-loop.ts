// How long the engine's thread stalls while a map's metric suite runs (docs/metrics.md, "Off the
// engine's thread"): a 20 ms setInterval on that thread records every gap between ticks while
// explanationMetrics runs, then (with --sensitivity N) while max-sensitivity reruns the method.
//   npx tsx tools/metrics-event-loop.ts --study DIR [--model ct-nodule-classifier] [--method gradcam] [--sensitivity 3]
// Give it its own EXPLICARE_CACHE_DIR, or the metrics of a cached map are all that runs.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../src/main/engine/engine';
import { bundledModelsDir, defaultCacheDir } from '../src/main/engine/paths';

const { values } = parseArgs({ options: { study: { type: 'string' }, model: { type: 'string' }, method: { type: 'string' }, sensitivity: { type: 'string' } } });
if (!values.study) throw new Error('--study DIR is required');

/** Starts recording tick gaps; the returned function stops and summarizes them. */
function monitor(): () => Record<string, number> {
  const gaps: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 20);
  return () => {
    clearInterval(timer);
    const sorted = [...gaps].sort((a, b) => a - b);
    return {
      ticks: gaps.length,
      maxGapMs: Math.round(sorted.at(-1) ?? 0),
      p99GapMs: Math.round(sorted[Math.floor(sorted.length * 0.99)] ?? 0),
      gapsOver100ms: gaps.filter((g) => g > 100).length,
      gapsOver500ms: gaps.filter((g) => g > 500).length,
    };
  };
}

const engine = new Engine({ cacheDir: defaultCacheDir(), bundledModelsDir: bundledModelsDir() });
try {
  const uid = (await engine.openPaths([values.study])).openedSeries[0];
  const model = await engine.importModel(path.join(bundledModelsDir(), values.model ?? 'ct-nodule-classifier'));
  await engine.runModel(uid, model.id);
  const job = await engine.startExplanation(uid, model.id, values.method ?? 'gradcam', {});
  await engine.waitForJob(job.id);
  let stop = monitor();
  let t0 = performance.now();
  const m = await engine.explanationMetrics(job.id);
  const road = m.faithfulness.road;
  console.log(JSON.stringify({ run: 'suite', wallS: +((performance.now() - t0) / 1000).toFixed(1), ...stop(), roadDeletionAuc: road.deletion.auc, roadInsertionAuc: road.insertion.auc }));
  if (values.sensitivity) {
    stop = monitor();
    t0 = performance.now();
    const s = await engine.explanationMetrics(job.id, { maxSensitivity: { perturbations: Number(values.sensitivity) } });
    console.log(JSON.stringify({ run: `max-sensitivity x${values.sensitivity}`, wallS: +((performance.now() - t0) / 1000).toFixed(1), ...stop(), value: s.maxSensitivity?.value ?? null }));
  }
} finally {
  await engine.dispose();
}
