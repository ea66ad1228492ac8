// Live progress of an export as the engine reports it while it writes: which object, n of m, and
// the bytes (and frames, for the streamed Parametric Maps) written so far. The renderer polls it
// while the export call is pending, and may cancel the export before anything reaches the folder.
import { z } from 'zod';

const uid = z.string().regex(/^[0-9.]{1,64}$/, 'not a DICOM UID');

export const exportProgressApiArgs = {
  getExportProgress: z.object({ seriesUid: uid }).strict(),
  cancelExport: z.object({ seriesUid: uid }).strict(),
  /** The bytes of one file of one of this session's exports (the browser opens the PDF from them). */
  getExportFile: z
    .object({
      exportId: z.string().regex(/^export-[a-z0-9-]{1,40}$/),
      file: z.string().min(1).max(255),
    })
    .strict(),
  /** Desktop app: opens one file of one of this session's exports with the system's viewer. */
  openExportFile: z
    .object({
      exportId: z.string().regex(/^export-[a-z0-9-]{1,40}$/),
      file: z.string().min(1).max(255),
    })
    .strict(),
} as const;

export type ExportPhase = 'prepare' | 'write' | 'commit' | 'done' | 'failed' | 'cancelled';

export interface ExportProgress {
  seriesUid: string;
  phase: ExportPhase;
  /** What is being done now, in words ("Parametric Map of gradcam"). */
  step: string;
  /** The object being written (1-based) of all the export writes; 0 before the first. */
  object: number;
  objects: number;
  /** The file being written, relative to the export folder. */
  file?: string;
  /** Frames of the object being written so far, of `frames` (streamed objects only). */
  frame?: number;
  frames?: number;
  /** Bytes staged so far over all objects. */
  bytes: number;
  elapsedMs: number;
  /** Set once the user asked to cancel: the export stops at its next step and writes nothing. */
  cancelling?: boolean;
}
