// What a worker does with one job's data: validate it, refuse what it cannot honestly run (a model
// it does not hold, a study outside its shared folder or not the submitter's), then run the case
// exactly as a local `evaluate` does (evaluateCase) and hand back the row. Nothing in a job is
// executed: it only selects one of the engine's methods, a study folder and numbers.
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { UnrecoverableError } from 'bullmq';
import type { Engine } from '../../main/engine/engine';
import type { ModelSummary } from '../../shared/api';
import { evaluateCase } from '../evaluateCase';
import { type CaseJob, type CaseJobResult, caseJobSchema } from './caseJob';
import { studyDigest } from './studyDigest';

export interface WorkerContext {
  engine: Engine;
  /** The models this worker holds, by sha256. */
  models: Map<string, ModelSummary>;
  /** The shared folder as this machine mounts it; jobs name studies below it. */
  sharedDir: string;
  name: string;
}

/** Refusals that another attempt would repeat: BullMQ fails the job at once, with this reason. */
const refuse = (reason: string): never => {
  throw new UnrecoverableError(reason);
};

export function parseCaseJob(data: unknown): CaseJob {
  const parsed = caseJobSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
  return refuse(`invalid job payload: ${problems.slice(0, 5).join('; ')}`);
}

/** The study folder a job names, resolved inside the shared folder (links may not lead out of it). */
async function studyFolder(ctx: WorkerContext, job: CaseJob): Promise<{ cohortDir: string; studyDir: string }> {
  const root = await realpath(ctx.sharedDir);
  const cohortDir = path.join(root, ...job.cohort);
  let real: string;
  try {
    real = await realpath(path.join(cohortDir, job.study));
  } catch {
    return refuse(`study ${[...job.cohort, job.study].join('/')} is not in this worker's shared folder`);
  }
  if (!real.startsWith(root + path.sep)) refuse(`study ${[...job.cohort, job.study].join('/')} leads outside the shared folder`);
  return { cohortDir, studyDir: real };
}

export async function runCaseJob(ctx: WorkerContext, data: unknown): Promise<CaseJobResult> {
  const t0 = performance.now();
  const job = parseCaseJob(data);
  const model = ctx.models.get(job.model);
  if (!model) refuse(`this worker does not hold model ${job.model.slice(0, 12)}… (it holds ${[...ctx.models.keys()].map((k) => k.slice(0, 12) + '…').join(', ') || 'none'})`);
  const { cohortDir, studyDir } = await studyFolder(ctx, job);
  if ((await studyDigest(studyDir)) !== job.studyDigest)
    refuse(`study ${job.study} differs from the submitter's copy (its files' sha256 does not match): check the shared folder`);
  const outcome = await evaluateCase(ctx.engine, model!, cohortDir, job.study, job.settings);
  // A case the local run would skip (no series for the model, a method that cannot run on it)
  // fails with that reason: the same on every worker, so it is not retried.
  if ('skipped' in outcome) refuse(outcome.skipped);
  const { row } = outcome as { row: object };
  return { row: { ...row } as CaseJobResult['row'], worker: ctx.name, jobSeconds: (performance.now() - t0) / 1000 };
}
