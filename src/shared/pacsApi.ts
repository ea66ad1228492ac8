// The PACS (DICOMweb) and report-export part of the engine API contract: argument schemas and
// result types. The renderer never talks to the PACS itself (CSP connect-src 'self'): the engine does.
import { z } from 'zod';
import type { OpenReport } from './studySummary';
import { SALIENCY_COLORMAPS } from './colormaps';

const uid = z.string().regex(/^[0-9.]{1,64}$/, 'not a DICOM UID');
/** DICOM DA in ISO form; the engine turns it into YYYYMMDD for QIDO. */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD');

export const pacsBaseUrlSchema = z
  .string()
  .trim()
  .max(2000)
  .refine((s) => URL.canParse(s), 'not a URL (example: http://pacs.example.org:8042/dicom-web)')
  .refine((s) => /^https?:$/.test(new URL(s).protocol), 'the DICOMweb URL must start with http:// or https://')
  .refine((s) => !new URL(s).username && !new URL(s).password, 'put credentials in the authorization header, not in the URL')
  .refine((s) => !new URL(s).search && !new URL(s).hash, 'the DICOMweb URL must not have a query or fragment')
  .transform((s) => s.replace(/\/+$/, ''));

/** An HTTP header value: printable ASCII only (no CR/LF, so no header injection). */
export const authorizationSchema = z.string().max(8192).regex(/^[\x20-\x7e]+$/, 'the authorization header must be printable ASCII on one line');

const finite = z.number().finite();
export const editedGroundTruthSchema = z
  .object({
    source: z.string().max(500),
    landmarks: z
      .array(
        z
          .object({
            name: z.string().min(1).max(200),
            abbreviation: z.string().min(1).max(32),
            pixel: z.tuple([finite, finite]),
            patient: z.tuple([finite, finite, finite]),
          })
          .strict(),
      )
      .max(1000),
  })
  .strict();
export type EditedGroundTruth = z.infer<typeof editedGroundTruthSchema>;

export const pacsApiArgs = {
  pacsGetSettings: z.object({}).strict(),
  pacsSaveSettings: z
    .object({
      baseUrl: pacsBaseUrlSchema,
      /** A string replaces the stored header, null removes it, absent keeps what is stored. */
      authorization: authorizationSchema.nullable().optional(),
      timeoutSeconds: z.number().int().min(1).max(600).default(30),
    })
    .strict(),
  pacsSearch: z
    .object({
      patientName: z.string().trim().max(64).regex(/^[^\\\0]*$/, 'no backslashes').default(''),
      patientId: z.string().trim().max(64).regex(/^[^\\*?\0]*$/, 'no wildcards or backslashes').default(''),
      dateFrom: isoDate.or(z.literal('')).default(''),
      dateTo: isoDate.or(z.literal('')).default(''),
      modality: z.string().trim().regex(/^[A-Z]{0,16}$/, 'a modality code such as CT, MR or DX').default(''),
      limit: z.number().int().min(1).max(500).default(100),
    })
    .strict(),
  pacsListSeries: z.object({ studyUid: uid }).strict(),
  pacsRetrieve: z.object({ studyUid: uid, seriesUid: uid.optional() }).strict(),
  pacsTransfer: z.object({ transferId: z.string().regex(/^job-[a-z0-9-]{1,40}$/) }).strict(),
  pacsCancelTransfer: z.object({ transferId: z.string().regex(/^job-[a-z0-9-]{1,40}$/) }).strict(),
  pacsSendExport: z.object({ exportId: z.string().regex(/^export-[a-z0-9-]{1,40}$/) }).strict(),
  exportReport: z
    .object({
      seriesUid: uid,
      /** Absolute folder; empty: a new folder under the engine's exports folder. */
      outDir: z
        .string()
        .max(4096)
        .regex(/^[^\0]*$/)
        .refine((p) => p === '' || p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'the output folder must be an absolute path')
        .default(''),
      pdf: z.boolean(),
      dicom: z.boolean(),
      anonymize: z.boolean().default(false),
      comment: z.string().max(4000).default(''),
      /** Anonymized exports: also write the comment and landmark-file names (off: they may name the patient). */
      includeFreeText: z.boolean().default(false),
      /** Anonymized exports: proceed although source images declare Burned In Annotation = YES. */
      allowBurnedInAnnotation: z.boolean().default(false),
      /** Replace files that already exist in outDir (off: the export is refused, naming the file). */
      overwrite: z.boolean().default(false),
      /**
       * Ground-truth landmarks as the user placed or corrected them in the app: the report draws and
       * scores these instead of the file the engine loaded. Absent: the engine's own ground truth.
       */
      groundTruth: editedGroundTruthSchema.optional(),
      /** The key images' colour map (the viewer's, so the export looks like the screen); absent: jet. */
      colormap: z.enum(SALIENCY_COLORMAPS).optional(),
    })
    .strict(),
} as const;

export interface PacsSettingsView {
  baseUrl: string;
  /** Whether an authorization header is stored; its value never leaves the engine. */
  hasAuthorization: boolean;
  timeoutSeconds: number;
}

export interface PacsStudyHit {
  studyUid: string;
  patientName: string;
  patientId: string;
  studyDate: string; // YYYY-MM-DD or ''
  description: string;
  accessionNumber: string;
  modalities: string[];
  seriesCount: number | null;
  instanceCount: number | null;
}

export interface PacsSeriesHit {
  seriesUid: string;
  modality: string;
  seriesNumber: number | null;
  description: string;
  instanceCount: number | null;
}

export interface PacsTransferStatus {
  id: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  /** Instances received so far, of `total` (0 until the server said how many). */
  done: number;
  total: number;
  bytes: number;
  elapsedMs: number;
  error?: string;
  /** The study as opened from the cache once complete. */
  report?: OpenReport;
}

export interface StowInstanceResult {
  file: string; // relative to the export folder
  sopInstanceUid: string;
  ok: boolean;
  reason?: string;
}

export interface StowResult {
  stored: number;
  failed: number;
  instances: StowInstanceResult[];
  elapsedMs: number;
}

export interface ExportResult {
  exportId: string;
  folder: string;
  files: string[]; // relative to folder
  dicomFiles: number;
  methods: string[];
  elapsedMs: number;
}
