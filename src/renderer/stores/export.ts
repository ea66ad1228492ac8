// The Export panel's state: what to export (PDF, DICOM, anonymized, comment, where) and the result.
// The engine writes the files (as the CLI report command does); the renderer only asks.
//
// Everything here belongs to one series: a comment typed on one patient's images must never reach
// another patient's report, and a result or "Send to PACS" button must not outlive the switch to
// another series. Each series keeps its own record, so switching back finds the text still there.
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { isSaliencyColormap } from '../../shared/colormaps';
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
}

const newRecord = (): SeriesExportRecord => ({
  form: { pdf: true, dicom: true, anonymize: false, comment: '', outDir: '', overwrite: false, includeFreeText: false, allowBurnedInAnnotation: false },
  running: false,
  startedAt: null,
  last: null,
  error: null,
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
      rec.running = false;
      rec.startedAt = null;
    }
  }

  return { records, current, recordOf, run };
});
