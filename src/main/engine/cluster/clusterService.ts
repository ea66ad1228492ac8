// The app's cohort runs on a queue (the cluster panel): the same submitter as `evaluate --queue`
// (submitCohort.ts), run in the background and watched by polling clusterRun. Result files are
// written by the CLI's writer (evaluation/evaluateSummary.ts) into the run's folder under the
// engine's cache, so a run from the app and one from the CLI give the same files. A queue is
// contacted only here, when the user submits; nothing is stored, the password least of all.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import type { ModelSummary } from '../../../shared/api';
import type { ClusterRunStatus, clusterApiArgs } from '../../../shared/clusterApi';
import { type Row, writeEvaluation } from '../evaluation/evaluateSummary';
import { writeFileAtomic } from '../io/atomic';
import { knownMethod } from './caseJob';
import { ClusterError } from './clusterError';
import { parseQueueUrl } from './queueUrl';
import { assertRedisClient } from './queueErrors';
import type { CohortSource } from './submitCohort';

export type ClusterSubmitArgs = z.infer<(typeof clusterApiArgs)['clusterSubmit']>;

export interface ClusterDeps {
  /** Where runs write their files: <dir>/<run id>/. */
  dir: string;
  listModels(): Promise<ModelSummary[]> | ModelSummary[];
  /** The DICOMweb URL of the PACS panel's settings, or null when no PACS is configured. */
  pacsUrl(): Promise<string | null>;
}

const RESULT_FILES = ['evaluation.csv', 'summary.json', 'summary.md', 'cluster.json'];

export class ClusterService {
  private readonly runs = new Map<string, { status: ClusterRunStatus; stop: AbortController; t0: number }>();

  constructor(private readonly deps: ClusterDeps) {}

  async submit(a: ClusterSubmitArgs): Promise<ClusterRunStatus> {
    const target = parseQueueUrl(a.queueUrl, {
      label: 'the queue URL',
      ...(a.password ? { password: a.password } : {}),
      ...(a.caPem ? { ca: Buffer.from(a.caPem) } : {}),
    });
    const unknown = a.methods.find((m) => !knownMethod(m));
    if (unknown) throw new ClusterError(`methods: "${unknown}" is not a method (or variant) of this engine`);
    assertRedisClient();
    const models = await this.deps.listModels();
    if (!models.some((m) => m.id === a.modelId)) throw new ClusterError('the model is not installed here: import it first (the queue names it by its sha256)');
    const source = await this.source(a.source);
    const id = `run-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const outDir = path.join(this.deps.dir, id);
    await mkdir(outDir, { recursive: true, mode: 0o700 });
    const studies = source.kind === 'folder' ? source.studies : source.studyUids;
    const status: ClusterRunStatus = {
      id,
      state: 'submitting',
      queue: target.display,
      source: source.kind === 'folder' ? source.cohortDir : source.url,
      total: studies.length * a.methods.length,
      done: 0,
      failed: 0,
      running: 0,
      elapsedSeconds: 0,
      cases: studies.flatMap((study) => a.methods.map((method) => ({ study, method, state: 'waiting' as const }))),
      outDir,
      files: [],
    };
    const run = { status, stop: new AbortController(), t0: performance.now() };
    this.runs.set(id, run);
    const settings = { seeds: a.seeds, keep: a.keep, ...(a.samples === undefined ? {} : { samples: a.samples }) };
    const files = async () => (await readdir(outDir)).filter((f) => RESULT_FILES.includes(f)).sort();
    // BullMQ (and its Redis client) load only now: an app that never submits never loads them.
    const { submitCohort } = await import('./submitCohort');
    void submitCohort({
      target,
      label: `the queue ${target.display}`,
      modelSha256: a.modelId,
      source,
      methods: a.methods,
      settings,
      signal: run.stop.signal,
      // The app keeps no per-line log of a run: its status is what the panel shows.
      log: () => {},
      warn: () => {},
      onStatus: (cases, p) => {
        Object.assign(status, { state: 'watching', ...p, cases: cases.map(({ jobId: _jobId, ...c }) => c) });
        if (p.etaSeconds === undefined) delete status.etaSeconds;
      },
      onRows: async (rows) => {
        await writeEvaluation(outDir, a.keep, rows as unknown as Row[]);
        status.files = await files();
      },
    }).then(
      async (outcome) => {
        const failed = outcome.cases.filter((c) => c.state === 'failed');
        const record = { queue: target.display, model: a.modelId, wallSeconds: outcome.wallSeconds, failed: failed.length, cases: outcome.cases };
        await writeFileAtomic(path.join(outDir, 'cluster.json'), JSON.stringify(record, null, 2) + '\n');
        // A run whose every case failed still says so in evaluation.csv's absence and cluster.json.
        if (outcome.rows.length > 0) await writeEvaluation(outDir, a.keep, outcome.rows as unknown as Row[]);
        status.files = await files();
        status.summary = status.files.includes('summary.md') ? await readFile(path.join(outDir, 'summary.md'), 'utf8') : undefined;
        Object.assign(status, { state: 'done', running: 0, elapsedSeconds: outcome.wallSeconds });
        delete status.etaSeconds;
      },
      (err: unknown) => {
        status.state = run.stop.signal.aborted ? 'stopped' : 'failed';
        // Only our own messages reach the panel; they name the queue without its password.
        status.error = err instanceof ClusterError ? err.message : `the run stopped: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
        delete status.etaSeconds;
      },
    );
    return this.status(id);
  }

  status(id: string): ClusterRunStatus {
    const run = this.runs.get(id);
    if (!run) throw new ClusterError('no such cohort run');
    if (run.status.state === 'submitting' || run.status.state === 'watching') run.status.elapsedSeconds = (performance.now() - run.t0) / 1000;
    return structuredClone(run.status);
  }

  /** Stops watching: the jobs stay on the queue (the workers finish them); submitting again collects them. */
  stop(id: string): ClusterRunStatus {
    const run = this.runs.get(id);
    if (!run) throw new ClusterError('no such cohort run');
    run.stop.abort();
    return this.status(id);
  }

  dispose(): void {
    for (const r of this.runs.values()) r.stop.abort();
  }

  private async source(s: ClusterSubmitArgs['source']): Promise<CohortSource> {
    if (s.kind === 'pacs') {
      const url = await this.deps.pacsUrl();
      if (!url) throw new ClusterError('no PACS is configured: enter its DICOMweb URL in the PACS panel first (workers need the same URL with --pacs)');
      return { kind: 'pacs', url, studyUids: [...new Set(s.studyUids)].sort() };
    }
    const cohortDir = path.resolve(s.cohortDir);
    const sharedDir = path.resolve(s.sharedDir ?? path.dirname(cohortDir));
    const rel = path.relative(sharedDir, cohortDir);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new ClusterError(`the cohort folder ${cohortDir} is not inside the shared folder ${sharedDir}`);
    let studies: string[];
    try {
      studies = (await readdir(cohortDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    } catch (err) {
      throw new ClusterError(`cannot read the cohort folder ${cohortDir} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (studies.length === 0) throw new ClusterError(`the cohort folder ${cohortDir} has no study folders`);
    return { kind: 'folder', cohortDir, sharedDir, studies };
  }
}
