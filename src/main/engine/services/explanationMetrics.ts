// The metric suite of a finished explanation's main map (docs/metrics.md): deletion/insertion with a
// constant baseline and with ROAD's imputation, keep-top-q%, faithfulness correlation, localization
// and relevance mass/rank accuracy against the study's lesions, sparseness, the significant region's
// share of the grid, and on request max-sensitivity (it reruns the method). Every score is the job's
// own target (metrics/scorer.ts).
import { minimumOf } from '../explain/mupax/fill';
import { OPTION_SETS, methodDescriptor } from '../../../shared/explainMethods';
import type { ExplanationMetricsReply, GroundTruth } from '../../../shared/api';
import type { TargetSpec } from '../../../shared/target';
import type { ExplanationResult } from '../explain/explainVolume';
import type { ExplainContext, MethodOutput } from '../explain/method';
import { METHODS } from '../explain/methods';
import { checkpoint } from '../metrics/checkpoint';
import { constantFill } from '../metrics/curves';
import { faithfulness, type FaithfulnessReport } from '../metrics/faithfulness';
import { type FaithfulnessCorrelation, faithfulnessCorrelation, patchGrid, patchSubsets } from '../metrics/faithfulnessCorrelation';
import { lesionMask, localization, type LocalizationReport } from '../metrics/localization';
import { type MaxSensitivity, maxSensitivity, type SensitivityOptions } from '../metrics/maxSensitivity';
import { relevanceMassAccuracy } from '../metrics/relevanceMass';
import { relevanceRankAccuracyAsync } from '../metrics/relevanceRank';
import { type RoadReport, roadCurves } from '../metrics/road';
import { jobTargetSpec, makeScorer } from '../metrics/scorer';
import { sparsenessAsync } from '../metrics/sparseness';
import { remembered, stopOthers } from './sharedMetricRuns';

export interface RelevanceAccuracy {
  /** Share of the positive relevance inside the lesions (Arras et al.). */
  mass: number | null;
  /** Share of the top-K voxels inside the lesions, K = lesion voxels (Arras et al.). */
  rank: number | null;
  /** The lesions' share of the grid: both measures' level for a map that ignores them. */
  chance: number;
}

export interface ExplanationMetrics {
  /** Plain deletion/insertion (constant baseline) with ROAD's curves beside them. */
  faithfulness: FaithfulnessReport & { road: RoadReport };
  faithfulnessCorrelation: FaithfulnessCorrelation;
  localization: LocalizationReport | null;
  relevance: RelevanceAccuracy | null;
  /** Gini index of the shown map's absolute values (Chalasani et al.). */
  sparseness: number | null;
  regionFraction: number | null;
  /** Only when asked for (it reruns the method per perturbation). */
  maxSensitivity: MaxSensitivity | null;
  /** Why max-sensitivity was asked for but could not run (e.g. the rerun failed). */
  maxSensitivityError?: string;
}

// The API reply is this report: a change here that the renderer's type does not follow fails to compile.
((m: ExplanationMetrics): ExplanationMetricsReply => m) satisfies unknown;

export interface MetricOptions {
  /** Points of the plain curves (default 20) and ROAD's (default 10: each solves a linear system). */
  steps?: number;
  roadSteps?: number;
  /** Random patch subsets for faithfulness correlation (default 32). */
  correlationRuns?: number;
  /** Max-sensitivity's reruns; null: none, even if EXPLICARE_MAX_SENSITIVITY asks (absent: the variable decides). */
  sensitivity?: SensitivityOptions | null;
  /**
   * The caller's interest: once it aborts, this call rejects with MetricsCancelled, and a run no other
   * caller waits for stops (nothing of it is kept). Absent: the caller waits to the end (the CLI).
   */
  signal?: AbortSignal;
}

/**
 * The one noise setting of max-sensitivity (the app, `evaluate --max-sensitivity` and the environment
 * variable), so a value read in the app compares with a cohort's: N draws, uniform noise of 2% of
 * the input's range, seed 0.
 */
export const sensitivityOptions = (perturbations: number): SensitivityOptions => ({ perturbations, radiusFraction: 0.02, seed: 0 });

/** What `evaluate --max-sensitivity` and EXPLICARE_MAX_SENSITIVITY say: N perturbations (0: none), for every method or only the listed ones. */
export interface SensitivityRequest {
  perturbations: number;
  methods?: string[];
}

/**
 * Parses "N" or "N:method,method" (N perturbations in 1..32); undefined for absent, "" or "0". Only
 * the first ":" ends N, so a variant can be listed as written ("2:mupax:paper").
 * Throws a message that names `what` (the flag or the variable).
 */
