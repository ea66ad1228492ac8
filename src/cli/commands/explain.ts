// `explain --study PATH --model DIR|NAME --method mupax[,...] --out DIR [--target CLASS|INDEX|LANDMARK]
//  [--seed S --samples N --chunk z,y,x --percentile P --fdr Q --mode paper|explicare --batch B
//  --series UID --landmarks FILE]`: writes DIR/result.json and one NIfTI map per method
// (<method>.nii.gz) on the study's voxel grid; MUPAX also <method>-z.nii.gz,
// <method>-significant.nii.gz and <method>-retention.nii.gz (per landmark with its name).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine, EngineError } from '../../main/engine/engine';
import { writeFileAtomic } from '../../main/engine/io/atomic';
import { bundledModelsDir, defaultCacheDir } from '../../main/engine/paths';
import { writeMethodMaps } from '../../main/engine/report/methodMaps';
import { APP_VERSION } from '../../main/engine/version';
import { parseTargetSpec } from '../../shared/target';
import { type OptionSet, methodDescriptor } from '../../shared/explainMethods';
import { significanceSummary } from '../../shared/significanceText';
import { type Command, CommandFailure, UsageError } from '../command';
import { openForModel, resolveModelPath } from '../openForModel';

const number = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isFinite(v)) throw new UsageError(`--${name} must be a number, got "${text}"`);
  return v;
};

