// One study of a PACS cohort, fetched for one case: WADO-RS into a private temporary folder (mode
// 0700, removed afterwards), under a byte budget. The retrieval is the app's own (pacs/wadoRetrieve:
// all or nothing, only instances the PACS listed for this study, UIDs checked before they name a
// file), so a PACS answer is treated like every other hostile input; this file only chooses where
// it lands and how much it may be.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isDicomUid } from '../pacs/dicomUid';
import { PacsError } from '../pacs/pacsError';
import { type PacsSettings, pacsSettingsSchema } from '../pacs/settings';
import { retrieveToCache } from '../pacs/wadoRetrieve';
import { ClusterError } from './clusterError';

const PREFIX = 'explicare-pacs-study-';

/**
 * Removes the temporary study folders of processes that no longer run (a worker killed mid-case
 * leaves its study, patient data, behind). Returns how many were removed.
 */
export async function removeAbandonedStudies(dir = os.tmpdir()): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const pid = new RegExp(`^${PREFIX}(\\d+)-`).exec(name)?.[1];
    if (!pid || alive(Number(pid))) continue;
    await rm(path.join(dir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** A 400-slice CT is ~200 MB; the default leaves room for thin-slice studies without filling a disk. */
export const DEFAULT_STUDY_BUDGET_BYTES = 4 * 2 ** 30;

export interface RetrievedStudy {
  /** The folder that holds the study folder (named by its StudyInstanceUID), as evaluateCase takes a cohort. */
  cohortDir: string;
  study: string;
  /** Removes the retrieved files (patient data): call when the case is done. */
  dispose(): Promise<void>;
}

/**
 * The PACS settings of a CLI run or a worker: `--pacs URL` checked as the app's PACS settings are
 * (pacsSettingsSchema), the authorization header from the environment (never a command line).
 */
export function pacsSettingsFrom(url: string, authorization: string | undefined, timeoutSeconds = 60, option = '--pacs'): PacsSettings {
  const parsed = pacsSettingsSchema.safeParse({ baseUrl: url, timeoutSeconds, ...(authorization ? { authorization } : {}) });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue.path[0] === 'authorization' ? 'EXPLICARE_PACS_AUTHORIZATION' : issue.path[0] === 'timeoutSeconds' ? `${option}-timeout` : option;
  throw new ClusterError(`${where}: ${issue.message}`, true);
}

export async function retrieveStudy(settings: PacsSettings, studyUid: string, budgetBytes = DEFAULT_STUDY_BUDGET_BYTES, signal?: AbortSignal): Promise<RetrievedStudy> {
  if (!isDicomUid(studyUid)) throw new PacsError('the job names something that is not a StudyInstanceUID');
  // The pid in the name lets a later run remove what a killed one left (removeAbandonedStudies).
  const root = await mkdtemp(path.join(os.tmpdir(), `${PREFIX}${process.pid}-`)); // mode 0700
  const dispose = () => rm(root, { recursive: true, force: true });
  try {
    const limits = { maxInstanceBytes: Math.min(budgetBytes, 2 ** 30), maxResponseBytes: budgetBytes };
    const folder = await retrieveToCache(settings, root, { studyUid }, () => {}, signal, limits);
    return { cohortDir: path.dirname(folder), study: path.basename(folder), dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
