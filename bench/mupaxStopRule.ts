// Calibrates MUPAX's stopping rule on a cohort instead of on the demo study: every study runs the
// default estimator to a fixed budget without stopping, the significant region (main target) is
// kept at every check, and candidate rules are replayed on those regions:
//   tsx bench/mupaxStopRule.ts <cohort dir> <model name> [budget=2048] [seeds=0,1] [limit]
//   tsx bench/mupaxStopRule.ts --replay <traces.json>[,<traces.json>...]   (rules on saved traces)
// STOPRULE_TRACES=FILE keeps the traces (each check's region as its model-grid voxel indices), so cohorts measured
// on different days can be replayed together.
// A rule "k checks at Jaccard >= j" stops at the first check whose region has matched the previous
// one k times in a row (and is not empty). For each rule: the share of runs it stops, the samples
// it stops at (median), how close its region is to the region of the whole budget (Jaccard; what
// stopping gave up), and how well two seeds stopped by it agree. Prints one JSON line.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../src/main/engine/engine';
import { runMupax } from '../src/main/engine/explain/mupax/mupax';
import { mupaxOptionsSchema } from '../src/main/engine/explain/mupax/options';
import { jaccard } from '../src/main/engine/explain/mupax/significance';
import { bundledModelsDir } from '../src/main/engine/paths';

const replay = process.argv[2] === '--replay';
const [cohort, modelName, budgetText = '2048', seedText = '0,1', limitText] = replay ? [] : process.argv.slice(2);
const budget = replay ? Number(JSON.parse(readFileSync(process.argv[3].split(',')[0], 'utf8')).budget) : Number(budgetText);
const seeds = seedText.split(',').map(Number);
const studies = replay
  ? []
  : readdirSync(cohort, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
      .slice(0, limitText ? Number(limitText) : undefined);

interface Trace {
  study: string;
  seed: number;
  samples: number[];
  regions: Uint8Array[];
}

const traces: Trace[] = [];
if (replay) {
  for (const file of process.argv[3].split(',')) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as {
      chunks: number;
      traces: { study: string; seed: number; samples: number[]; regions: number[][] }[];
    };
    for (const t of saved.traces) {
      traces.push({
        study: `${file}:${t.study}`,
        seed: t.seed,
        samples: t.samples,
        regions: t.regions.map((r) => {
          const m = new Uint8Array(saved.chunks);
          for (const c of r) m[c] = 1;
          return m;
        }),
      });
    }
  }
} else {
  const work = mkdtempSync(path.join(os.tmpdir(), 'explicare-stoprule-'));
  const engine = new Engine({ cacheDir: work, bundledModelsDir: bundledModelsDir() });
  try {
    const model = await engine.importModel(path.join(bundledModelsDir(), modelName));
    for (const study of studies) {
      const report = await engine.openPaths([path.join(cohort, study)]);
      const series = report.studies.flatMap((s) => s.series).find((s) => report.openedSeries.includes(s.seriesUid) && model.modality.includes(s.modality));
      if (!series) continue;
      await engine.runModel(series.seriesUid, model.id);
      const ctx = await engine.explainContextFor(series.seriesUid, model.id);
      for (const seed of seeds) {
        // Classifiers: the positive class (the app's default); landmark models: every landmark, main = any.
        const decoding = ctx.manifest.output.decoding;
        const target = decoding.type === 'classification' && decoding.positiveClass !== undefined ? decoding.positiveClass : 'predicted';
        const o = mupaxOptionsSchema.parse({ seed, samples: budget, stableChecks: 0, target });
        const trace: Trace = { study, seed, samples: [], regions: [] };
        await runMupax(
          ctx,
          o,
          (p) => {
            if (!p.partial) return;
            trace.samples.push(p.done);
            trace.regions.push(Uint8Array.from(p.partial, (v) => (v > 0 ? 1 : 0)));
          },
          new AbortController().signal,
        );
        traces.push(trace);
        process.stderr.write(`${study} seed ${seed}: ${trace.samples.length} checks\n`);
      }
    }
    if (process.env.STOPRULE_TRACES) {
      const chunks = traces[0]?.regions[0]?.length ?? 0;
      const lists = traces.map((t) => ({ ...t, regions: t.regions.map((r) => [...r.keys()].filter((i) => r[i])) }));
      writeFileSync(process.env.STOPRULE_TRACES, JSON.stringify({ cohort, model: modelName, budget, chunks, traces: lists }));
    }
  } finally {
    await engine.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

const size = (r: Uint8Array) => r.reduce((s, v) => s + v, 0);
/** The check index a rule stops at, or the last one when it never does. */
function stopIndex(t: Trace, checks: number, minJaccard: number): { index: number; stopped: boolean } {
  let calm = 0;
  for (let i = 1; i < t.regions.length; i++) {
    calm = size(t.regions[i]) > 0 && jaccard(t.regions[i - 1], t.regions[i]) >= minJaccard ? calm + 1 : 0;
    if (calm >= checks) return { index: i, stopped: true };
  }
  return { index: t.regions.length - 1, stopped: false };
}
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
const round = (v: number) => Number(v.toFixed(3));

const rules = [1, 2, 3, 4].flatMap((checks) => [0.8, 0.9, 1].map((minJaccard) => ({ checks, minJaccard })));
const results = rules.map(({ checks, minJaccard }) => {
  const stops = traces.map((t) => ({ t, ...stopIndex(t, checks, minJaccard) }));
  const toFinal = stops.filter((s) => s.stopped).map((s) => jaccard(s.t.regions[s.index], s.t.regions[s.t.regions.length - 1]));
  const pairs: number[] = [];
  for (const study of new Set(traces.map((t) => t.study))) {
    const mine = stops.filter((s) => s.t.study === study);
    for (let a = 0; a < mine.length; a++)
      for (let b = a + 1; b < mine.length; b++) pairs.push(jaccard(mine[a].t.regions[mine[a].index], mine[b].t.regions[mine[b].index]));
  }
  return {
    rule: `${checks} checks at J >= ${minJaccard}`,
    stoppedShare: round(stops.filter((s) => s.stopped).length / stops.length),
    medianStopSamples: median(stops.map((s) => s.t.samples[s.index])),
    meanJaccardToFullBudget: round(mean(toFinal)),
    meanSeedJaccardAtStop: round(mean(pairs)),
  };
});
const emptyAtEnd = traces.filter((t) => size(t.regions[t.regions.length - 1]) === 0).length;
process.stdout.write(
  JSON.stringify({
    cohort: replay ? process.argv[3] : cohort,
    model: modelName,
    budget,
    seeds,
    studies: replay ? new Set(traces.map((t) => t.study)).size : studies.length,
    runs: traces.length,
    emptyAtEnd,
    results,
  }) + '\n',
);
