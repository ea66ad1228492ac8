// The export panel's state: what to export (PDF, DICOM, anonymized, comment, where) and the result.
// The engine writes the files (as the CLI report command does); the renderer only asks.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ExportResult } from '../../shared/pacsApi';
import { useApi } from '../api';
import { useStudyStore } from './study';

export const useExportStore = defineStore('export', () => {
  const api = useApi();
  const study = useStudyStore();
  const form = ref({ pdf: true, dicom: true, anonymize: false, comment: '', outDir: '' });
  const running = ref(false);
  const last = ref<ExportResult | null>(null);
  const error = ref<string | null>(null);

  async function run(): Promise<void> {
    const seriesUid = study.selectedSeriesUid;
    if (!seriesUid) return;
    running.value = true;
    error.value = null;
    try {
      last.value = await api.exportReport({ seriesUid, ...form.value, outDir: form.value.outDir.trim() });
    } catch (err) {
      error.value = err instanceof Error ? err.message : String(err);
    } finally {
      running.value = false;
    }
  }

  return { form, running, last, error, run };
});
