// `evaluate --cohort DIR --model DIR|NAME --methods mupax,mupax:paper,rise,regression,gradcam --out DIR
//  [--keep Q] [--limit K] [--target T] [--samples N] [--seeds S1,S2]`: explains every study of a cohort
// (each sub-folder one study) and measures each method on the explained target: deletion/insertion
// AUC, the prediction on the top-Q% salient input vs the unmasked one (accuracy/F1 or MRE),
// localization against lesions, seed agreement of stochastic methods (Jaccard of the significant
// regions of the first two seeds), seconds per study. `mupax:paper` is MUPAX in paper mode with
// all N samples. Writes evaluation.csv, summary.json and summary.md.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine, EngineError } from '../../main/engine/engine';
import { bundledModelsDir, defaultCacheDir } from '../../main/engine/paths';
import { type Command, CommandFailure, UsageError } from '../command';
import { resolveModelPath } from '../openForModel';
import { type Row, writeEvaluation } from '../evaluateSummary';
import { EXPLAIN_METHODS, type MethodDescriptor, methodDescriptor } from '../../shared/explainMethods';
import { parseTargetSpec } from '../../shared/target';
import { jaccard } from '../../main/engine/explain/mupax/significance';

/** "mupax:paper" -> MUPAX with its "paper" preset (shared/explainMethods.ts variants). */
function methodSpec(spec: string): { method: string; options: Record<string, unknown> } {
  const [method, variant] = spec.split(':');
  if (variant === undefined) return { method, options: {} };
  const variants = methodDescriptor(method)?.variants;
  if (variants && Object.hasOwn(variants, variant)) return { method, options: { ...variants[variant] } };
  const known = EXPLAIN_METHODS.flatMap((m: MethodDescriptor) => Object.keys(m.variants ?? {}).map((v) => `${m.id}:${v}`));
  throw new UsageError(`unknown method variant "${spec}" (known: ${known.join(', ')})`);
}

