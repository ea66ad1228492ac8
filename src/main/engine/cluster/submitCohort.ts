// The submitting side of a cohort on a queue (`evaluate --queue`, the app's cluster panel): one job
// per case (study x method, with its seeds, as the local run's evaluateCase takes them) on the
// model's queue, then a watch until each has one outcome. Rows are handed back in the local run's
// order (studies sorted, methods as given), so the result files are those of a local run whatever
// the finishing order. A job that Redis lost (a restart without persistence) is added again under
// the same id; a job id is the digest of its payload, so a case is never counted twice.
import path from 'node:path';
import { Job, Queue } from 'bullmq';
import { type CaseJob, type CaseJobResult, type CaseSettings, CASE_JOB_VERSION, caseJobId, caseResultSchema, QUEUE_PREFIX, queueName } from './caseJob';
import type { QueueTarget } from './queueUrl';
import { studyDigest } from './studyDigest';
import { formatDuration } from '../../../shared/durationText';
import { lastingQueueError } from './queueErrors';
import { ClusterError } from './clusterError';

/** Where the workers find the studies: the shared folder they all mount, or a PACS they all reach. */
export type CohortSource =
  | {
      kind: 'folder';
      /** The cohort as this machine sees it, and the shared folder it lies in (workers mount the same). */
      cohortDir: string;
      sharedDir: string;
      /** Study folder names. */
      studies: string[];
    }
  | {
      kind: 'pacs';
      /** The DICOMweb root as the PACS settings store it; workers must be started with the same --pacs. */
      url: string;
      studyUids: string[];
    };

export interface CohortSubmission {
  target: QueueTarget;
  /** How messages name the queue: "--queue redis://host:port" in the CLI. */
  label?: string;
  modelSha256: string;
  source: CohortSource;
  methods: string[];
  /** maxSensitivity: perturbations per method as written in `methods` (`evaluate --max-sensitivity`, resolved); absent: not carried. */
  settings: Omit<CaseSettings, 'method' | 'maxSensitivity'> & { maxSensitivity?: Record<string, number> };
  /** Called whenever a case finishes, with the rows so far in the local run's order. */
  onRows?: (rows: CaseJobResult['row'][]) => Promise<void>;
  /** Called after every poll with each case's state (the app's per-study view). */
  onStatus?: (cases: CaseStatus[], progress: CohortProgress) => void;
  log: (line: string) => void;
  /** A case that failed, with its reason (the CLI's stderr, as the local run's skipped cases). */
  warn?: (line: string) => void;
  pollMs?: number;
  /** Stops watching (the jobs stay on the queue; submitting again collects them). */
  signal?: AbortSignal;
}

export interface CaseStatus {
  study: string;
  method: string;
  jobId: string;
  state: 'waiting' | 'running' | 'completed' | 'failed';
  worker?: string;
  reason?: string;
}

export interface CohortProgress {
  done: number;
  failed: number;
  running: number;
  total: number;
  elapsedSeconds: number;
  /** elapsed / finished x remaining; undefined before the first case ends. */
  etaSeconds?: number;
}

export interface CaseRecord {
  study: string;
  method: string;
  jobId: string;
  state: 'completed' | 'failed';
  reason?: string;
  worker?: string;
  attempts: number;
  /** Seconds the job ran on its worker, and from its submission to its end (queueing included). */
  jobSeconds?: number;
  turnaroundSeconds?: number;
}

export interface CohortOutcome {
  rows: CaseJobResult['row'][];
  cases: CaseRecord[];
  wallSeconds: number;
}