export function parseSensitivityRequest(raw: string | undefined, what: string): SensitivityRequest | undefined {
  if (raw === undefined || raw === '' || raw === '0') return undefined;
  const colon = raw.indexOf(':');
  const count = colon < 0 ? raw : raw.slice(0, colon);
  const n = Number(count);
  const methods = colon < 0 ? undefined : raw.slice(colon + 1).split(',').map((m) => m.trim());
  if (!/^\d+$/.test(count) || n < 1 || n > 32 || methods?.some((m) => m === '' || m.endsWith(':')))
    throw new Error(`${what} must be N or N:method,method with N perturbations in 1..32, got "${raw}"`);
  return methods ? { perturbations: n, methods } : { perturbations: n };
}

/** The request's options for one method: undefined when the request lists other methods only. */
export function sensitivityFor(request: SensitivityRequest | undefined, method: string): SensitivityOptions | undefined {
  if (!request || request.perturbations === 0 || (request.methods && !request.methods.includes(method))) return undefined;
  return sensitivityOptions(request.perturbations);
}

/**
 * The perturbations a request gives a method as written in `--methods` ("mupax:paper"): listed by id
 * (every variant) or as written; 0 when it lists other methods only. One rule for a local evaluate
 * and for the case jobs a queue run submits.
 */
export function perturbationsFor(request: SensitivityRequest, spec: string): number {
  return (sensitivityFor(request, spec.split(':')[0]) ?? sensitivityFor(request, spec))?.perturbations ?? 0;
}

/**
 * Max-sensitivity on request from the environment: the default of a queue worker for a case job
 * that carries no maxSensitivity (the job's value wins), and of a local `evaluate` without the flag: EXPLICARE_MAX_SENSITIVITY=N reruns the method N
 * times under noise of 2% of the input's range; "N:gradcam,ig" only for those methods (a sampling
 * method's rerun costs a whole MUPAX run). Absent: not measured.
 */
export function sensitivityFromEnv(method: string, env: Record<string, string | undefined> = process.env): SensitivityOptions | undefined {
  return sensitivityFor(parseSensitivityRequest(env.EXPLICARE_MAX_SENSITIVITY, 'EXPLICARE_MAX_SENSITIVITY'), method);
}

/** The map every voxel is ranked by: a significant-evidence map is 0 outside its region, so the z of every chunk instead. */
function rankingOf(out: Pick<MethodOutput, 'details' | 'layers'> & { maps: Float32Array[] }): Float32Array {
  const main = out.maps.length - 1;
  return out.details.shows === 'significant evidence' && out.layers?.z ? out.layers.z[main] : out.maps[main];
}

/** The job's options as the method's parser takes them (details.parameters also holds derived values), target pinned. */
function rerunOptions(r: ExplanationResult): Record<string, unknown> {
  const set = methodDescriptor(r.method)?.options;
  const params = (r.details.parameters ?? {}) as Record<string, unknown>;
  const options = Object.fromEntries(Object.entries(params).filter(([k, v]) => set && (OPTION_SETS[set] as readonly string[]).includes(k) && v !== undefined));
  const t = r.details.target as { kind?: string; index?: number } | undefined;
  // A perturbed input may change the predicted class: the rerun explains the same one.
  if (t?.kind === 'class' && typeof t.index === 'number') options.target = t.index as TargetSpec;
  return options;
}

async function sensitivityOf(ctx: ExplainContext, r: ExplanationResult, ranking: Float32Array, o: SensitivityOptions, signal: AbortSignal): Promise<MaxSensitivity> {
  const entry = METHODS[r.method];
  if (!entry) throw new Error(`unknown method "${r.method}"`);
  const options = entry.parse(rerunOptions(r));
  const explain = async (data: Float32Array) => {
    // A method that does not look at the signal still ends its current rerun; none starts after a cancel.
    signal.throwIfAborted();
    const out = await entry.run({ ...ctx, input: { ...ctx.input, data } }, options, () => {}, signal);
    signal.throwIfAborted();
    return rankingOf({ ...out, maps: out.maps.map((m) => m.data) });
  };
  return maxSensitivity(ctx.input.data, ranking, explain, o);
}

type SensitivityPart = Pick<ExplanationMetrics, 'maxSensitivity' | 'maxSensitivityError'>;

/** The latest finished report per result, for the export (it does not wait for or start a run). */
const finished = new WeakMap<ExplanationResult, ExplanationMetrics>();
/** The latest measured max-sensitivity per result: a later report that did not ask for it still carries it. */
const latestSensitivity = new WeakMap<ExplanationResult, MaxSensitivity>();

/** The metrics the user already had computed for this result (job card), if any: the PDF draws their curves. */
export function computedMetrics(r: ExplanationResult): ExplanationMetrics | undefined {
  return finished.get(r);
}

