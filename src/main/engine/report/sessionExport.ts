// The app's "Export": turns the explanations of the open series (finished jobs) into an explain
// result folder (result.json + maps, as the CLI writes it) in a private work folder, then runs the
// same report export as the CLI. The work folder is removed afterwards; the study is only read.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { PredictionResult, VolumeInfo } from '../../../shared/api';
import { landmarkErrors } from '../../../shared/landmarkMetrics';
import type { EditedGroundTruth } from '../../../shared/pacsApi';
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
  includeFreeText?: boolean;
  allowBurnedInAnnotation?: boolean;
  overwrite?: boolean;
  /** Ground truth as edited in the app: drawn in the key images and scored in the PDF instead of the loaded one. */
  groundTruth?: EditedGroundTruth;
}

/** The prediction with its landmark errors recomputed against the user's ground truth. */
function scoredAgainst(prediction: PredictionResult, truth: EditedGroundTruth | undefined, info: VolumeInfo): PredictionResult {
  if (!truth || !prediction.landmarks) return prediction;
  const errors = landmarkErrors(prediction.landmarks.points, truth.landmarks, [info.geometry.spacing[0], info.geometry.spacing[1]], info.pixelSpacingSource);
  return { ...prediction, landmarks: { ...prediction.landmarks, errors, truthSource: truth.source } };
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
      const { files, layerFiles } = await writeMethodMaps(results, e.method, e.result, input.info.geometry);
      methods[e.method] = { files, layerFiles, targets: e.result.targets, fromCache: e.fromCache, modelGrid: e.result.grid, ...e.result.details };
    }
    const result = {
      software: `Explicare ${APP_VERSION}`,
      created: new Date().toISOString(),
      study: { seriesUid: input.info.seriesUid, modality: input.info.modality, geometry: input.info.geometry },
      model: input.model,
      prediction: scoredAgainst(input.prediction, input.groundTruth, input.info),
      methods,
    };
    await writeFileAtomic(path.join(results, 'result.json'), JSON.stringify(result, null, 2) + '\n');
    return await exportReport({
      // Exactly the series' files: their folder is never scanned (it may be a whole home directory).
      study: input.info.seriesUid,
      studyFiles: input.instancePaths,
      results,
      out: input.outDir,
      pdf: input.pdf,
      dicom: input.dicom,
      anonymize: input.anonymize,
      comment: input.comment || undefined,
      includeFreeText: input.includeFreeText,
      allowBurnedInAnnotation: input.allowBurnedInAnnotation,
      overwrite: input.overwrite,
      truthLandmarks: input.groundTruth?.landmarks,
      cacheDir: input.cacheDir,
      bundledModelsDir: input.bundledModelsDir,
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
