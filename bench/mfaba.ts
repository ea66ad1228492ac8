// MFABA against IG on a demo model, in a fresh process ([H] 3):
//   tsx bench/mfaba.ts <ct|ceph> [sanity methods, comma-separated]
// Per method and target: model passes (gradient = forward + backward, and plain forward: the seed,
// MFABA's log-probability points, IG's completeness check), ONNX Runtime milliseconds, whole-job
// seconds, path length and completeness error; medians of BENCH_RUNS runs. Then the seconds of one
// sanity check (6 randomization steps, as `npm run cli -- sanity`) per listed method; BENCH_RUNS=0
// runs only the sanity checks, BENCH_SANITY_OUT=DIR keeps each whole result as DIR/<kind>-<method>.json.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../src/main/engine/engine';
import { METHODS } from '../src/main/engine/explain/methods';
import { bundledModelsDir } from '../src/main/engine/paths';
import { runSanityCheck } from '../src/main/engine/sanity/sanityCheck';
import { methodDescriptor } from '../src/shared/explainMethods';

const kind = process.argv[2] as 'ct' | 'ceph';
const sanityMethods = (process.argv[3] ?? '').split(',').filter(Boolean);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const work = mkdtempSync(path.join(os.tmpdir(), 'explicare-bench-mfaba-'));
const engine = new Engine({ cacheDir: work, bundledModelsDir: bundledModelsDir() });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (v: number, d = 1) => Number(v.toFixed(d));

interface Details {
  timing: { gradientPassMs: number; forwardPassMs?: number | null; passes?: number; forwardPasses?: number };
  parameters: { steps: number };
  completeness: { relativeError: number } | null;
  path?: { steps: number; stoppedBy: string };
}

try {
  const uid = (await engine.openDemo(kind)).openedSeries[0];
  const model = (await engine.listModels()).find((m) => m.modality.includes(kind === 'ct' ? 'CT' : 'DX'))!;
  await engine.runModel(uid, model.id);
  // CT: the predicted class ("no nodule" on the demo) has a boundary to cross; "nodule", the app's
  // default target, is not predicted, so MFABA's path runs its full length. Ceph: one landmark, all.
  const targets = kind === 'ct' ? ['predicted', 'nodule'] : ['Sella', 'all'];
  const methods: [string, string, Record<string, unknown>][] = [
    ['ig', 'ig', {}],
    ['mfaba', 'mfaba', {}],
    ['mfaba:first-order', 'mfaba', { order: 1 }],
    ['mfaba:logit', 'mfaba', { score: 'logit' }],
  ];
  // The gradient model is built and loaded once per model: a warm-up run, not timed.
  await engine.waitForJob((await engine.startExplanation(uid, model.id, 'gradient', {})).id);
  const rows: Record<string, unknown>[] = [];
  // BENCH_RUNS=0 skips the timing rows (a sanity-only rerun that leaves the timed figures alone).
  for (const target of RUNS > 0 ? targets : []) {
    for (const [label, method, options] of methods) {
      if (kind === 'ceph' && label === 'mfaba:logit') continue; // landmarks: one score, no logit variant
      const seconds: number[] = [];
      const ortMs: number[] = [];
      let d: Details | undefined;
      for (let i = 0; i < RUNS; i++) {
        await engine.clearExplanations();
        const t0 = performance.now();
        const job = await engine.startExplanation(uid, model.id, method, { ...options, target });
        d = (await engine.waitForJob(job.id)).details as unknown as Details;
        seconds.push((performance.now() - t0) / 1000);
        const t = d.timing;
        const gradientPasses = t.passes ?? d.parameters.steps;
        ortMs.push(t.gradientPassMs * gradientPasses + (t.forwardPassMs ?? 0) * (t.forwardPasses ?? 0));
      }
      const t = d!.timing;
      const gradientPasses = t.passes ?? d!.parameters.steps;
      // Plain forward passes: the seed's (every method), MFABA's log-probability points, IG's two
      // completeness scores (input and baseline).
      const forwardPasses = 1 + (t.forwardPasses ?? 0) + (method === 'ig' ? 2 : 0);
      rows.push({
        method: label,
        target,
        gradientPasses,
        forwardPasses,
        pathSteps: d!.path?.steps ?? null,
        stoppedBy: d!.path?.stoppedBy ?? null,
        ortSeconds: round(median(ortMs) / 1000, 2),
        jobSeconds: round(median(seconds), 2),
        completenessError: d!.completeness ? round(d!.completeness.relativeError, 4) : null,
      });
      console.error(JSON.stringify(rows[rows.length - 1]));
    }
  }
  const sanity: Record<string, unknown> = {};
  const never = new AbortController().signal;
  for (const method of sanityMethods) {
    const [id, variant] = method.split(':');
    const options = variant ? { ...methodDescriptor(id)?.variants?.[variant] } : {};
    const target = kind === 'ct' ? 'nodule' : 'Sella';
    const raw = { ...options, target, ...(METHODS[id].parse({}).samples !== undefined ? { samples: Number(process.env.BENCH_SANITY_SAMPLES ?? 1024) } : {}) };
    const ctx = await engine.explainContextFor(uid, model.id);
    const t0 = performance.now();
    const r = await runSanityCheck(ctx, id, METHODS[id], raw, { seed: 0, maxSteps: 6, margin: 0.1 }, () => {}, never);
    sanity[method] = {
      seconds: round((performance.now() - t0) / 1000, 1),
      verdict: r.verdict,
      steps: r.steps.length,
      ...('samples' in raw ? { samples: raw.samples } : {}),
    };
    console.error(method, JSON.stringify(sanity[method]));
    // The whole result (likeness per step, floor, seed agreement, reason) for docs/sanity.md's table.
    if (process.env.BENCH_SANITY_OUT) writeFileSync(path.join(process.env.BENCH_SANITY_OUT, `${kind}-${method.replace(':', '-')}.json`), JSON.stringify(r, null, 2));
  }
  console.log(JSON.stringify({ model: model.name, runs: RUNS, rows, ...(sanityMethods.length ? { sanity } : {}) }));
} finally {
  await engine.dispose();
  rmSync(work, { recursive: true, force: true });
}
