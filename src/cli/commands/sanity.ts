// `sanity --study PATH --model DIR|NAME --method M --out DIR [--target T] [--samples N] [--seed S]
//  [--steps K] [--margin D] [--series UID] [--unrelated PATH]`: the model-parameter randomization test of one method
// on one study; writes DIR/sanity.json and DIR/sanity.svg.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { Engine, EngineError } from '../../main/engine/engine';
import { GradientMethodError } from '../../main/engine/explain/gradient/gradientSession';
import { METHODS } from '../../main/engine/explain/methods';
import { ExplainOptionError } from '../../main/engine/explain/optionError';
import { bundledModelsDir, defaultCacheDir } from '../../main/engine/paths';
import { runSanityCheck } from '../../main/engine/sanity/sanityCheck';
import { issuesText } from '../../main/engine/services/engineError';
import { sanityPlotSvg } from '../../main/engine/sanity/sanityPlot';
import { parseTargetSpec } from '../../shared/target';
import { type Command, CommandFailure, UsageError } from '../command';
import { openForModel, resolveModelPath } from '../openForModel';

const whole = (name: string, text: string | undefined, lo: number, hi: number): number | undefined => {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isInteger(v) || v < lo || v > hi) throw new UsageError(`--${name} must be a whole number from ${lo} to ${hi}, got "${text}"`);
  return v;
};

export const sanityCommand: Command = {
  summary: 'model-parameter randomization test of an explanation method (Adebayo et al. 2018); writes sanity.json and sanity.svg',
  usage:
    'sanity --study PATH --model DIR|ZIP|NAME --method M --out DIR [--target CLASS|INDEX|LANDMARK] [--samples N] [--seed S] [--steps K (default 6)] [--margin D (default 0.1)] [--series UID] [--unrelated PATH (another study for the floor; default: the input turned 180 degrees)]',
  async run(args) {
    const { values } = parseArgs({
      args,
      strict: true,
      options: Object.fromEntries(
        ['study', 'model', 'method', 'out', 'target', 'samples', 'seed', 'steps', 'margin', 'series', 'unrelated'].map((k) => [k, { type: 'string' as const }]),
      ),
    });
    if (!values.study || !values.model || !values.method || !values.out) throw new UsageError('--study, --model, --method and --out are required');
    resolveModelPath(values.model);
    if (!Object.hasOwn(METHODS, values.method)) throw new UsageError(`--method must be one of ${Object.keys(METHODS).join(', ')}, got "${values.method}"`);
    const margin = values.margin === undefined ? 0.1 : Number(values.margin);
    if (!(margin >= 0 && margin < 1)) throw new UsageError(`--margin must lie in [0, 1), got ${values.margin}`);
    const seed = whole('seed', values.seed, 0, 2 ** 31 - 1) ?? 0;
    const steps = whole('steps', values.steps, 1, 64) ?? 6;
    const samples = whole('samples', values.samples, 1, 1_000_000);
    const method = METHODS[values.method];
    const raw: Record<string, unknown> = {};
    if (values.target !== undefined) raw.target = parseTargetSpec(values.target);
    if (samples !== undefined) raw.samples = samples;
    try {
      method.parse(raw);
    } catch (err) {
      throw new UsageError(err instanceof z.ZodError ? issuesText(err, values.method) : `options for ${values.method}: ${(err as Error).message}`);
    }
    const engine = new Engine({ cacheDir: defaultCacheDir(), bundledModelsDir: bundledModelsDir() });
    try {
      const { model, series } = await openForModel(engine, { study: values.study, model: values.model, series: values.series });
      await engine.loadVolume(series.seriesUid);
      const ctx = await engine.explainContextFor(series.seriesUid, model.id);
      let unrelated;
      if (values.unrelated) {
        const other = await openForModel(engine, { study: values.unrelated, model: values.model });
        if (other.series.seriesUid === series.seriesUid) throw new UsageError('--unrelated must be another study than --study');
        await engine.loadVolume(other.series.seriesUid);
        unrelated = await engine.explainContextFor(other.series.seriesUid, model.id);
      }
      let last = 0;
      const result = await runSanityCheck(
        ctx,
        values.method,
        method,
        raw,
        { seed, maxSteps: steps, margin, unrelated },
        (p) => {
          if (process.stderr.isTTY && Date.now() - last > 500) {
            last = Date.now();
            process.stderr.write(`\rsanity: run ${p.done}/${p.total}   `);
          }
        },
        new AbortController().signal,
      );
      if (process.stderr.isTTY) process.stderr.write('\n');
      await mkdir(values.out, { recursive: true });
      await writeFile(
        path.join(values.out, 'sanity.json'),
        JSON.stringify({ model: { id: model.id, name: model.name, version: model.version }, seriesUid: series.seriesUid, ...result }, null, 2) + '\n',
      );
      await writeFile(path.join(values.out, 'sanity.svg'), sanityPlotSvg(result));
      process.stdout.write(
        `${values.method}: ${result.verdict} (${result.reason})\nwrote ${path.join(values.out, 'sanity.json')}, ${path.join(values.out, 'sanity.svg')}\n`,
      );
    } catch (err) {
      // A target the model lacks, an N too small for any significance, a model without a Grad-CAM layer.
      if (err instanceof EngineError || err instanceof ExplainOptionError || err instanceof GradientMethodError) throw new CommandFailure(err.message);
      throw err;
    } finally {
      await engine.dispose();
    }
  },
};
