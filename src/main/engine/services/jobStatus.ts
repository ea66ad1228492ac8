// An explanation job as the API reports it (JobStatus): progress, timing, and what its result holds.
import type { JobStatus, MapLayer } from '../../../shared/api';
import type { ExplanationResult } from '../explain/explainVolume';
import type { Job } from '../jobs/jobManager';

export type ExplanationJob = Job<ExplanationResult>;

export function jobStatus(job: ExplanationJob): JobStatus {
  const r = job.result;
  return {
    id: job.id,
    label: job.label,
    state: job.state,
    done: job.progress.done,
    total: job.progress.total,
    stats: job.progress.stats,
    partialVersion: job.partialVersion,
    startedAt: job.startedAt,
    elapsedMs: (job.finishedAt ?? Date.now()) - job.startedAt,
    error: job.error,
    fromCache: job.fromCache,
    seriesUid: job.meta.seriesUid,
    modelId: job.meta.modelId,
    method: job.meta.method,
    result: r ? { targets: r.targets, grid: r.grid, details: r.details, layers: Object.keys(r.layers ?? {}) as MapLayer[] } : undefined,
  };
}
