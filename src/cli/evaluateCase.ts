// One cohort case of `evaluate`: a study explained by one method (with its seeds) and measured.
// The local run loops over these; a queue worker runs one per job, so both produce the same rows.
import path from 'node:path';
import { type Engine, EngineError } from '../main/engine/engine';
import type { ModelSummary } from '../shared/api';
import { EXPLAIN_METHODS, type MethodDescriptor, methodDescriptor } from '../shared/explainMethods';
import type { TargetSpec } from '../shared/target';
import { jaccard } from '../main/engine/explain/mupax/significance';
import { perturbationsFor, type SensitivityRequest } from '../main/engine/services/explanationMetrics';
import { UsageError } from './command';
import { evaluationRow } from './evaluateRow';
import type { Row } from './evaluateSummary';

/** "mupax:paper" -> MUPAX with its "paper" preset (shared/explainMethods.ts variants). */
export function methodSpec(spec: string): { method: string; options: Record<string, unknown> } {
  const [method, variant] = spec.split(':');
  if (variant === undefined) return { method, options: {} };
  const variants = methodDescriptor(method)?.variants;
  if (variants && Object.hasOwn(variants, variant)) return { method, options: { ...variants[variant] } };
  const known = EXPLAIN_METHODS.flatMap((m: MethodDescriptor) => Object.keys(m.variants ?? {}).map((v) => `${m.id}:${v}`));
  throw new UsageError(`unknown method variant "${spec}" (known: ${known.join(', ')})`);
}

export interface CaseSettings {
  /** The method as the user wrote it, e.g. "mupax:paper". */
  method: string;
  seeds: number[];
  target?: TargetSpec;
  samples?: number;
  keep: number;
  /**
   * `--max-sensitivity N[:method,...]` (a case job's maxSensitivity N: `{ perturbations: N }`): rerun
   * the listed methods (all when none are listed) N times under noise; 0 none. Absent:
   * EXPLICARE_MAX_SENSITIVITY decides.
   */
  maxSensitivity?: SensitivityRequest;
}

/** What a case ended in: a row, or the reason it was skipped (reported, the cohort goes on). */
export type CaseResult = { row: Row } | { skipped: string };

export async function evaluateCase(engine: Engine, model: ModelSummary, cohortDir: string, study: string, s: CaseSettings): Promise<CaseResult> {
  const { method, options: variant } = methodSpec(s.method);
  const report = await engine.openPaths([path.join(cohortDir, study)]);
  const series = report.studies.flatMap((x) => x.series).find((x) => report.openedSeries.includes(x.seriesUid) && model.modality.includes(x.modality));
  if (!series) return { skipped: `no ${model.modality.join('/')} series` };
  const truth = await engine.getGroundTruth(series.seriesUid);
  const prediction = await engine.runModel(series.seriesUid, model.id);
  const t0 = performance.now();
  // --samples and the seeds are the stochastic methods'; the gradient methods take neither.
  const stochastic = !!methodDescriptor(method)?.stochastic;
  const sampling = s.samples === undefined ? {} : { samples: s.samples };
  const target = s.target === undefined ? {} : { target: s.target };
  const optionsFor = (seed: number) => ({ ...target, ...(stochastic ? { ...sampling, seed } : {}), ...variant });
  try {
    const job = await engine.startExplanation(series.seriesUid, model.id, method, optionsFor(s.seeds[0]));
    const result = await engine.waitForJob(job.id);
    const seconds = (performance.now() - t0) / 1000;
    let seedAgreement: number | null = null;
    if (stochastic && s.seeds.length > 1 && result.layers?.significant) {
      const other = await engine.waitForJob((await engine.startExplanation(series.seriesUid, model.id, method, optionsFor(s.seeds[1]))).id);
      const main = result.maps.length - 1;
      seedAgreement = jaccard(result.layers.significant[main], other.layers!.significant[main]);
    }
    // Listed by id ("mupax": every MUPAX variant) or as written ("mupax:paper": that one only).
    const perturbations = s.maxSensitivity && perturbationsFor(s.maxSensitivity, s.method);
    const metrics = await engine.explanationMetrics(job.id, s.maxSensitivity ? { maxSensitivity: perturbations ? { perturbations } : null } : {});
    return { row: evaluationRow({ study, method: s.method, prediction, truth, metrics, keep: s.keep, seedAgreement, seconds }) };
  } catch (err) {
    // One method that cannot run on one study (e.g. too few samples for its chunks) is reported
    // and left out; the cohort goes on.
    if (err instanceof EngineError) return { skipped: err.message };
    throw err;
  }
}
