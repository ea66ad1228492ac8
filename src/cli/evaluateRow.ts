// One evaluation.csv row from a finished explanation's metrics: the measures `evaluate` reports per
// study and method, whether the case ran locally or on a queue worker.
import type { Row } from './evaluateSummary';
import type { ExplanationMetrics } from '../main/engine/services/explanationMetrics';
import type { GroundTruth, PredictionResult } from '../shared/api';

export interface CaseOutcome {
  study: string;
  /** The method as the user wrote it, e.g. "mupax:paper". */
  method: string;
  prediction: PredictionResult;
  truth: GroundTruth | null;
  metrics: ExplanationMetrics;
  /** The keep-top fraction Q the row reports. */
  keep: number;
  seedAgreement: number | null;
  seconds: number;
}

export function evaluationRow(o: CaseOutcome): Row {
  const m = o.metrics;
  const keepRow = m.faithfulness.keepTop.find((k) => Math.abs(k.fraction - o.keep) < 1e-9) ?? m.faithfulness.keepTop[1];
  const c = o.prediction.classification;
  const positive = c ? c.classes[c.positiveClass ?? 1] : '';
  return {
    study: o.study,
    method: o.method,
    truth: c ? (o.truth ? (o.truth.lesions.length > 0 ? positive : c.classes[1 - (c.positiveClass ?? 1)]) : '') : 'landmarks',
    predicted: c ? c.classes[c.predicted] : 'landmarks',
    predictedKeepTop: c && c.classes.length === 2 ? c.classes[keepRow.score > 0.5 ? c.predicted : 1 - c.predicted] : '',
    positive,
    unmasked: m.faithfulness.unmasked,
    keepTop: keepRow.score,
    deletionAuc: m.faithfulness.deletion.auc,
    insertionAuc: m.faithfulness.insertion.auc,
    roadDeletionAuc: m.faithfulness.road.deletion.auc,
    roadInsertionAuc: m.faithfulness.road.insertion.auc,
    faithfulnessCorrelation: m.faithfulnessCorrelation.correlation,
    pointingGame: m.localization ? (m.localization.pointingGameHit ? 'hit' : 'miss') : '',
    energyInside: m.localization?.energyInside ?? null,
    lesionFraction: m.localization?.lesionVoxelFraction ?? null,
    relevanceMass: m.relevance?.mass ?? null,
    relevanceRank: m.relevance?.rank ?? null,
    sparseness: m.sparseness,
    maxSensitivity: m.maxSensitivity?.value ?? null,
    seedAgreement: o.seedAgreement,
    regionFraction: m.regionFraction,
    seconds: o.seconds,
  };
}