export function explanationMetrics(
  ctx: ExplainContext,
  r: ExplanationResult,
  truth: GroundTruth | null,
  steps?: number,
  o: MetricOptions = {},
): Promise<ExplanationMetrics> {
  const { sensitivity: asked, signal, ...suiteOptions } = o;
  const sensitivity = asked === undefined ? sensitivityFromEnv(r.method) : (asked ?? undefined);
  const suiteKey = JSON.stringify({
    steps,
    o: suiteOptions,
    lesions: truth?.lesions ?? null,
    truthInGrid: ctx.truthInGrid ?? null,
    session: ctx.session.key,
  });
  const suite = remembered(r, `suite:${suiteKey}`, (stopped) => measure(ctx, r, truth, steps, suiteOptions, stopped), signal);
  // After the suite, not beside it: both run the model, and in the app the suite is usually there already.
  const report = suite.then(async (m): Promise<ExplanationMetrics> => {
    if (!sensitivity) return { ...m, maxSensitivity: latestSensitivity.get(r) ?? null };
    const key = `sensitivity:${JSON.stringify({ sensitivity, session: ctx.session.key })}`;
    // A request with other settings replaces a max-sensitivity run still going for this map: two
    // sets of reruns would share the model, and the earlier answer is no longer what was asked.
    stopOthers(r, 'sensitivity:', key, `replaced by a request for ${sensitivity.perturbations} noisy copies`);
    const part = await remembered(r, key, (stopped) => sensitivityPart(ctx, r, sensitivity, stopped), signal, (p) => !p.maxSensitivityError);
    return { ...m, ...part };
  });
  report.then(
    (m) => finished.set(r, m),
    () => {},
  );
  return report;
}

/** Max-sensitivity of the result's ranking; a rerun that fails is a message in the report, not a failed report. */
async function sensitivityPart(ctx: ExplainContext, r: ExplanationResult, o: SensitivityOptions, signal: AbortSignal): Promise<SensitivityPart> {
  try {
    const maxSensitivity = await sensitivityOf(ctx, r, rankingOf(r), o, signal);
    signal.throwIfAborted(); // a stopped run leaves no value behind
    latestSensitivity.set(r, maxSensitivity);
    return { maxSensitivity };
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    return { maxSensitivity: null, maxSensitivityError: `max-sensitivity: the method could not be rerun (${(err as Error).message})` };
  }
}

/** How many values are above 0 (a plain loop: reduce's callback per voxel costs ~10x on a CT's 1M). */
function countPositive(a: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > 0) n++;
  return n;
}

async function measure(
  ctx: ExplainContext,
  r: ExplanationResult,
  truth: GroundTruth | null,
  steps: number | undefined,
  o: Omit<MetricOptions, 'sensitivity' | 'signal'>,
  signal: AbortSignal,
): Promise<ExplanationMetrics> {
  const { input, manifest } = ctx;
  const main = r.maps.length - 1;
  const map = r.maps[main];
  const ranking = rankingOf(r);
  // The method's own baseline (MUPAX records it); otherwise the input's minimum (air, background).
  const recorded = (r.details.parameters as { baselineValue?: number } | undefined)?.baselineValue;
  const baseline = recorded !== undefined && Number.isFinite(recorded) ? recorded : minimumOf(input.data);
  // A stopped run ends at the scorer's next model call (and ROAD's worker at once).
  const scorer = await makeScorer(ctx, jobTargetSpec(r.details, r.method === 'mupax' && manifest.output.decoding.type === 'heatmaps'), signal);
  const plain = await faithfulness(ctx, ranking, scorer, { steps: steps ?? o.steps, baseline });
  // A caller asking for coarse curves gets coarse ROAD curves too (never finer than 10 points).
  const road = await roadCurves(ctx, ranking, scorer, { steps: o.roadSteps ?? Math.min(10, steps ?? o.steps ?? 10), signal });
  const dims = input.grid.dimensions as [number, number, number];
  const subsetFraction = 0.1;
  const runs = o.correlationRuns ?? 32;
  const fc = await faithfulnessCorrelation(input.data, ranking, scorer, patchSubsets(dims, runs, subsetFraction, 0), constantFill(baseline));
  // The rest is arithmetic over the 1M voxels of a CT, tens of ms per step: each step is its own
  // turn of the engine's event loop, so calls and the window are not held up by their sum.
  await checkpoint(signal);
  const lesions = truth?.lesions ?? [];
  const mask = lesions.length ? lesionMask(input.grid, lesions) : null;
  await checkpoint(signal);
  const chance = mask ? countPositive(mask) / mask.length : 0;
  const mass = mask ? relevanceMassAccuracy(map, mask) : null;
  const located = mask ? localization(map, mask) : null;
  await checkpoint(signal);
  const relevance = mask ? { mass, rank: await relevanceRankAccuracyAsync(ranking, mask, signal), chance } : null;
  await checkpoint(signal);
  const gini = await sparsenessAsync(map, signal);
  const regionFraction = r.layers?.significant ? countPositive(r.layers.significant[main]) / map.length : null;
  return {
    faithfulness: { ...plain, road },
    faithfulnessCorrelation: { correlation: fc.correlation, runs: fc.runs, subsetFraction, patches: patchGrid(dims) },
    localization: located,
    // Mass on the shown map (where the reader sees relevance); rank on the full ranking (it needs an order).
    relevance,
    sparseness: gini,
    regionFraction,
    maxSensitivity: null, // explanationMetrics adds it when asked for
  };
}