const JOB_OPTIONS = {
  // A crash of the worker's code may be the machine's (memory, a driver): one more try elsewhere.
  attempts: 2,
  backoff: { type: 'fixed' as const, delay: 2000 },
  // Results stay a week, so a submitter that was stopped can be started again and collect them.
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** The job payloads of a cohort, in the local run's order (studies as given, methods within each). */
export async function cohortCases(s: Pick<CohortSubmission, 'modelSha256' | 'source' | 'methods' | 'settings'>) {
  const settingsFor = (method: string): CaseSettings => ({
    method,
    seeds: s.settings.seeds,
    ...(s.settings.target === undefined ? {} : { target: s.settings.target }),
    ...(s.settings.samples === undefined ? {} : { samples: s.settings.samples }),
    keep: s.settings.keep,
    // Only when asked for: a job without it keeps the id it always had, and the worker's default applies.
    ...(s.settings.maxSensitivity?.[method] === undefined ? {} : { maxSensitivity: s.settings.maxSensitivity[method] }),
  });
  const cases: { study: string; method: string; payload: CaseJob; jobId: string }[] = [];
  const src = s.source;
  if (src.kind === 'folder') {
    const relative = path.relative(path.resolve(src.sharedDir), path.resolve(src.cohortDir));
    const cohort = relative === '' ? [] : relative.split(path.sep);
    for (const study of src.studies) {
      const digest = await studyDigest(path.join(src.cohortDir, study));
      for (const method of s.methods) {
        const payload: CaseJob = { version: CASE_JOB_VERSION, model: s.modelSha256, cohort, study, studyDigest: digest, settings: settingsFor(method) };
        cases.push({ study, method, payload, jobId: caseJobId(payload) });
      }
    }
  } else {
    for (const studyUid of src.studyUids)
      for (const method of s.methods) {
        const payload: CaseJob = { version: CASE_JOB_VERSION, model: s.modelSha256, pacs: src.url, studyUid, settings: settingsFor(method) };
        cases.push({ study: studyUid, method, payload, jobId: caseJobId(payload) });
      }
  }
  return cases;
}

export async function submitCohort(s: CohortSubmission): Promise<CohortOutcome> {
  const t0 = performance.now();
  const cases = await cohortCases(s);
  const label = s.label ?? `--queue ${s.target.display}`;

  // Reconnect for ever (Redis restarting), unless the server refused us for a lasting reason.
  let gaveUp = false;
  const connection = { ...s.target.connection, retryStrategy: (times: number) => (gaveUp ? null : Math.min(times * 200, 2000)) };
  const queue = new Queue(queueName(s.modelSha256), { connection, prefix: QUEUE_PREFIX });
  // Redis down: the commands wait for it (said once); a wrong password or certificate ends the run.
  let lasting: (reason: Error) => void = () => {};
  const refused = new Promise<never>((_, reject) => (lasting = reject));
  refused.catch(() => {});
  let reported = '';
  queue.on('error', (err) => {
    const fatal = lastingQueueError(err);
    if (fatal) {
      gaveUp = true;
      lasting(new ClusterError(`${label}: ${fatal}`));
    }
    else if (err.message !== reported) s.log(`queue: ${err.message} (waiting for it)`);
    reported = err.message;
  });
  let outcome: CohortOutcome;
  try {
    await Promise.race([queue.waitUntilReady(), refused]);
    outcome = await Promise.race([watch(), refused]);
  } catch (err) {
    // The client stops reconnecting; closing may still wait for a connection that will not come.
    await Promise.race([queue.close().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    throw err;
  }
  await queue.close();
  return outcome;

  async function watch(): Promise<CohortOutcome> {
    const add = (c: (typeof cases)[number]) => queue.add('case', c.payload, { ...JOB_OPTIONS, jobId: c.jobId });
    const submittedAt = Date.now();
    for (const c of cases) {
      const state = await queue.getJobState(c.jobId);
      // Failed in an earlier run (a worker that lacked the study, say): this run tries it again.
      if (state === 'failed') await (await Job.fromId(queue, c.jobId))?.retry('failed');
      else if (state === 'unknown') await add(c);
    }
    const workers = await queue.getWorkersCount().catch(() => -1);
    s.log(
      `${cases.length} jobs on ${s.target.display} queue ${queueName(s.modelSha256).slice(0, 21)}…; ` +
        (workers === 0 ? 'no worker holds this model yet: jobs wait until one starts' : workers > 0 ? `${workers} worker(s) listening` : ''),
    );

    const results = new Map<number, CaseRecord & { row?: CaseJobResult['row'] }>();
    const live: CaseStatus[] = cases.map((c) => ({ study: c.study, method: c.method, jobId: c.jobId, state: 'waiting' }));
    const warn = s.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
    let lastLine = '';
    let lastChange = performance.now();
    while (results.size < cases.length) {
      if (s.signal?.aborted) throw new ClusterError('stopped watching the run (its jobs stay on the queue; submit it again to collect them)');
      let changed = false;
      let running = 0;
      for (const [i, c] of cases.entries()) {
        if (results.has(i)) continue;
        const state = await queue.getJobState(c.jobId);
        if (state === 'active') {
          running++;
          if (live[i].state !== 'running') {
            const job = await Job.fromId(queue, c.jobId);
            const worker = (job?.progress as { worker?: unknown } | undefined)?.worker;
            live[i] = { ...live[i], state: 'running', ...(typeof worker === 'string' ? { worker: worker.slice(0, 256) } : {}) };
          }
        } else if (state !== 'completed' && state !== 'failed' && live[i].state === 'running') live[i] = { ...live[i], state: 'waiting', worker: undefined };
        if (state === 'unknown') {
          // Redis lost it (restarted without persistence): the same job again, under the same id.
          s.log(`${c.study} ${c.method}: the queue lost this job; submitting it again`);
          await add(c);
          continue;
        }
        if (state !== 'completed' && state !== 'failed') continue;
        const job = await Job.fromId(queue, c.jobId);
        if (!job) continue;
        const base = { study: c.study, method: c.method, jobId: c.jobId, attempts: job.attemptsMade };
        const turnaroundSeconds = job.finishedOn ? Math.max(0, job.finishedOn - Math.max(submittedAt, job.timestamp)) / 1000 : undefined;
        if (state === 'failed') {
          const reason = job.failedReason || 'failed without a reason';
          results.set(i, { ...base, state, reason, turnaroundSeconds });
          live[i] = { ...live[i], state: 'failed', reason };
          warn(`${c.study} ${c.method}: ${reason}`);
        } else {
          const parsed = caseResultSchema.safeParse(job.returnvalue);
          if (!parsed.success) {
            const reason = 'the worker returned a result that is not a row';
            results.set(i, { ...base, state: 'failed', reason, turnaroundSeconds });
            live[i] = { ...live[i], state: 'failed', reason };
            warn(`${c.study} ${c.method}: ${reason}`);
          } else {
            const { row, worker, jobSeconds } = parsed.data;
            results.set(i, { ...base, state, worker, jobSeconds, turnaroundSeconds, row });
            live[i] = { ...live[i], state: 'completed', worker };
            const fmt = (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : '?');
            s.log(`${c.study} ${c.method}: deletion ${fmt(row.deletionAuc)} insertion ${fmt(row.insertionAuc)} (${worker})`);
          }
        }
        changed = true;
      }
      if (changed) {
        lastChange = performance.now();
        await s.onRows?.(rowsInOrder(cases.length, results));
      }
      const done = results.size;
      const failed = [...results.values()].filter((r) => r.state === 'failed').length;
      const elapsed = (performance.now() - t0) / 1000;
      const etaSeconds = done > 0 && done < cases.length ? (elapsed / done) * (cases.length - done) : undefined;
      s.onStatus?.(
        live.map((c) => ({ ...c })),
        { done, failed, running, total: cases.length, elapsedSeconds: elapsed, ...(etaSeconds === undefined ? {} : { etaSeconds }) },
      );
      const state = `[${done}/${cases.length}] ${running} running${failed ? `, ${failed} failed` : ''}`;
      // One line when the counts change, and a reminder every minute while nothing does.
      if (state !== lastLine || performance.now() - lastChange > 60_000) {
        const eta = etaSeconds === undefined ? '' : `, ETA ${formatDuration(etaSeconds)}`;
        s.log(state + eta);
        lastLine = state;
        lastChange = performance.now();
      }
      // Two Redis calls per open case and poll: a large cohort is polled less often (at most every 5 s).
      const pause = s.pollMs ?? Math.min(5000, Math.max(500, (cases.length - results.size) * 5));
      if (results.size < cases.length) await sleep(pause, s.signal);
    }
    const ordered = [...results.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
    return {
      rows: rowsInOrder(cases.length, results),
      cases: ordered.map(({ row: _row, ...r }) => r),
      wallSeconds: (performance.now() - t0) / 1000,
    };
  }
}

function rowsInOrder(n: number, results: Map<number, { row?: CaseJobResult['row'] }>): CaseJobResult['row'][] {
  const rows: CaseJobResult['row'][] = [];
  for (let i = 0; i < n; i++) {
    const row = results.get(i)?.row;
    if (row) rows.push(row);
  }
  return rows;
}

/** A pause that ends early when the watch is stopped. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
