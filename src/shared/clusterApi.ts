// The cohort-on-a-queue part of the API contract (the app's cluster panel, docs/cluster.md): submit a
// cohort run to a Redis/BullMQ queue and watch it. Every field is checked here, in the one place
// both transports (IPC, HTTP) pass through; the engine contacts a queue only in clusterSubmit, with
// the URL the user typed. The password travels only in that call and is never returned.
import { z } from 'zod';

const uid = z.string().regex(/^[0-9]+(\.[0-9]+)*$/, 'not a DICOM UID').max(64);
const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^[^\0]*$/, 'no NUL characters')
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute path');

export const queueUrlSchema = z
  .string()
  .trim()
  .max(2000)
  .regex(/^rediss?:\/\/[^\s]+$/, 'use redis://host:port (or rediss:// for TLS)')
  .refine((s) => !/^rediss?:\/\/[^/@]*:[^/@]*@/.test(s), 'give the password in its own field, not in the URL');

export const clusterSourceSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('folder'),
      /** Each sub-folder one study; the workers mount the shared folder that holds it. */
      cohortDir: absolutePath,
      /** Default: the cohort folder's parent. */
      sharedDir: absolutePath.optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('pacs'),
      /** Studies on the PACS configured in the PACS panel (its DICOMweb URL goes into the jobs). */
      studyUids: z.array(uid).min(1).max(10_000),
    })
    .strict(),
]);

export const clusterApiArgs = {
  clusterSubmit: z
    .object({
      queueUrl: queueUrlSchema,
      /** Redis AUTH password; empty: none. Never stored, never returned. */
      password: z
        .string()
        .max(512)
        .regex(/^[^\r\n\0]*$/, 'the password must be on one line')
        .default(''),
      /** PEM of a private CA for rediss:// (empty: the system's CAs). */
      caPem: z
        .string()
        .max(65_536)
        .refine((s) => s === '' || /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(s), 'not a PEM certificate')
        .default(''),
      source: clusterSourceSchema,
      modelId: z.string().regex(/^[a-f0-9]{64}$/, 'not a model id'),
      // The shape here; that the engine has the method (and variant) is checked where the jobs are made.
      methods: z
        .array(z.string().regex(/^[a-z][a-z0-9]{0,31}(:[a-z][a-z0-9-]{0,31})?$/, 'a method such as gradcam or mupax:paper'))
        .min(1)
        .max(16),
      seeds: z.array(z.number().int().min(0).max(2 ** 31 - 1)).min(1).max(16).default([0]),
      keep: z.number().gt(0).lt(1).default(0.25),
      samples: z.number().int().min(1).max(1_000_000).optional(),
    })
    .strict(),
  clusterRun: z.object({ runId: z.string().regex(/^run-[a-z0-9-]{1,40}$/) }).strict(),
  clusterStop: z.object({ runId: z.string().regex(/^run-[a-z0-9-]{1,40}$/) }).strict(),
};

export interface ClusterCaseView {
  study: string;
  method: string;
  state: 'waiting' | 'running' | 'completed' | 'failed';
  worker?: string;
  reason?: string;
}

export interface ClusterRunStatus {
  id: string;
  /** submitting: hashing studies and adding jobs; watching: until every case has an outcome. */
  state: 'submitting' | 'watching' | 'done' | 'failed' | 'stopped';
  /** The queue as it may be shown: no password. */
  queue: string;
  source: string;
  total: number;
  done: number;
  failed: number;
  running: number;
  elapsedSeconds: number;
  etaSeconds?: number;
  cases: ClusterCaseView[];
  /** Where the result files are written (evaluation.csv, summary.json, summary.md, cluster.json). */
  outDir: string;
  /** Result files written so far. */
  files: string[];
  /** summary.md once the run is done. */
  summary?: string;
  error?: string;
}
