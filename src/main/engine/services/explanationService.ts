// Explanations: methods run as jobs (progress, partial maps, cancel) over the inference worker, their
// results cached on disk by (series, model, method, options, ground truth) so a reopened study gets
// its maps back at once; the maps and metrics of finished jobs.
import path from 'node:path';
import { z } from 'zod';
import type { JobStatus, MapLayer } from '../../../shared/api';
import type { SanityReport, SanityStatus } from '../../../shared/sanity';
import { targetSpecSchema } from '../../../shared/target';
import { fromCache, toCache } from '../explain/cachedResult';
import { explainContext, explainVolume, type ExplanationResult } from '../explain/explainVolume';
import type { ExplainContext } from '../explain/method';
import { METHODS, methodNames } from '../explain/methods';
import { ExplainOptionError } from '../explain/optionError';
import { checkTargetSpec } from '../explain/target';
import { JobManager } from '../jobs/jobManager';
import { runSanityCheck } from '../sanity/sanityCheck';
import { cacheKey, ResultCache } from '../jobs/resultCache';
import { EngineError, issuesText, translatingErrors } from './engineError';
import { explanationMetrics, type ExplanationMetrics, sensitivityOptions } from './explanationMetrics';
import { cancelMetrics, MetricsCancelled } from './sharedMetricRuns';
import type { GroundTruthService } from './groundTruthService';
import { type ExplanationJob, jobStatus } from './jobStatus';
import type { ModelService } from './modelService';
import type { StudyService } from './studyService';

export class ExplanationService {
  private readonly jobs = new JobManager<ExplanationResult>();
  private readonly sanity = new JobManager<SanityReport>(16);
  private readonly results: ResultCache;

  constructor(
    cacheDir: string,
    private readonly studies: StudyService,
    private readonly truth: GroundTruthService,
    private readonly models: ModelService,
  ) {
    this.results = new ResultCache(path.join(cacheDir, 'results'));
  }

  /** Starts an explanation job, or returns a finished one at once when the result is cached (null: not cached and `cachedOnly`). */
  async start(seriesUid: string, modelId: string, method: string, rawOptions: unknown, cachedOnly: boolean): Promise<ExplanationJob | null> {
    const entry = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined; // "constructor" is not a method
    if (!entry) throw new EngineError('bad-input', `unknown explanation method "${method}" (available: ${methodNames().join(', ')})`);
    let options: Record<string, unknown>;
    try {
      options = entry.parse(rawOptions);
    } catch (err) {
      if (err instanceof z.ZodError) throw new EngineError('bad-input', `${method} options: ${issuesText(err)}`);
      throw err;
    }
    const volume = await this.studies.volume(seriesUid);
    const model = await this.models.load(modelId);
    // A target the model does not have is refused now, naming the option, not after a job starts.
    const spec = targetSpecSchema.safeParse(options.target);
    if (spec.success) await translatingErrors(() => checkTargetSpec(model.entry.pkg.manifest, spec.data), `${method} options`);
    const truth = await this.truth.forModel(seriesUid, model.entry.pkg.manifest);
    const key = cacheKey({ seriesUid, modelId, method, options: { options, truth: truth?.source ?? null } });
    // The options travel with the job: a sanity check reruns the method with exactly these.
    const meta = { seriesUid, modelId, method, cacheKey: key, options: JSON.stringify(options) };
    const label = `${method} · ${model.entry.pkg.manifest.name}`;
    const cached = await this.results.read(key);
    if (cached) return this.jobs.finished(label, meta, fromCache(cached));
    if (cachedOnly) return null;
    return this.jobs.start(
      label,
      meta,
      async (progress, signal) => {
        const result = await explainVolume({ volume, ...model, worker: this.models.worker(), truth, method, options, progress, signal });
        await this.results.write(toCache(key, result));
        return result;
      },
      (err) => (err instanceof ExplainOptionError || err instanceof EngineError ? err.message : `the explanation failed: ${(err as Error).message}`),
    );
  }

  /** The input a method sees for (series, model): for metrics, benchmarks and tools. */
  async context(seriesUid: string, modelId: string): Promise<ExplainContext> {
    const volume = await this.studies.volume(seriesUid);
    const model = await this.models.load(modelId);
    return explainContext({ volume, ...model, worker: this.models.worker(), truth: await this.truth.forModel(seriesUid, model.entry.pkg.manifest) });
  }

  job(id: string): ExplanationJob {
    const job = this.jobs.get(id);
    if (!job) throw new EngineError('not-found', 'no such job');
    return job;
  }

  status(id: string): JobStatus {
    return jobStatus(this.job(id));
  }

  list(): JobStatus[] {
    return this.jobs.list().map(jobStatus);
  }

  cancel(id: string): JobStatus {
    this.job(id);
    this.jobs.cancel(id);
    return this.status(id);
  }

