// The app's "Export": the explanations of the open series (finished jobs) as an export input, in
// memory. The record has result.json's shape, so the app's export and the CLI's `report` write the
// same objects; no map file is written and read back, and no model runs again.
import type { ModelSummary, PredictionResult, VolumeInfo } from '../../../shared/api';
import { landmarkErrors } from '../../../shared/landmarkMetrics';
import type { EditedGroundTruth } from '../../../shared/pacsApi';
import type { SanityReport } from '../../../shared/sanity';
import type { ExplanationResult } from '../explain/explainVolume';
import type { ExplanationMetrics } from '../services/explanationMetrics';
import { APP_VERSION } from '../version';
import type { ExportInput, ExportSeries } from './exportInput';
import type { MapSource } from './mapPass';
import { mainMapOnStudyGrid } from './methodMaps';
import { type ExplainResult, ReportError } from './resultFile';

export interface SessionExplanations {
  series: ExportSeries;
  model: Pick<ModelSummary, 'id' | 'name' | 'version'> & { card?: { intendedUse?: string } };
  prediction: PredictionResult;
  /** `metrics`: the suite when the user computed it in the app (its curves then go into the PDF). */
  explanations: { method: string; fromCache: boolean; result: ExplanationResult; sanity?: SanityReport; metrics?: ExplanationMetrics }[];
  /** Ground truth as edited in the app: scored in the PDF instead of the loaded one. */
  groundTruth?: EditedGroundTruth;
}

/** The prediction with its landmark errors recomputed against the user's ground truth. */
function scoredAgainst(prediction: PredictionResult, truth: EditedGroundTruth | undefined, info: VolumeInfo): PredictionResult {
  if (!truth || !prediction.landmarks) return prediction;
  const errors = landmarkErrors(prediction.landmarks.points, truth.landmarks, [info.geometry.spacing[0], info.geometry.spacing[1]], info.pixelSpacingSource);
  return { ...prediction, landmarks: { ...prediction.landmarks, errors, truthSource: truth.source } };
}

export function sessionExportInput(s: SessionExplanations): ExportInput {
  if (s.explanations.length === 0) throw new ReportError('nothing to export yet: run an explanation (e.g. Grad-CAM) on this series first');
  const { info } = s.series;
  const methods: ExplainResult['methods'] = {};
  const maps = new Map<string, MapSource>();
  for (const e of s.explanations) {
    // No map files: an app export hands its maps over in memory.
    methods[e.method] = {
      files: {},
      targets: e.result.targets,
      fromCache: e.fromCache,
      modelGrid: e.result.grid,
      ...e.result.details,
      ...(e.sanity ? { sanity: e.sanity } : {}),
      // result.json's open schema vs the engine's closed interface: a cast, as for the prediction below.
      ...(e.metrics ? { metrics: e.metrics as unknown as ExplainResult['methods'][string]['metrics'] } : {}),
    };
    // Resampled when the export asks, one map at a time (mapPass.ts): never all of them at once.
    maps.set(e.method, { load: async () => ({ geometry: info.geometry, data: mainMapOnStudyGrid(e.result, info.geometry) }) });
  }
  const result: ExplainResult = {
    software: `Explicare ${APP_VERSION}`,
    created: new Date().toISOString(),
    study: { seriesUid: info.seriesUid, modality: info.modality, geometry: info.geometry },
    model: s.model,
    // What `explain` writes into result.json as is. The record's type is that file's (open) schema,
    // which the API's closed interfaces do not declare: hence the cast, not a conversion.
    prediction: scoredAgainst(s.prediction, s.groundTruth, info) as unknown as ExplainResult['prediction'],
    methods,
  };
  return { series: s.series, result, maps };
}
