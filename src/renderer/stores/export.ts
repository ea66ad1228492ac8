// The Export panel's state: what to export (PDF, DICOM, anonymized, comment, where) and the result.
// The engine writes the files (as the CLI report command does); the renderer only asks.
//
// Everything here belongs to one series: a comment typed on one patient's images must never reach
// another patient's report, and a result or "Send to PACS" button must not outlive the switch to
// another series. Each series keeps its own record, so switching back finds the text still there.
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { isSaliencyColormap } from '../../shared/colormaps';
import type { ExportProgress } from '../../shared/exportProgress';
import type { ExportResult } from '../../shared/pacsApi';
import { useApi } from '../api';
import { useExplainStore } from './explain';
import { useModelStore } from './models';
import { useStudyStore } from './study';

export interface ExportForm {
  pdf: boolean;
  dicom: boolean;
  anonymize: boolean;
  comment: string;
  outDir: string;
  /** Replace files that already exist in the folder (off: the engine refuses, naming the file). */
  overwrite: boolean;
  /** Anonymized exports: also write the comment and landmark-file names (they may name the patient). */
  includeFreeText: boolean;
  /** Anonymized exports: go ahead although the images declare burned-in annotation. */
  allowBurnedInAnnotation: boolean;
}

export interface SeriesExportRecord {
  form: ExportForm;
  running: boolean;
  /** When the running export started (ms since epoch), for the elapsed time shown. */
  startedAt: number | null;
  last: ExportResult | null;
  error: string | null;
  /** The engine's live progress of the running export (polled), kept after it ends until the next one. */
  progress: ExportProgress | null;
  /** The PDF of `last` as a blob URL opened in a tab (browser variant), for a link if the tab was blocked. */
  pdfUrl: string | null;
}

/** Phases an export reports once it has ended: never those of a run still in progress. */
const END_PHASES: ReadonlySet<ExportProgress['phase']> = new Set(['done', 'failed', 'cancelled']);
/** How often a running export's progress is asked for. */
const PROGRESS_POLL_MS = 300;

const newRecord = (): SeriesExportRecord => ({
  form: { pdf: true, dicom: true, anonymize: false, comment: '', outDir: '', overwrite: false, includeFreeText: false, allowBurnedInAnnotation: false },
  running: false,
  startedAt: null,
  last: null,
  error: null,
  progress: null,
  pdfUrl: null,
});

export const useExportStore = defineStore('export', () => {
  const api = useApi();
  const study = useStudyStore();
  const models = useModelStore();
  const explain = useExplainStore();
  const records = ref<Record<string, SeriesExportRecord>>({});

  /** The record of a series, created on first use. */
  function recordOf(seriesUid: string): SeriesExportRecord {
    if (!records.value[seriesUid]) records.value[seriesUid] = newRecord();
    return records.value[seriesUid];
  }

  // Created when a series is selected, so the computed below only reads.
  watch(() => study.selectedSeriesUid, (uid) => void (uid && recordOf(uid)), { immediate: true });
  /** The selected series' record; null while no series is selected. */
  const current = computed(() => (study.selectedSeriesUid ? (records.value[study.selectedSeriesUid] ?? null) : null));

  /** Exports the series selected now; the result lands on that series even if the user moves on. */
  async function run(): Promise<void> {
    const seriesUid = study.selectedSeriesUid;
    if (!seriesUid) return;
    const rec = recordOf(seriesUid);
    rec.running = true;
    rec.startedAt = Date.now();
    rec.error = null;
    rec.progress = null;
    if (rec.pdfUrl) URL.revokeObjectURL(rec.pdfUrl);
    rec.pdfUrl = null;
    // Poll the engine while the export call is pending; the last answer stays on the record.
    let polling = true;
    const poll = async (): Promise<void> => {
      while (polling) {
        const p = await api.getExportProgress({ seriesUid }).catch(() => null);
        // A first poll may be answered before the engine has registered this export: it then
        // reports how the previous one ended (e.g. cancelled at object 3 of 5). A running export
        // is never in an end phase, and this run's end is read after the call below.
        if (polling && p && !END_PHASES.has(p.phase)) rec.progress = p;
        await new Promise((r) => setTimeout(r, PROGRESS_POLL_MS));
      }
    };
    const polled = poll();
    try {
      // Landmarks the user moved: the PDF must show and score what is on screen, not the file.
      const truth = models.currentTruthEdited ? models.currentTruth : null;
      const groundTruth = truth
        ? { source: truth.source, landmarks: truth.landmarks.map(({ name, abbreviation, pixel, patient }) => ({ name, abbreviation, pixel, patient })) }
        : undefined;
      // The key images in the overlay's colour map, so the export looks like the screen.
      const colormap = explain.style.colormap;
      rec.last = await api.exportReport({
        seriesUid,
        ...rec.form,
        outDir: rec.form.outDir.trim(),
        ...(groundTruth ? { groundTruth } : {}),
        ...(isSaliencyColormap(colormap) ? { colormap } : {}),
      });
    } catch (err) {
      rec.error = err instanceof Error ? err.message : String(err);
    } finally {
      polling = false;
      rec.running = false;
      rec.startedAt = null;
    }
    // How it ended (done, or cancelled: what the panel says then); a poll still under way is dropped.
    void polled;
    rec.progress = await api.getExportProgress({ seriesUid }).catch(() => rec.progress);
  }

  /** Asks the engine to stop the selected series' running export (it then writes nothing). */
  async function cancel(): Promise<void> {
    const seriesUid = study.selectedSeriesUid;
    if (!seriesUid) return;
    const rec = recordOf(seriesUid);
    const p = await api.cancelExport({ seriesUid }).catch((err: unknown) => ((rec.error = err instanceof Error ? err.message : String(err)), null));
    if (p) rec.progress = p;
  }

  /**
   * Opens the PDF of the series' last export. The desktop app hands it to the system's viewer; the
   * browser gets its bytes from the engine (only a file that export wrote) and opens them in a tab.
   */
  async function openPdf(): Promise<void> {
    const seriesUid = study.selectedSeriesUid;
    const rec = seriesUid ? recordOf(seriesUid) : null;
    const last = rec?.last;
    if (!rec || !last?.files.includes('report.pdf')) return;
    rec.error = null;
    try {
      if (study.capabilities?.nativeDialog) return await api.openExportFile({ exportId: last.exportId, file: 'report.pdf' });
      const bytes = await api.getExportFile({ exportId: last.exportId, file: 'report.pdf' });
      if (rec.pdfUrl) URL.revokeObjectURL(rec.pdfUrl);
      rec.pdfUrl = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
      // A blocked tab leaves the link in the panel (rec.pdfUrl) for the user to click.
      window.open(rec.pdfUrl, '_blank', 'noopener');
    } catch (err) {
      rec.error = err instanceof Error ? err.message : String(err);
    }
  }

  return { records, current, recordOf, run, cancel, openPdf };
});