  /** The job's result, waiting for it to finish (CLI, tests). */
  async wait(id: string, onProgress?: (s: JobStatus) => void): Promise<ExplanationResult> {
    for (;;) {
      const s = this.status(id);
      onProgress?.(s);
      if (s.state === 'done') return this.job(id).result!;
      if (s.state !== 'running') throw new EngineError('bad-input', s.error ?? s.state);
      // Wake at the end of the job, or every 200 ms to report progress.
      await Promise.race([this.jobs.settled(id), new Promise((r) => setTimeout(r, 200))]);
    }
  }

  /** A map on the model grid: final (target index), or the latest partial map while running. */
  map(id: string, target: number, partial: boolean, layer: MapLayer = 'map'): Float32Array {
    const job = this.job(id);
    if (partial && job.state === 'running') {
      if (!job.progress.partial) throw new EngineError('not-found', 'no partial map yet');
      return job.progress.partial;
    }
    const r = job.result;
    if (!r) throw new EngineError('not-found', `the job is ${job.state}: no map`);
    if (target >= r.maps.length) throw new EngineError('bad-input', `target ${target} does not exist (the result has ${r.maps.length})`);
    if (layer === 'map') return r.maps[target];
    const maps = r.layers?.[layer];
    if (!maps) throw new EngineError('not-found', `${r.method} has no "${layer}" layer`);
    return maps[target];
  }

  /** The series' finished explanations to export: the latest per method, of the model that ran last. */
  latestFinished(seriesUid: string): { modelId: string; jobs: ExplanationJob[] } | null {
    const done = this.jobs.list().filter((j) => j.state === 'done' && j.meta.seriesUid === seriesUid && j.result);
    const modelId = done.at(-1)?.meta.modelId;
    if (!modelId) return null;
    const latest = new Map(done.filter((j) => j.meta.modelId === modelId).map((j) => [j.meta.method, j]));
    return { modelId, jobs: [...latest.values()] };
  }

  /** The randomization test of a finished explanation, as a job (minutes for a sampling method). */
  async startSanity(jobId: string, steps: number): Promise<SanityStatus> {
    const job = this.job(jobId);
    const r = job.result;
    if (!r) throw new EngineError('not-found', `the job is ${job.state}: nothing to check`);
    const ctx = await this.context(r.seriesUid, r.modelId);
    const options = JSON.parse(job.meta.options ?? '{}') as Record<string, unknown>;
    const check = this.sanity.start(
      `sanity · ${r.method}`,
      { jobId },
      (progress, signal) => runSanityCheck(ctx, r.method, METHODS[r.method], options, { seed: 0, maxSteps: steps, margin: 0.1 }, progress, signal),
      (err) => `the sanity check failed: ${(err as Error).message}`,
    );
    return this.sanityStatus(check.id);
  }

  sanityStatus(id: string): SanityStatus {
    const c = this.sanity.get(id);
    if (!c) throw new EngineError('not-found', 'no such sanity check');
    return { id: c.id, jobId: c.meta.jobId, state: c.state, done: c.progress.done, total: c.progress.total, error: c.error, result: c.result };
  }

  /** Explanation and sanity jobs still running (they use the current inference pool). */
  runningJobs(): number {
    return [...this.jobs.list(), ...this.sanity.list()].filter((j) => j.state === 'running').length;
  }

  /** The latest finished sanity check of an explanation job, if one ran (the PDF reports it). */
  latestSanity(jobId: string): SanityReport | undefined {
    return this.sanity
      .list()
      .filter((c) => c.meta.jobId === jobId && c.state === 'done' && c.result)
      .sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0))
      .at(-1)?.result;
  }

  clear(): Promise<void> {
    return this.results.clear();
  }

  /**
   * `maxSensitivity`: also rerun the method on that many noisy inputs; null: not at all; absent:
   * EXPLICARE_MAX_SENSITIVITY decides. `signal`: the caller went away (HTTP client disconnected); a
   * run that no one else waits for then stops and nothing of it is kept (services/explanationMetrics.ts).
   */
  async metrics(jobId: string, opts: { steps?: number; maxSensitivity?: { perturbations: number } | null } = {}, signal?: AbortSignal): Promise<ExplanationMetrics> {
    const job = this.job(jobId);
    const r = job.result;
    if (!r) throw new EngineError('not-found', `the job is ${job.state}: nothing to measure`);
    const ctx = await this.context(r.seriesUid, r.modelId);
    const sensitivity = opts.maxSensitivity === undefined ? {} : { sensitivity: opts.maxSensitivity && sensitivityOptions(opts.maxSensitivity.perturbations) };
    try {
      return await explanationMetrics(ctx, r, await this.truth.get(r.seriesUid), opts.steps, { ...sensitivity, signal });
    } catch (err) {
      // The caller that cancelled does not read this; one whose run was replaced or cancelled elsewhere does.
      if (err instanceof MetricsCancelled) throw new EngineError('bad-input', `metrics not computed: ${err.message}`);
      throw err;
    }
  }

  /** Stops the metrics runs of a job still going (the app's card was closed or the study left); returns how many. */
  cancelMetrics(jobId: string): { cancelled: number } {
    const r = this.job(jobId).result;
    return { cancelled: r ? cancelMetrics(r, 'cancelled by the user') : 0 };
  }
}
