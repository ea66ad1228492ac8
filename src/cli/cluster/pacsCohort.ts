// `evaluate --pacs URL --studies UID,...|@FILE`: the cohort is a list of StudyInstanceUIDs on a
// DICOMweb server. Each UID is checked against the UID grammar before anything is sent; the PACS is
// the app's own client (pacs/), with the authorization header from EXPLICARE_PACS_AUTHORIZATION.
// Locally, each study is retrieved once into a private temporary folder, explained by every method
// and removed; on a queue, workers retrieve it themselves (runCaseJob.ts).
import { readFile } from 'node:fs/promises';
import type { Engine } from '../../main/engine/engine';
import { studyUidSchema } from '../../main/engine/cluster/caseJob';
import { removeAbandonedStudies, retrieveStudy } from '../../main/engine/cluster/pacsStudy';
import { PacsError } from '../../main/engine/pacs/pacsError';
import type { PacsSettings } from '../../main/engine/pacs/settings';
import type { ModelSummary } from '../../shared/api';
import { UsageError } from '../command';
import { evaluateCase, type CaseSettings } from '../evaluateCase';
import type { Row } from '../evaluateSummary';

/** --studies: UIDs separated by commas or whitespace, or @FILE with one per line ('#' comments). */
export async function parseStudyUids(text: string | undefined): Promise<string[]> {
  if (!text) throw new UsageError('--pacs needs --studies UID,UID,... or --studies @FILE (one StudyInstanceUID per line)');
  let list = text;
  if (text.startsWith('@')) {
    try {
      list = (await readFile(text.slice(1), 'utf8')).replace(/#.*$/gm, '');
    } catch (err) {
      throw new UsageError(`--studies: cannot read ${text.slice(1)} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
  const uids = list.split(/[\s,]+/).filter((u) => u !== '');
  for (const u of uids)
    if (!studyUidSchema.safeParse(u).success) throw new UsageError(`--studies: "${u.slice(0, 80)}" is not a StudyInstanceUID (digits and dots, at most 64 characters)`);
  if (uids.length === 0) throw new UsageError('--studies names no study');
  // Sorted and without repeats, as a folder cohort's study names are.
  return [...new Set(uids)].sort();
}

export interface PacsCohortRun {
  engine: Engine;
  model: ModelSummary;
  pacs: PacsSettings;
  budgetBytes: number;
  studies: string[];
  methods: string[];
  settings: Omit<CaseSettings, 'method'>;
  /** Called after each case with the rows so far. */
  onRow: (row: Row, rows: Row[]) => Promise<void>;
}

export async function evaluatePacsCohort(r: PacsCohortRun): Promise<Row[]> {
  const rows: Row[] = [];
  await removeAbandonedStudies();
  for (const uid of r.studies) {
    let study;
    try {
      study = await retrieveStudy(r.pacs, uid, r.budgetBytes);
    } catch (err) {
      if (!(err instanceof PacsError)) throw err;
      // Reported as the queue reports it (runCaseJob.ts), once per case; the cohort goes on.
      for (const method of r.methods) process.stderr.write(`${uid} ${method}: PACS: ${err.message}\n`);
      continue;
    }
    try {
      for (const method of r.methods) {
        const outcome = await evaluateCase(r.engine, r.model, study.cohortDir, study.study, { ...r.settings, method });
        if ('skipped' in outcome) {
          process.stderr.write(`${uid} ${method}: ${outcome.skipped}\n`);
          continue;
        }
        rows.push(outcome.row);
        await r.onRow(outcome.row, rows);
      }
    } finally {
      await study.dispose();
    }
  }
  return rows;
}
