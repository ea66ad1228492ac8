// `evaluate --queue URL`: the cohort (a folder below --shared, or studies on --pacs) goes to workers
// instead of this machine's engine. The result
// files are written by the same writer as the local run (writeEvaluation) from the same rows; what
// only a distributed run has (who ran each case, attempts, timings, failures) goes to cluster.json
// beside them, so evaluation.csv and the summaries stay comparable with a local run.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../main/engine/io/atomic';
import { readModelPackage } from '../../main/engine/models/readPackage';
import { CommandFailure } from '../command';
import type { CaseSettings } from '../../main/engine/cluster/caseJob';
import { type Row, writeEvaluation } from '../evaluateSummary';
import { resolveModelPath } from '../openForModel';
import { parseQueueUrl } from '../../main/engine/cluster/queueUrl';
import { type CohortSource, submitCohort } from '../../main/engine/cluster/submitCohort';
import { assertRedisClient } from '../../main/engine/cluster/queueErrors';
import { formatDuration } from '../../shared/durationText';

export interface QueueRun {
  queue: string;
  queueCa?: string;
  /** A model package (or bundled name) to take the sha256 from, or the sha256 itself. */
  model: string;
  /** A cohort folder (below the shared folder), or the PACS the studies are on (a DICOMweb root). */
  cohortDir?: string;
  sharedDir?: string;
  pacs?: string;
  /** Study folder names, or StudyInstanceUIDs with --pacs. */
  studies: string[];
  methods: string[];
  /** maxSensitivity: perturbations per method as written in `methods` (resolved from --max-sensitivity). */
  settings: Omit<CaseSettings, 'method' | 'maxSensitivity'> & { maxSensitivity?: Record<string, number> };
  out: string;
}

/** Runs the cohort on the queue's workers; returns the rows in the local run's order. */
export async function evaluateOnQueue(r: QueueRun): Promise<Row[]> {
  const target = parseQueueUrl(r.queue, { caFile: r.queueCa, password: process.env.EXPLICARE_QUEUE_PASSWORD });
  assertRedisClient();
  let sha256 = r.model;
  if (!/^[0-9a-f]{64}$/.test(r.model)) {
    try {
      sha256 = (await readModelPackage(resolveModelPath(r.model))).sha256;
    } catch (err) {
      if (err instanceof Error && err.name === 'ModelPackageError') throw new CommandFailure(`--model: ${err.message}`);
      throw err;
    }
  }
  let source: CohortSource;
  if (r.pacs !== undefined) source = { kind: 'pacs', url: r.pacs, studyUids: r.studies };
  else {
    // Workers mount the shared folder elsewhere: jobs name the cohort relative to it.
    const cohortDir = r.cohortDir!;
    const sharedDir = r.sharedDir ?? path.dirname(path.resolve(cohortDir));
    const rel = path.relative(path.resolve(sharedDir), path.resolve(cohortDir));
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new CommandFailure(`--cohort ${cohortDir} is not inside --shared ${sharedDir}`);
    source = { kind: 'folder', cohortDir, sharedDir, studies: r.studies };
  }
  const log = (line: string) => process.stdout.write(`${line}\n`);
  await mkdir(r.out, { recursive: true });
  const outcome = await submitCohort({
    target,
    modelSha256: sha256,
    source,
    methods: r.methods,
    settings: r.settings,
    log,
    onRows: async (rows) => {
      await writeEvaluation(r.out, r.settings.keep, rows as unknown as Row[]);
    },
  });
  const failed = outcome.cases.filter((c) => c.state === 'failed');
  await writeFileAtomic(
    path.join(r.out, 'cluster.json'),
    JSON.stringify({ queue: target.display, model: sha256, wallSeconds: outcome.wallSeconds, failed: failed.length, cases: outcome.cases }, null, 2) + '\n',
  );
  log(`${outcome.cases.length - failed.length} of ${outcome.cases.length} jobs done in ${formatDuration(outcome.wallSeconds)}${failed.length ? `; ${failed.length} failed (see cluster.json)` : ''}`);
  return outcome.rows as unknown as Row[];
}
