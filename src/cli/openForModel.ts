// What predict and explain both do first: open the study, import the model (path or bundled
// name), pick the series the model is for, and load ground-truth landmarks if given.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModelSummary, SeriesSummary } from '../shared/api';
import type { Engine } from '../main/engine/engine';
import { bundledModelsDir } from '../main/engine/paths';
import { noImageMessage } from '../main/engine/study/noImageMessage';
import { CommandFailure, UsageError } from './command';

/** A package path, or the name of a bundled model (resources/models/<name>). */
export function resolveModelPath(model: string): string {
  const location = existsSync(model) ? model : path.join(bundledModelsDir(), model);
  if (!existsSync(location)) throw new UsageError(`--model: no package at "${model}" (a folder, a .zip, or a bundled model name)`);
  return location;
}

export async function openForModel(
  engine: Engine,
  args: { study: string; model: string; series?: string; landmarks?: string },
): Promise<{ model: ModelSummary; series: SeriesSummary }> {
  const modelPath = resolveModelPath(args.model);
  // The model loads in the inference threads while this thread reads the study: neither waits for
  // the other (~0.3-0.4 s of a command on the demo CT).
  const [report, model] = await Promise.all([engine.openPaths([args.study]), engine.importModel(modelPath)]);
  for (const s of report.skipped) process.stderr.write(`skipped ${s.file}: ${s.reason}\n`);
  for (const w of model.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
  const candidates = report.studies.flatMap((s) => s.series).filter((s) => report.openedSeries.includes(s.seriesUid));
  const series = args.series
    ? candidates.find((s) => s.seriesUid === args.series)
    : (candidates.find((s) => model.modality.includes(s.modality)) ?? candidates[0]);
  if (!series) {
    if (args.series) throw new CommandFailure(`series ${args.series} is not in the study`);
    throw new CommandFailure(report.dicomFiles === 0 ? noImageMessage(report) : 'the study has no image series');
  }
  if (args.landmarks) {
    const data = await readFile(args.landmarks);
    const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
    await engine.importLandmarks(series.seriesUid, [{ name: path.basename(args.landmarks), data: buffer }]);
  }
  return { model, series };
}
