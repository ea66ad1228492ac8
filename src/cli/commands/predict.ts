// `predict --study PATH --model DIR|NAME --out DIR [--series UID] [--landmarks FILE]`: runs a model
// on a study and writes DIR/result.json (prediction, probabilities or landmarks in pixels and mm
// with their errors, execution provider, timings).
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine, EngineError } from '../../main/engine/engine';
import { writeFileAtomic } from '../../main/engine/io/atomic';
import { bundledModelsDir, defaultCacheDir } from '../../main/engine/paths';
import { readFile } from 'node:fs/promises';
import { type Command, CommandFailure, UsageError } from '../command';
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
    const modelPath = existsSync(values.model) ? values.model : path.join(bundledModelsDir(), values.model);
    if (!existsSync(modelPath)) throw new UsageError(`--model: no package at "${values.model}" (a folder, a .zip, or a bundled model name)`);

    const engine = new Engine({ cacheDir: defaultCacheDir(), bundledModelsDir: bundledModelsDir() });
    try {
      const report = await engine.openPaths([values.study]);
      for (const s of report.skipped) process.stderr.write(`skipped ${s.file}: ${s.reason}\n`);
      const model = await engine.importModel(modelPath);
      const series = report.studies.flatMap((s) => s.series).filter((s) => report.openedSeries.includes(s.seriesUid));
      const chosen = values.series
        ? series.find((s) => s.seriesUid === values.series)
        : series.find((s) => model.modality.includes(s.modality)) ?? series[0];
      if (!chosen) throw new UsageError(values.series ? `--series ${values.series} is not in the study` : 'the study has no image series');
      if (values.landmarks) {
        const data = await readFile(values.landmarks);
        await engine.importLandmarks(chosen.seriesUid, [{ name: path.basename(values.landmarks), data: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer }]);
      }
      const result = await engine.runModel(chosen.seriesUid, model.id);
      await mkdir(values.out, { recursive: true });
      const file = path.join(values.out, 'result.json');
      await writeFileAtomic(file, JSON.stringify({ software: `Explicare ${APP_VERSION}`, created: new Date().toISOString(), ...result }, null, 2) + '\n');
      if (result.classification) {
        const c = result.classification;
        process.stdout.write(`${result.modelName}: ${c.classes[c.predicted]} (${c.classes.map((n, i) => `${n} ${(c.probabilities[i] * 100).toFixed(1)}%`).join(', ')})\n`);
      } else if (result.landmarks) {
        const e = result.landmarks.errors;
        process.stdout.write(`${result.modelName}: ${result.landmarks.points.length} landmarks` + (e?.meanRadialErrorMm != null ? `, MRE ${e.meanRadialErrorMm.toFixed(2)} mm against ${result.landmarks.truthSource}` : '') + '\n');
      }
      process.stdout.write(`provider ${result.provider}${result.gpuNote ? ` (GPU not used: ${result.gpuNote})` : ''}; inference ${result.timings.inferenceMs.toFixed(1)} ms; wrote ${file}\n`);
    } catch (err) {
      if (err instanceof EngineError) throw new CommandFailure(err.message);
      throw err;
    } finally {
      await engine.dispose();
    }
  },
};
