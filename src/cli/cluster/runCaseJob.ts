// What a worker does with one job's data: validate it, refuse what it cannot honestly run (a model
// it does not hold, a study outside its shared folder or not the submitter's, a PACS it was not
// started with), then run the case exactly as a local `evaluate` does (evaluateCase) and hand back
// the row. Nothing in a job is executed: it only selects one of the engine's methods, a study
// (folder name or StudyInstanceUID) and numbers. A PACS study is retrieved for the job into a private
// temporary folder under the worker's byte budget and removed afterwards.
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { UnrecoverableError } from 'bullmq';
import type { Engine } from '../../main/engine/engine';
import type { ModelSummary } from '../../shared/api';
import { type CaseSettings as LocalCaseSettings, evaluateCase } from '../evaluateCase';
import {
  type CaseJob,
  type CaseJobResult,
  type FolderCaseJob,
  type PacsCaseJob,
  folderCaseJobSchema,
  pacsCaseJobSchema,
} from '../../main/engine/cluster/caseJob';
import { retrieveStudy } from '../../main/engine/cluster/pacsStudy';
import { studyDigest } from '../../main/engine/cluster/studyDigest';
import { PacsError } from '../../main/engine/pacs/pacsError';
import type { PacsSettings } from '../../main/engine/pacs/settings';

export interface WorkerContext {
  engine: Engine;
  /** The models this worker holds, by sha256. */
  models: Map<string, ModelSummary>;
  /** The shared folder as this machine mounts it; jobs name studies below it. */
  sharedDir?: string;
  /** The one PACS this worker retrieves from (its --pacs), with its authorization; jobs naming another are refused. */
  pacs?: PacsSettings;
  /** Largest retrieval of one study, in bytes. */
  pacsBudgetBytes?: number;
  name: string;
}

/** Refusals that another attempt would repeat: BullMQ fails the job at once, with this reason. */
const refuse = (reason: string): never => {
  throw new UnrecoverableError(reason);
};

export function parseCaseJob(data: unknown): CaseJob {
  // The payload's own keys choose the schema, so a refusal names the field instead of "no union member matched".
  const fromPacs = !!data && typeof data === 'object' && Object.hasOwn(data, 'pacs');
  const parsed = (fromPacs ? pacsCaseJobSchema : folderCaseJobSchema).safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
  return refuse(`invalid job payload: ${problems.slice(0, 5).join('; ')}`);
}

/** The study folder a job names, resolved inside the shared folder (links may not lead out of it). */
async function studyFolder(ctx: WorkerContext, job: FolderCaseJob): Promise<{ cohortDir: string; studyDir: string }> {
  if (!ctx.sharedDir) return refuse(`this worker has no shared folder (start it with --shared) for study ${job.study}`);
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
  const outcome = 'pacs' in job ? await runPacsCase(ctx, model!, job) : await runFolderCase(ctx, model!, job);
  // A case the local run would skip (no series for the model, a method that cannot run on it)
  // fails with that reason: the same on every worker, so it is not retried.
  if ('skipped' in outcome) refuse(outcome.skipped);
  const { row } = outcome as { row: object };
  return { row: { ...row } as CaseJobResult['row'], worker: ctx.name, jobSeconds: (performance.now() - t0) / 1000 };
}

async function runFolderCase(ctx: WorkerContext, model: ModelSummary, job: FolderCaseJob) {
  const { cohortDir, studyDir } = await studyFolder(ctx, job);
  if ((await studyDigest(studyDir)) !== job.studyDigest)
    refuse(`study ${job.study} differs from the submitter's copy (its files' sha256 does not match): check the shared folder`);
  return evaluateCase(ctx.engine, model, cohortDir, job.study, caseSettings(job));
}

/**
 * The job's settings as evaluateCase takes them: its maxSensitivity N (0: none) is the flag's
 * `N` for this one method and wins over EXPLICARE_MAX_SENSITIVITY; without it that variable decides.
 */
export function caseSettings(job: CaseJob): LocalCaseSettings {
  const { maxSensitivity, ...rest } = job.settings;
  return maxSensitivity === undefined ? rest : { ...rest, maxSensitivity: { perturbations: maxSensitivity } };
}

async function runPacsCase(ctx: WorkerContext, model: ModelSummary, job: PacsCaseJob) {
  // Only the PACS the worker was started with: a job cannot point it (and its credentials) elsewhere.
  if (!ctx.pacs) return refuse(`this worker retrieves from no PACS (start it with --pacs ${job.pacs})`);
  if (ctx.pacs.baseUrl !== job.pacs) return refuse(`this worker retrieves only from ${ctx.pacs.baseUrl}, not ${job.pacs}`);
  let study;
  try {
    study = await retrieveStudy(ctx.pacs, job.studyUid, ctx.pacsBudgetBytes);
  } catch (err) {
    // The PACS's answer (a missing study, a partial or oversized retrieval) is the reason; a server
    // that is down or cut the connection may be back for the retry.
    if (err instanceof PacsError && !/cannot connect|closed the connection|did not answer|partial retrieval|server error/.test(err.message)) refuse(`PACS: ${err.message}`);
    throw err;
  }
  try {
    return await evaluateCase(ctx.engine, model, study.cohortDir, study.study, caseSettings(job));
  } finally {
    await study.dispose();
  }
}
