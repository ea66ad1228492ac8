// What travels through the queue: one evaluate case (a study explained by one method with its seeds,
// as evaluateCase runs it), and what comes back. Both are data only and validated on arrival: a
// worker runs nothing a job names except the engine's own methods, opens nothing outside its shared
// folder, retrieves only from the PACS it was started with and refuses a model it does not hold by
// sha256. A study comes either from the shared folder (cohort + study + digest) or from a PACS
// (DICOMweb root + StudyInstanceUID).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { methodDescriptor } from '../../../shared/explainMethods';
import { pacsBaseUrlSchema } from '../../../shared/pacsApi';
import { targetSpecSchema } from '../../../shared/target';
import { isDicomUid } from '../pacs/dicomUid';

/** Bumped when the payload or the meaning of a result changes: old results are then not reused. */
export const CASE_JOB_VERSION = 1;

/** One folder name: no separators, not "." or "..", nothing a shell or a path join could misread. */
const segment = z
  .string()
  .min(1)
  .max(255)
  .refine((s) => s !== '.' && s !== '..' && !/[/\\\0]/.test(s), 'must be one folder name (no "/", "\\", "." or "..")');

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in lowercase hex');

/** A method the engine has, with a variant it has ("mupax:paper"). */
export const knownMethod = (spec: string) => {
  const [id, variant] = spec.split(':');
  const d = methodDescriptor(id);
  return !!d && (variant === undefined || Object.hasOwn(d.variants ?? {}, variant));
};

export const caseSettingsSchema = z.strictObject({
  method: z.string().max(64).refine(knownMethod, 'is not a known method or variant'),
  seeds: z.array(z.number().int().min(0).max(2 ** 31 - 1)).min(1).max(16),
  target: targetSpecSchema.optional(),
  samples: z.number().int().min(1).max(1_000_000).optional(),
  keep: z.number().gt(0).lt(1),
  /**
   * Max-sensitivity for this case's method (`evaluate --max-sensitivity N[:method,...]`, resolved per
   * method by the submitter): N reruns under noise, 0 none, bounded as the flag is (1..32), since
   * each rerun is a whole run of the method. It wins over the worker's EXPLICARE_MAX_SENSITIVITY,
   * which decides only for a job without it. A worker older than this field refuses such a job
   * (unknown key) rather than leave the column empty.
   */
  maxSensitivity: z.number().int().min(0).max(32).optional(),
});

/** What a case is run with, besides its study: the local run's evaluateCase settings. */
export type CaseSettings = z.infer<typeof caseSettingsSchema>;

/** A study from the shared folder every worker mounts. */
export const folderCaseJobSchema = z.strictObject({
  version: z.literal(CASE_JOB_VERSION),
  /** sha256 of model.onnx: a worker without exactly this model refuses the job. */
  model: sha256Hex,
  /** The cohort folder below the worker's shared folder, as folder names. */
  cohort: z.array(segment).max(32),
  study: segment,
  /** sha256 over the study's files (names, sizes, contents): the worker checks it reads the same study. */
  studyDigest: sha256Hex,
  settings: caseSettingsSchema,
});

/**
 * A DICOMweb root exactly as the PACS settings store it (http(s), no credentials, query or trailing
 * slash): the worker compares it with its own --pacs, and never contacts a server a job names.
 */
export const pacsUrlSchema = z
  .string()
  .max(2000)
  .refine((s) => pacsBaseUrlSchema.safeParse(s).success && pacsBaseUrlSchema.parse(s) === s, 'is not a DICOMweb URL (http(s)://host[:port]/path, no credentials, query or trailing "/")');

export const studyUidSchema = z.string().refine(isDicomUid, 'is not a DICOM UID (digits and dots, at most 64 characters)');

/** A study the worker retrieves from a PACS (WADO-RS) into a private temporary folder. */
export const pacsCaseJobSchema = z.strictObject({
  version: z.literal(CASE_JOB_VERSION),
  model: sha256Hex,
  pacs: pacsUrlSchema,
  studyUid: studyUidSchema,
  settings: caseSettingsSchema,
});

export const caseJobSchema = z.union([folderCaseJobSchema, pacsCaseJobSchema]);
export type FolderCaseJob = z.infer<typeof folderCaseJobSchema>;
export type PacsCaseJob = z.infer<typeof pacsCaseJobSchema>;
export type CaseJob = FolderCaseJob | PacsCaseJob;

/** The study's name in rows and logs: the folder name, or the StudyInstanceUID (as a local `evaluate --pacs` names it). */
export const caseStudy = (job: CaseJob): string => ('pacs' in job ? job.studyUid : job.study);

/** A Row as the worker's evaluateRow built it: kept opaque (columns may grow), but only plain values. */
const rowSchema = z.record(z.string().max(64), z.union([z.string().max(4096), z.number(), z.null()]));

export const caseResultSchema = z.strictObject({
  row: rowSchema,
  /** Who ran it and how long the whole job took there (not part of the result files). */
  worker: z.string().max(256),
  jobSeconds: z.number(),
});
export type CaseJobResult = z.infer<typeof caseResultSchema>;

/** BullMQ queue name of a model's jobs: workers listen only on the queues of models they hold. */
export function queueName(modelSha256: string): string {
  return `evaluate-${modelSha256}`;
}

/** Key prefix in Redis, so Explicare's queues never mix with other BullMQ users of the same server. */
export const QUEUE_PREFIX = 'explicare';

/**
 * The job id is a digest of the whole payload: submitting the same case again (a resumed run, a
 * second submitter) finds the job already there instead of adding a copy, and its one result.
 */
export function caseJobId(job: CaseJob): string {
  return 'case-' + createHash('sha256').update(JSON.stringify(job)).digest('hex').slice(0, 40);
}
