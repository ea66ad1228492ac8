// The BullMQ side of a worker: one Worker per model held (each model has its own queue, so a job
// only ever reaches machines that hold its model), the lock and stall settings that decide how fast
// a dead worker's job goes to another one, and one log line per job event. The cases run in the
// engine thread (caseThread.ts), so this thread is always free to renew the jobs' locks.
import { type Job, Worker } from 'bullmq';
import type { QueueConnection } from '../../main/engine/cluster/queueUrl';
import { QUEUE_PREFIX, queueName, type CaseJobResult } from '../../main/engine/cluster/caseJob';
import type { CaseThread } from './caseThreadHost';
import { lastingQueueError } from '../../main/engine/cluster/queueErrors';

export interface WorkerSettings {
  connection: QueueConnection;
  concurrency: number;
  /**
   * How long a job's lock lives without renewal (the worker renews it every half of this). A worker
   * killed mid-job loses its job to another after at most about twice this.
   */
  lockSeconds: number;
  log: (line: string) => void;
  /** A refusal that waiting will not cure (password, certificate): the worker stops. */
  onLastingError: (reason: string) => void;
}

export interface RunningWorkers {
  close(): Promise<void>;
}

/** A job whose workers died this many times (e.g. a study that crashes the process) fails for good. */
const MAX_STALLS = 2;

export async function startCaseWorkers(engine: CaseThread, s: WorkerSettings & { name: string }): Promise<RunningWorkers> {
  const workers = engine.models.map(({ id: sha }) => {
    const worker = new Worker<unknown, CaseJobResult>(
      queueName(sha),
      async (job: Job) => {
        s.log(`started ${job.id} ${describe(job.data)} (attempt ${job.attemptsMade + 1})`);
        await job.updateProgress({ worker: s.name, startedAt: Date.now() }).catch(() => {});
        return await engine.run(job.data);
      },
      {
        connection: s.connection,
        prefix: QUEUE_PREFIX,
        concurrency: s.concurrency,
        lockDuration: s.lockSeconds * 1000,
        stalledInterval: s.lockSeconds * 1000,
        maxStalledCount: MAX_STALLS,
        autorun: false,
      },
    );
    worker.on('completed', (job, result) => s.log(`completed ${job.id} ${describe(job.data)} in ${result.jobSeconds.toFixed(1)} s`));
    worker.on('failed', (job, err) => s.log(`failed ${job?.id ?? '?'} ${describe(job?.data)}: ${err.message}`));
    // Connection trouble (Redis restarting) is reported once per kind; BullMQ reconnects by itself.
    let lastError = '';
    worker.on('error', (err) => {
      const fatal = lastingQueueError(err);
      if (fatal) s.onLastingError(fatal);
      if (err.message !== lastError) s.log(`queue: ${err.message}`);
      lastError = err.message;
    });
    worker.on('ready', () => {
      if (lastError) s.log('queue: connected again');
      lastError = '';
    });
    return worker;
  });
  for (const w of workers) w.run().catch((err: Error) => s.log(`worker stopped: ${err.message}`));
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return {
    async close() {
      // Lets the jobs under way finish (or, on a second signal, the process just exits).
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

/** "study method" (folder name or StudyInstanceUID) of a payload for the log, whatever the payload holds (it may be invalid). */
function describe(data: unknown): string {
  const d = data as { study?: unknown; studyUid?: unknown; settings?: { method?: unknown } } | undefined;
  const text = `${String(d?.study ?? d?.studyUid ?? '?')} ${String(d?.settings?.method ?? '?')}`;
  return text.replace(/[^\w .:+-]/g, '?').slice(0, 120);
}