export const evaluateCommand: Command = {
  summary: 'measure explanation methods over a cohort (faithfulness, masked prediction, localization)',
  usage:
    'evaluate --cohort DIR --model DIR|ZIP|NAME --methods mupax,mupax:paper,rise,regression,gradcam --out DIR [--keep 0.25] [--limit K] [--target T] [--samples N] [--seeds S1,S2]',
  async run(args) {
    const { values } = parseArgs({
      args,
      strict: true,
      options: Object.fromEntries(
        ['cohort', 'model', 'methods', 'out', 'keep', 'limit', 'samples', 'seed', 'seeds', 'target'].map((k) => [k, { type: 'string' as const }]),
      ),
    });
    if (!values.cohort || !values.model || !values.methods || !values.out) throw new UsageError('--cohort, --model, --methods and --out are required');
    const modelPath = resolveModelPath(values.model);
    const keep = Number(values.keep ?? 0.25);
    if (!(keep > 0 && keep < 1)) throw new UsageError('--keep must be a fraction between 0 and 1');
    const seeds = (values.seeds ?? values.seed ?? '0').split(',').map(Number);
    if (seeds.some((x) => !Number.isInteger(x) || x < 0)) throw new UsageError('--seeds must be whole numbers >= 0, e.g. 0,1');
    const target = values.target === undefined ? {} : { target: parseTargetSpec(values.target) };
    const sampling = Object.fromEntries(Object.entries({ samples: values.samples && Number(values.samples) }).filter(([, v]) => v !== undefined && v !== ''));
    const specs = values.methods.split(',').map((m) => methodSpec(m.trim()));
    const studies = (await readdir(values.cohort, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
      .slice(0, values.limit ? Number(values.limit) : undefined);
    if (studies.length === 0) throw new CommandFailure(`${values.cohort} has no study folders`);

    const engine = new Engine({ cacheDir: defaultCacheDir(), bundledModelsDir: bundledModelsDir() });
    const rows: Row[] = [];
    try {
      const model = await engine.importModel(modelPath);
      for (const study of studies) {
        const report = await engine.openPaths([path.join(values.cohort, study)]);
        const series = report.studies.flatMap((s) => s.series).find((s) => report.openedSeries.includes(s.seriesUid) && model.modality.includes(s.modality));
        if (!series) {
          process.stderr.write(`${study}: no ${model.modality.join('/')} series, skipped\n`);
          continue;
        }
        const truth = await engine.getGroundTruth(series.seriesUid);
        const prediction = await engine.runModel(series.seriesUid, model.id);
        for (const [i, { method, options: variant }] of specs.entries()) {
          const name = values.methods.split(',')[i].trim();
          const t0 = performance.now();
          // --samples and the seeds are the stochastic methods'; the gradient methods take neither.
          const stochastic = !!methodDescriptor(method)?.stochastic;
          const optionsFor = (seed: number) => ({ ...target, ...(stochastic ? { ...sampling, seed } : {}), ...variant });
          let job: Awaited<ReturnType<typeof engine.startExplanation>>;
          let result: Awaited<ReturnType<typeof engine.waitForJob>>;
          try {
            job = await engine.startExplanation(series.seriesUid, model.id, method, optionsFor(seeds[0]));
            result = await engine.waitForJob(job!.id);
          } catch (err) {
            // One method that cannot run on one study (e.g. too few samples for its chunks) is
            // reported and left out; the cohort goes on.
            if (!(err instanceof EngineError)) throw err;
            process.stderr.write(`${study} ${name}: ${err.message}\n`);
            continue;
          }
          const seconds = (performance.now() - t0) / 1000;
          let seedAgreement: number | null = null;
          if (stochastic && seeds.length > 1 && result.layers?.significant) {
            const other = await engine.waitForJob((await engine.startExplanation(series.seriesUid, model.id, method, optionsFor(seeds[1]))).id);
            const main = result.maps.length - 1;
            seedAgreement = jaccard(result.layers.significant[main], other.layers!.significant[main]);
          }
          const m = await engine.explanationMetrics(job!.id);
          const keepRow = m.faithfulness.keepTop.find((k) => Math.abs(k.fraction - keep) < 1e-9) ?? m.faithfulness.keepTop[1];
          const c = prediction.classification;
          rows.push({
            study,
            method: name,
            truth: c ? (truth ? (truth.lesions.length > 0 ? c.classes[c.positiveClass ?? 1] : c.classes[1 - (c.positiveClass ?? 1)]) : '') : 'landmarks',
            predicted: c ? c.classes[c.predicted] : 'landmarks',
            predictedKeepTop: c && c.classes.length === 2 ? c.classes[keepRow.score > 0.5 ? c.predicted : 1 - c.predicted] : '',
            positive: c ? c.classes[c.positiveClass ?? 1] : '',
            unmasked: m.faithfulness.unmasked,
            keepTop: keepRow.score,
            deletionAuc: m.faithfulness.deletion.auc,
            insertionAuc: m.faithfulness.insertion.auc,
            pointingGame: m.localization ? (m.localization.pointingGameHit ? 'hit' : 'miss') : '',
            energyInside: m.localization?.energyInside ?? null,
            lesionFraction: m.localization?.lesionVoxelFraction ?? null,
            seedAgreement,
            regionFraction: m.regionFraction,
            seconds,
          });
          await writeEvaluation(values.out, keep, rows);
          process.stdout.write(`${study} ${name}: deletion ${m.faithfulness.deletion.auc.toFixed(3)} insertion ${m.faithfulness.insertion.auc.toFixed(3)}\n`);
        }
      }
    } catch (err) {
      if (err instanceof EngineError) throw new CommandFailure(err.message);
      throw err;
    } finally {
      await engine.dispose();
    }

    const md = await writeEvaluation(values.out, keep, rows);
    process.stdout.write(md + '\n');
  },
};