export const explainCommand: Command = {
  summary: 'explain a model decision on a study (MUPAX, ...); writes result.json and NIfTI maps',
  usage:
    'explain --study PATH --model DIR|ZIP|NAME --method mupax --out DIR [--target CLASS|INDEX|LANDMARK|all] [--seed S] [--samples N] [--chunk z,y,x] [--percentile P] [--fdr Q] [--mode paper|explicare] [--baseline min|zero|blur|V] [--acceptance global|stratum] [--batch B] [--steps K (ig, psig, mfaba)] [--series UID] [--landmarks FILE] [--metrics]',
  async run(args) {
    const { values } = parseArgs({
      args: args.filter((a) => a !== '--metrics'),
      strict: true,
      options: Object.fromEntries(
        [
          'study',
          'model',
          'method',
          'out',
          'target',
          'seed',
          'samples',
          'chunk',
          'percentile',
          'fdr',
          'mode',
          'baseline',
          'acceptance',
          'batch',
          'steps',
          'series',
          'landmarks',
        ].map((k) => [k, { type: 'string' as const }]),
      ),
    });
    const withMetrics = args.includes('--metrics');
    if (!values.study || !values.model || !values.method || !values.out) throw new UsageError('--study, --model, --method and --out are required');
    resolveModelPath(values.model);
    const chunk = values.chunk?.split(',').map(Number);
    if (chunk && (chunk.length !== 3 || chunk.some((c) => !Number.isInteger(c) || c < 1))) throw new UsageError('--chunk must be three whole numbers z,y,x');
    // Each flag belongs to the methods that have that parameter (MUPAX's sampling, IG's steps).
    const fdr = number('fdr', values.fdr);
    if (fdr !== undefined && !(fdr > 0 && fdr < 1)) throw new UsageError(`--fdr must lie strictly between 0 and 1, got ${values.fdr}`);
    if (values.mode !== undefined && !['paper', 'explicare'].includes(values.mode))
      throw new UsageError(`--mode must be paper or explicare, got "${values.mode}"`);
    if (values.acceptance !== undefined && !['global', 'stratum'].includes(values.acceptance))
      throw new UsageError(`--acceptance must be global or stratum, got "${values.acceptance}"`);
    const baseline = values.baseline === undefined || ['min', 'zero', 'blur'].includes(values.baseline) ? values.baseline : number('baseline', values.baseline);
    const target = values.target === undefined ? undefined : parseTargetSpec(values.target);
    const mupaxOptions = {
      seed: number('seed', values.seed),
      samples: number('samples', values.samples),
      percentile: number('percentile', values.percentile),
      batchSize: number('batch', values.batch),
      fdr,
      mode: values.mode,
      baseline,
      acceptance: values.acceptance,
      target,
      chunk,
    };
    // Each option set's flags (shared/explainMethods.ts); an unknown method is refused by the engine.
    const flagsOf: Record<OptionSet, Record<string, unknown>> = {
      sampling: mupaxOptions,
      path: { steps: number('steps', values.steps), target },
      boundary: { steps: number('steps', values.steps), target },
      layer: { target },
    };
    const optionsFor = (method: string): Record<string, unknown> => {
      const picked = flagsOf[methodDescriptor(method)?.options ?? 'layer'];
      return Object.fromEntries(Object.entries(picked).filter(([, v]) => v !== undefined));
    };

    const engine = new Engine({ cacheDir: defaultCacheDir(), bundledModelsDir: bundledModelsDir() });
    try {
      const { model, series: chosen } = await openForModel(engine, {
        study: values.study,
        model: values.model,
        series: values.series,
        landmarks: values.landmarks,
      });
      const info = await engine.loadVolume(chosen.seriesUid);
      const prediction = await engine.runModel(chosen.seriesUid, model.id);
      const methods: Record<string, unknown> = {};
      for (const method of values.method
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean)) {
        const job = await engine.startExplanation(chosen.seriesUid, model.id, method, optionsFor(method));
        let last = 0;
        const result = await engine.waitForJob(job.id, (s) => {
          if (process.stderr.isTTY && Date.now() - last > 500) {
            last = Date.now();
            const acc = s.stats?.acceptanceRate;
            process.stderr.write(
              `\r${method}: ${s.done}/${s.total}` +
                (acc !== undefined ? ` · acceptance ${(acc * 100).toFixed(0)}% · ETA ${Math.round(s.stats!.etaSeconds ?? 0)} s` : '') +
                '   ',
            );
          }
        });
        if (process.stderr.isTTY) process.stderr.write('\n');
        // The folder appears with the first result: a refused option leaves nothing behind.
        await mkdir(values.out, { recursive: true });
        const { files, layerFiles } = await writeMethodMaps(values.out, method, result, info.geometry);
        const metrics = withMetrics ? await engine.explanationMetrics(job.id) : undefined;
        methods[method] = { files, layerFiles, targets: result.targets, fromCache: job.fromCache, modelGrid: result.grid, ...result.details, metrics };
        if (metrics) {
          const f = metrics.faithfulness;
          process.stdout.write(
            `${method}: deletion AUC ${f.deletion.auc.toFixed(3)}, insertion AUC ${f.insertion.auc.toFixed(3)} (${f.scoreKind})` +
              (metrics.localization
                ? `, pointing game ${metrics.localization.pointingGameHit ? 'hit' : 'miss'}, energy in lesions ${(metrics.localization.energyInside * 100).toFixed(1)}%`
                : '') +
              '\n',
          );
        }
        const summary = significanceSummary(result.details);
        if (summary) process.stdout.write(`${method}: ${summary}\n`);
        process.stdout.write(
          `${method}: wrote ${[...Object.values(files), ...Object.values(layerFiles).flatMap((f) => Object.values(f))].join(', ')}${job.fromCache ? ' (from cache)' : ''}\n`,
        );
      }
      const out = {
        software: `Explicare ${APP_VERSION}`,
        created: new Date().toISOString(),
        study: { seriesUid: chosen.seriesUid, modality: info.modality, geometry: info.geometry },
        model: { id: model.id, name: model.name, version: model.version },
        prediction,
        methods,
      };
      await writeFileAtomic(path.join(values.out, 'result.json'), JSON.stringify(out, null, 2) + '\n');
      process.stdout.write(`wrote ${path.join(values.out, 'result.json')}\n`);
    } catch (err) {
      if (err instanceof EngineError) throw new CommandFailure(err.message);
      throw err;
    } finally {
      await engine.dispose();
    }
  },
};
