// The app's "Export": turns the explanations of the open series (finished jobs) into an explain
// result folder (result.json + maps, as the CLI writes it) in a private work folder, then runs the
// same report export as the CLI. The work folder is removed afterwards; the study is only read.
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { PredictionResult, VolumeInfo } from '../../../shared/api';
import type { ExplanationResult } from '../explain/explainVolume';
import { writeFileAtomic } from '../io/atomic';
import { APP_VERSION } from '../version';
import { exportReport, type ReportOutput } from './exportReport';
import { writeMethodMaps } from './methodMaps';
import { ReportError } from './resultFile';

export interface SessionExportInput {
  info: VolumeInfo;
  /** Files of the series' instances (what was opened). */
  instancePaths: string[];
  model: { id: string; name: string; version: string };
  prediction: PredictionResult;
  explanations: { method: string; fromCache: boolean; result: ExplanationResult }[];
  cacheDir: string;
  bundledModelsDir?: string;
  outDir: string;
  pdf: boolean;
  dicom: boolean;
  anonymize: boolean;
  comment: string;
}

export async function exportSession(input: SessionExportInput): Promise<ReportOutput> {
  if (input.explanations.length === 0) throw new ReportError('nothing to export yet: run an explanation (e.g. Grad-CAM) on this series first');
  await mkdir(path.join(input.cacheDir, 'export-work'), { recursive: true });
  const work = await mkdtemp(path.join(input.cacheDir, 'export-work', 'run-'));
  try {
    const results = path.join(work, 'results');
    await mkdir(results);
    const methods: Record<string, unknown> = {};
    for (const e of input.explanations) {
      const files = await writeMethodMaps(results, e.method, e.result, input.info.geometry);
      methods[e.method] = { files, targets: e.result.targets, fromCache: e.fromCache, modelGrid: e.result.grid, ...e.result.details };
    }
    const result = {
      software: `Explicare ${APP_VERSION}`,
      created: new Date().toISOString(),
      study: { seriesUid: input.info.seriesUid, modality: input.info.modality, geometry: input.info.geometry },
      model: input.model,
      prediction: input.prediction,
      methods,
    };
    await writeFileAtomic(path.join(results, 'result.json'), JSON.stringify(result, null, 2) + '\n');
    return await exportReport({
      study: await studyFolder(input.instancePaths, path.join(work, 'study')),
      results,
      out: input.outDir,
      pdf: input.pdf,
      dicom: input.dicom,
      anonymize: input.anonymize,
      comment: input.comment || undefined,
      cacheDir: input.cacheDir,
      bundledModelsDir: input.bundledModelsDir,
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * A folder holding the series: the folder it was opened from when all its files are in one, else
 * links (or copies) of its files, so the export never scans more than the series it is about.
 */
async function studyFolder(files: string[], scratch: string): Promise<string> {
  const dirs = new Set(files.map((f) => path.dirname(f)));
  if (dirs.size === 1) return [...dirs][0];
  await mkdir(scratch);
  for (const [i, f] of files.entries()) {
    if (!existsSync(f)) throw new ReportError('a file of this series is no longer where it was opened from');
    const target = path.join(scratch, `${i}.dcm`);
    await link(f, target).catch(() => copyFile(f, target));
  }
  return scratch;
}
