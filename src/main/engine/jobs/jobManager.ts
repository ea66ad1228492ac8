// Long work (explanations, evaluations) as jobs: progress, partial results, cancel, final result.
// The work itself runs off this thread (inference worker); the job only orchestrates.
import type { JobProgress } from '../explain/method';
import { isCancellation } from '../services/engineError';

export type JobState = 'running' | 'done' | 'failed' | 'cancelled';

export interface Job<R> {
  id: string;
  label: string;
  state: JobState;
  progress: JobProgress;
  partialVersion: number;
  startedAt: number;
  finishedAt?: number;
  error?: string;
  result?: R;
  fromCache: boolean;
  meta: Record<string, string>;
}

export class JobManager<R> {
  private readonly jobs = new Map<string, { job: Job<R>; controller: AbortController; settled: Promise<void> }>();
  private counter = 0;

  /**
   * Finished jobs kept in memory (with their maps: a CT's MUPAX result and its layers are ~16 MB).
   * Older ones are dropped; their results stay in the disk cache, so reopening restores them.
   */
  constructor(private readonly maxFinished = 32) {}

  private evict(): void {
    const finished = [...this.jobs.values()].filter((e) => e.job.state !== 'running').sort((a, b) => (a.job.finishedAt ?? 0) - (b.job.finishedAt ?? 0));
    for (const e of finished.slice(0, Math.max(0, finished.length - this.maxFinished))) this.jobs.delete(e.job.id);
  }

  start(
    label: string,
    meta: Record<string, string>,
    work: (progress: (p: JobProgress) => void, signal: AbortSignal) => Promise<R>,
    describe: (err: unknown) => string,
  ): Job<R> {
    const controller = new AbortController();
    const job: Job<R> = {
      id: `job-${Date.now().toString(36)}-${++this.counter}`,
      label,
      state: 'running',
      progress: { done: 0, total: 1 },
      partialVersion: 0,
      startedAt: Date.now(),
      fromCache: false,
      meta,
    };
    const settled = work((p) => {
      job.progress = p;
      if (p.partial) job.partialVersion++;
    }, controller.signal).then(
      (result) => {
        job.result = result;
        job.state = 'done';
        job.finishedAt = Date.now();
        this.evict();
      },
      (err: unknown) => {
        job.state = isCancellation(err) ? 'cancelled' : 'failed';
        job.error = job.state === 'cancelled' ? 'cancelled by the user' : describe(err);
        job.finishedAt = Date.now();
        this.evict();
      },
    );
    this.jobs.set(job.id, { job, controller, settled });
    return job;
  }

  /** Resolves when the job has finished, whatever its outcome (at once for unknown jobs). */
  settled(id: string): Promise<void> {
    return this.jobs.get(id)?.settled ?? Promise.resolve();
  }

  /** A job that is finished at once (a cached result). */
  finished(label: string, meta: Record<string, string>, result: R): Job<R> {
    const now = Date.now();
    const job: Job<R> = {
      id: `job-${now.toString(36)}-${++this.counter}`,
      label,
      state: 'done',
      progress: { done: 1, total: 1 },
      partialVersion: 0,
      startedAt: now,
      finishedAt: now,
      result,
      fromCache: true,
      meta,
    };
    this.jobs.set(job.id, { job, controller: new AbortController(), settled: Promise.resolve() });
    this.evict();
    return job;
  }

  get(id: string): Job<R> | undefined {
    return this.jobs.get(id)?.job;
  }

  list(): Job<R>[] {
    return [...this.jobs.values()].map((j) => j.job);
  }

  cancel(id: string): boolean {
    const entry = this.jobs.get(id);
    if (!entry || entry.job.state !== 'running') return false;
    entry.controller.abort();
    return true;
  }
}
