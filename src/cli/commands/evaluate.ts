// `evaluate --cohort DIR --model DIR|NAME --methods mupax,mupax:paper,rise,regression,gradcam --out DIR
//  [--keep Q] [--limit K] [--target T] [--samples N] [--seeds S1,S2]`: explains every study of a cohort
// (each sub-folder one study) and measures each method on the explained target: deletion/insertion
// AUC, the prediction on the top-Q% salient input vs the unmasked one (accuracy/F1 or MRE),
// localization against lesions, seed agreement of stochastic methods (Jaccard of the significant
// regions of the first two seeds), seconds per study. `mupax:paper` is MUPAX in paper mode with
// all N samples. Writes evaluation.csv, summary.json and summary.md. With --queue redis://… the cases
// run on `worker`s instead (src/cli/cluster, docs/cluster.md); the files are the same.
import { readdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Engine, EngineError } from '../../main/engine/engine';
import { bundledModelsDir, defaultCacheDir } from '../../main/engine/paths';
import { type Command, CommandFailure, UsageError } from '../command';
import { resolveModelPath } from '../openForModel';
import { type Row, writeEvaluation } from '../evaluateSummary';
import { parseTargetSpec } from '../../shared/target';
import { evaluateCase, methodSpec } from '../evaluateCase';
import { evaluateOnQueue } from '../cluster/evaluateOnQueue';

export const evaluateCommand: Command = {
  summary: 'measure explanation methods over a cohort (faithfulness, masked prediction, localization)',
  usage:
    'evaluate --cohort DIR --model DIR|ZIP|NAME --methods mupax,mupax:paper,rise,regression,gradcam --out DIR [--keep 0.25] [--limit K] [--target T] [--samples N] [--seeds S1,S2] [--queue redis://HOST:PORT [--shared DIR] [--queue-ca FILE]]',
  async run(args) {
    const { values } = parseArgs({
      args,
      strict: true,
      options: Object.fromEntries(
        ['cohort', 'model', 'methods', 'out', 'keep', 'limit', 'samples', 'seed', 'seeds', 'target', 'queue', 'queue-ca', 'shared'].map((k) => [k, { type: 'string' as const }]),
      ),
    });
    if (!values.cohort || !values.model || !values.methods || !values.out) throw new UsageError('--cohort, --model, --methods and --out are required');
    // On a queue the model may be named by its sha256 alone (the submitter need not hold it).
    const modelPath = values.queue && /^[0-9a-f]{64}$/.test(values.model) ? values.model : resolveModelPath(values.model);
    const keep = Number(values.keep ?? 0.25);
    if (!(keep > 0 && keep < 1)) throw new UsageError('--keep must be a fraction between 0 and 1');
    const seeds = (values.seeds ?? values.seed ?? '0').split(',').map(Number);
    if (seeds.some((x) => !Number.isInteger(x) || x < 0)) throw new UsageError('--seeds must be whole numbers >= 0, e.g. 0,1');
    const target = values.target === undefined ? undefined : parseTargetSpec(values.target);
    const samples = values.samples ? Number(values.samples) : undefined;
    const methods = values.methods.split(',').map((m) => m.trim());
    methods.forEach(methodSpec); // an unknown variant is a usage error before any study opens
    const studies = (await readdir(values.cohort, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
      .slice(0, values.limit ? Number(values.limit) : undefined);
    if (studies.length === 0) throw new CommandFailure(`${values.cohort} has no study folders`);
    if (values.queue) {
      const { queue, shared, out, cohort } = values;
      const settings = { seeds, target, samples, keep };
      const rows = await evaluateOnQueue({ queue, queueCa: values['queue-ca'], model: modelPath, cohortDir: cohort, sharedDir: shared, studies, methods, settings, out });
      process.stdout.write((await writeEvaluation(out, keep, rows)) + '\n');
      return;
    }

    const engine = new Engine({ cacheDir: defaultCacheDir(), bundledModelsDir: bundledModelsDir() });
    const rows: Row[] = [];
    try {
      const model = await engine.importModel(modelPath);
      for (const study of studies) {
        for (const method of methods) {
          const outcome = await evaluateCase(engine, model, values.cohort, study, { method, seeds, target, samples, keep });
          if ('skipped' in outcome) {
            process.stderr.write(`${study} ${method}: ${outcome.skipped}\n`);
            continue;
          }
          rows.push(outcome.row);
          await writeEvaluation(values.out, keep, rows);
          process.stdout.write(`${study} ${method}: deletion ${outcome.row.deletionAuc.toFixed(3)} insertion ${outcome.row.insertionAuc.toFixed(3)}\n`);
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
