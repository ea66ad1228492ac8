// `predict --study PATH --model DIR|NAME --out DIR [--series UID] [--landmarks FILE]`: runs a model
// on a study and writes DIR/result.json (prediction, probabilities or landmarks in pixels and mm
// with their errors, execution provider, timings).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine, EngineError } from '../../main/engine/engine';
import { writeFileAtomic } from '../../main/engine/io/atomic';
import { bundledModelsDir, defaultCacheDir } from '../../main/engine/paths';
import { type Command, CommandFailure, UsageError } from '../command';
import { openForModel, resolveModelPath } from '../openForModel';
import { APP_VERSION } from '../../main/engine/version';

export const predictCommand: Command = {
  summary: 'run a model on a study and write result.json',
  usage: 'predict --study PATH --model DIR|ZIP|NAME --out DIR [--series UID] [--landmarks FILE]',
  async run(args) {
    const { values } = parseArgs({
      args,
      strict: true,
      options: { study: { type: 'string' }, model: { type: 'string' }, out: { type: 'string' }, series: { type: 'string' }, landmarks: { type: 'string' } },
    });
    if (!values.study || !values.model || !values.out) throw new UsageError('--study, --model and --out are required');
    resolveModelPath(values.model);

    const engine = new Engine({ cacheDir: defaultCacheDir(), bundledModelsDir: bundledModelsDir() });
    try {
      const { model, series: chosen } = await openForModel(engine, {
        study: values.study,
        model: values.model,
        series: values.series,
        landmarks: values.landmarks,
      });
      const result = await engine.runModel(chosen.seriesUid, model.id);
      await mkdir(values.out, { recursive: true });
      const file = path.join(values.out, 'result.json');
      await writeFileAtomic(file, JSON.stringify({ software: `Explicare ${APP_VERSION}`, created: new Date().toISOString(), ...result }, null, 2) + '\n');
      if (result.classification) {
        const c = result.classification;
        process.stdout.write(
          `${result.modelName}: ${c.classes[c.predicted]} (${c.classes.map((n, i) => `${n} ${(c.probabilities[i] * 100).toFixed(1)}%`).join(', ')})\n`,
        );
      } else if (result.landmarks) {
        const e = result.landmarks.errors;
        process.stdout.write(
          `${result.modelName}: ${result.landmarks.points.length} landmarks` +
            (e?.meanRadialErrorMm != null ? `, MRE ${e.meanRadialErrorMm.toFixed(2)} mm against ${result.landmarks.truthSource}` : '') +
            '\n',
        );
      }
      process.stdout.write(
        `provider ${result.provider}${result.gpuNote ? ` (GPU not used: ${result.gpuNote})` : ''}; inference ${result.timings.inferenceMs.toFixed(1)} ms; wrote ${file}\n`,
      );
    } catch (err) {
      if (err instanceof EngineError) throw new CommandFailure(err.message);
      throw err;
    } finally {
      await engine.dispose();
    }
  },
};
