// The PACS panel's state: server settings, the study search, the retrieval in progress (polled),
// and the last STOW result. All PACS traffic goes through the engine; this only calls the API.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { PacsSeriesHit, PacsSettingsView, PacsStudyHit, PacsTransferStatus, StowResult } from '../../shared/pacsApi';
import { useApi } from '../api';
import { useStudyStore } from './study';

const POLL_MS = 250;

export const usePacsStore = defineStore('pacs', () => {
  const api = useApi();
  const study = useStudyStore();
  const settings = ref<PacsSettingsView | null>(null);
  const query = ref({ patientName: '', patientId: '', dateFrom: '', dateTo: '', modality: '' });
  const results = ref<PacsStudyHit[] | null>(null);
  /** Series lists of the studies the user expanded. */
  const series = ref<Record<string, PacsSeriesHit[]>>({});
  const searching = ref(false);
  const transfer = ref<PacsTransferStatus | null>(null);
  /** The export being sent, and what the PACS answered per export (an export belongs to one series). */
  const sending = ref<string | null>(null);
  const sent = ref<Record<string, StowResult>>({});
  const error = ref<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function guarded<T>(task: () => Promise<T>): Promise<T | undefined> {
    error.value = null;
    try {
      return await task();
    } catch (err) {
      error.value = err instanceof Error ? err.message : String(err);
      return undefined;
    }
  }

  async function load(): Promise<void> {
    await guarded(async () => (settings.value = await api.pacsGetSettings()));
  }

  /** `authorization`: '' keeps the stored header, null removes it. */
  async function save(baseUrl: string, authorization: string | null, timeoutSeconds: number): Promise<boolean> {
    const saved = await guarded(() => api.pacsSaveSettings({ baseUrl, timeoutSeconds, ...(authorization === '' ? {} : { authorization }) }));
    if (saved) settings.value = saved;
    return !!saved;
  }

  async function search(): Promise<void> {
    searching.value = true;
    const found = await guarded(() => api.pacsSearch(query.value));
    searching.value = false;
    if (found) results.value = found;
  }

  async function poll(): Promise<void> {
    clearTimeout(timer);
    const t = transfer.value;
    if (!t || t.state !== 'running') return;
    const s = await guarded(() => api.pacsTransfer({ transferId: t.id }));
    if (!s) return;
    transfer.value = s;
    if (s.state === 'running') timer = setTimeout(() => void poll(), POLL_MS);
    else if (s.state === 'done') await study.afterOpen(s.report);
    else if (s.state === 'failed') error.value = s.error ?? 'the retrieval failed';
  }

  async function toggleSeries(studyUid: string): Promise<void> {
    if (series.value[studyUid]) {
      const { [studyUid]: _, ...rest } = series.value;
      series.value = rest;
      return;
    }
    const list = await guarded(() => api.pacsListSeries({ studyUid }));
    if (list) series.value = { ...series.value, [studyUid]: list };
  }

  /** Retrieves the study, or only one of its series. */
  async function open(studyUid: string, seriesUid?: string): Promise<void> {
    const started = await guarded(() => api.pacsRetrieve(seriesUid ? { studyUid, seriesUid } : { studyUid }));
    if (!started) return;
    transfer.value = started;
    void poll();
  }

  async function cancel(): Promise<void> {
    const t = transfer.value;
    if (t?.state === 'running') await guarded(() => api.pacsCancelTransfer({ transferId: t.id }));
  }

  async function send(exportId: string): Promise<void> {
    sending.value = exportId;
    const answer = await guarded(() => api.pacsSendExport({ exportId }));
    if (answer) sent.value = { ...sent.value, [exportId]: answer };
    sending.value = null;
  }

  return { settings, query, results, series, searching, transfer, sending, sent, error, load, save, search, toggleSeries, open, cancel, send };
});
