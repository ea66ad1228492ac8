// `evaluate --cohort DIR --model DIR|NAME --methods mupax,mupax:paper,rise,regression,gradcam --out DIR
//  [--keep Q] [--limit K] [--target T] [--samples N] [--seeds S1,S2]`: explains every study of a cohort
// (each sub-folder one study) and measures each method on the explained target: deletion/insertion
// AUC, the prediction on the top-Q% salient input vs the unmasked one (accuracy/F1 or MRE),
// localization against lesions, seed agreement of stochastic methods (Jaccard of the significant
// regions of the first two seeds), seconds per study. `mupax:paper` is MUPAX in paper mode with
// all N samples. Writes evaluation.csv, summary.json and summary.md. With --queue redis://… the cases
// run on `worker`s instead (src/cli/cluster, docs/cluster.md); the files are the same. With
// --pacs URL --studies UID,... the studies come from a DICOMweb server instead of --cohort.
import { readdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Engine, EngineError } from '../../main/engine/engine';
import { bundledModelsDir, defaultCacheDir } from '../../main/engine/paths';
import { type Command, CommandFailure, UsageError } from '../command';
import { resolveModelPath } from '../openForModel';
import { type Row, writeEvaluation } from '../evaluateSummary';
import { parseTargetSpec } from '../../shared/target';
import { evaluateCase, methodSpec } from '../evaluateCase';
import { parseSensitivityRequest, perturbationsFor, type SensitivityRequest } from '../../main/engine/services/explanationMetrics';
import { evaluateOnQueue } from '../cluster/evaluateOnQueue';
import { withCliErrors } from '../cluster/cliErrors';
import { evaluatePacsCohort, parseStudyUids } from '../cluster/pacsCohort';
import { DEFAULT_STUDY_BUDGET_BYTES, pacsSettingsFrom } from '../../main/engine/cluster/pacsStudy';

export const evaluateCommand: Command = {
  summary: 'measure explanation methods over a cohort (faithfulness, masked prediction, localization)',
  usage:
    'evaluate --cohort DIR|--pacs URL --studies UID,...|@FILE --model DIR|ZIP|NAME --methods mupax,mupax:paper,rise,regression,gradcam --out DIR [--keep 0.25] [--limit K] [--target T] [--samples N] [--seeds S1,S2] [--max-sensitivity N[:method,...]] [--pacs-timeout S] [--pacs-max-mb MB] [--queue redis://HOST:PORT [--shared DIR] [--queue-ca FILE]]',
  async run(args) {
    const { values } = parseArgs({
      args,
      strict: true,
      options: Object.fromEntries(
        ['cohort', 'model', 'methods', 'out', 'keep', 'limit', 'samples', 'seed', 'seeds', 'target', 'queue', 'queue-ca', 'shared', 'pacs', 'studies', 'pacs-timeout', 'pacs-max-mb', 'max-sensitivity'].map((k) => [k, { type: 'string' as const }]),
      ),
    });
    if (!values.cohort === !values.pacs) throw new UsageError('give either --cohort DIR or --pacs URL --studies UID,...');
    if (!values.model || !values.methods || !values.out) throw new UsageError('--model, --methods and --out are required');
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
    const maxSensitivity = sensitivityRequestFrom(values['max-sensitivity'], methods);
    const pacs = values.pacs === undefined ? undefined : pacsFrom(values);
    const studies = (
      pacs
        ? await parseStudyUids(values.studies)
        : (await readdir(values.cohort!, { withFileTypes: true }))
            .filter((d) => d.isDirectory())
            .map((d) => d.name)
            .sort()
    ).slice(0, values.limit ? Number(values.limit) : undefined);
    if (studies.length === 0) throw new CommandFailure(`${values.cohort} has no study folders`);
    if (values.queue) {
      const { queue, shared, out, cohort } = values;
      // Each case job carries its method's max-sensitivity (0: none); without the flag none does, and each worker's EXPLICARE_MAX_SENSITIVITY decides.
      const perMethod = maxSensitivity && Object.fromEntries(methods.map((m) => [m, perturbationsFor(maxSensitivity, m)]));
      const settings = { seeds, target, samples, keep, ...(perMethod ? { maxSensitivity: perMethod } : {}) };
      const run = { queue, queueCa: values['queue-ca'], model: modelPath, cohortDir: cohort, sharedDir: shared, pacs: pacs?.settings.baseUrl, studies, methods, settings, out };
      const rows = await withCliErrors(() => evaluateOnQueue(run));
      process.stdout.write((await writeEvaluation(out, keep, rows)) + '\n');
      return;
    }

    const engine = new Engine({ cacheDir: defaultCacheDir(), bundledModelsDir: bundledModelsDir() });
    const rows: Row[] = [];
    try {
      const model = await engine.importModel(modelPath);
      if (pacs) {
        const settings = { seeds, target, samples, keep, maxSensitivity };
        await withCliErrors(() =>
          evaluatePacsCohort({
            engine, model, pacs: pacs.settings, budgetBytes: pacs.budgetBytes, studies, methods, settings,
            onRow: async (row, sofar) => {
              await writeEvaluation(values.out!, keep, sofar);
              rows.splice(0, rows.length, ...sofar);
              process.stdout.write(`${row.study} ${row.method}: deletion ${row.deletionAuc.toFixed(3)} insertion ${row.insertionAuc.toFixed(3)}\n`);
            },
          }),
        );
      }
      for (const study of pacs ? [] : studies) {
        for (const method of methods) {
          const outcome = await evaluateCase(engine, model, values.cohort!, study, { method, seeds, target, samples, keep, maxSensitivity });
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

/**
 * --max-sensitivity N[:method,...]: N perturbations (1..32) for every method, or for the listed ones (0: none),
 * each of which must be among --methods (by id, "mupax", or as written, "mupax:paper"). On a queue
 * each case job carries its method's value, which wins over the workers' EXPLICARE_MAX_SENSITIVITY.
 */
function sensitivityRequestFrom(raw: string | undefined, methods: string[]): SensitivityRequest | undefined {
  if (raw === undefined) return undefined;
  if (raw === '0') return { perturbations: 0 }; // none, even where EXPLICARE_MAX_SENSITIVITY is set
  let request;
  try {
    request = parseSensitivityRequest(raw, '--max-sensitivity');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (!request) throw new UsageError('--max-sensitivity must be N or N:method,method with N perturbations in 1..32, got ""');
  const known = new Set(methods.flatMap((m) => [m, methodSpec(m).method]));
  const unknown = request?.methods?.filter((m) => !known.has(m)) ?? [];
  if (unknown.length) throw new UsageError(`--max-sensitivity names ${unknown.join(', ')}, not among --methods (${methods.join(', ')})`);
  return request;
}

/** --pacs URL (checked as the app's PACS settings are), its timeout and the byte budget of one study. */
function pacsFrom(values: Record<string, string | undefined>): { settings: ReturnType<typeof pacsSettingsFrom>; budgetBytes: number } {
  const timeout = Number(values['pacs-timeout'] ?? 60);
  const mb = Number(values['pacs-max-mb'] ?? DEFAULT_STUDY_BUDGET_BYTES / 2 ** 20);
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 600) throw new UsageError('--pacs-timeout must be whole seconds in 1..600');
  if (!Number.isInteger(mb) || mb < 1 || mb > 2 ** 20) throw new UsageError('--pacs-max-mb must be a whole number of MB in 1..1048576');
  let settings;
  try {
    settings = pacsSettingsFrom(values.pacs!, process.env.EXPLICARE_PACS_AUTHORIZATION, timeout);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return { settings, budgetBytes: mb * 2 ** 20 };
}
