// What is open: studies, the selected series and its volume (voxels + geometry from the engine).
import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef } from 'vue';
import type { Capabilities, GroundTruth, OpenReport, StudySummary, UploadFile, VolumeInfo } from '../../shared/api';
import { useApi } from '../api';
import { typedVoxels, type VoxelArray } from '../viewer/voxels';

export interface LoadedVolume {
  info: VolumeInfo;
  voxels: VoxelArray;
}

/** ": a.dcm: no pixel data; b.txt: not DICOM" (the first three), so a failed open says why. */
function skippedReasons(report: OpenReport): string {
  if (!report.skipped.length) return '.';
  const shown = report.skipped.slice(0, 3).map((s) => `${s.file}: ${s.reason}`);
  return `: ${shown.join('; ')}${report.skipped.length > 3 ? `; and ${report.skipped.length - 3} more` : ''}.`;
}

export const useStudyStore = defineStore('study', () => {
  const api = useApi();
  const capabilities = ref<Capabilities | null>(null);
  const studies = ref<StudySummary[]>([]);
  /** The open report that brought each series in: the load report shown is the selected series' own. */
  const reports = ref<Record<string, OpenReport>>({});
  const selectedSeriesUid = ref<string | null>(null);
  /**
   * Studies the user closed in this window. The engine keeps what it opened (its caches serve a
   * reopen at once); closing takes a study off the workstation and frees its volume here.
   */
  const closedStudyUids = ref<string[]>([]);
  /** The studies on the workstation: everything open minus what the user closed. */
  const shownStudies = computed(() => studies.value.filter((s) => !closedStudyUids.value.includes(s.studyUid)));
  const volume = shallowRef<LoadedVolume | null>(null);
  const groundTruth = ref<GroundTruth | null>(null);
  const busy = ref<string | null>(null);
  const error = ref<string | null>(null);

  async function run<T>(what: string, task: () => Promise<T>): Promise<T | undefined> {
    busy.value = what;
    error.value = null;
    try {
      return await task();
    } catch (err) {
      error.value = err instanceof Error ? err.message : String(err);
      return undefined;
    } finally {
      busy.value = null;
    }
  }

  async function afterOpen(report: OpenReport | null | undefined): Promise<void> {
    if (!report) return;
    studies.value = report.studies;
    for (const uid of report.openedSeries) reports.value = { ...reports.value, [uid]: report };
    // Opening a closed study's files again brings it back.
    const reopened = new Set(report.studies.filter((s) => s.series.some((se) => report.openedSeries.includes(se.seriesUid))).map((s) => s.studyUid));
    closedStudyUids.value = closedStudyUids.value.filter((uid) => !reopened.has(uid));
    if (report.dicomFiles === 0) {
      error.value = `No DICOM images found in ${report.filesScanned} file(s)${skippedReasons(report)}`;
      return;
    }
    const first = report.openedSeries[0];
    if (first) await selectSeries(first);
  }

  async function init(): Promise<void> {
    await run('Connecting to the engine', async () => {
      capabilities.value = await api.capabilities();
      studies.value = await api.listStudies();
    });
    const first = shownStudies.value[0]?.series[0];
    if (first && !selectedSeriesUid.value) await selectSeries(first.seriesUid);
  }

  async function openDemo(kind: 'ct' | 'ceph'): Promise<void> {
    const label = kind === 'ct' ? 'Preparing the demo chest CT' : 'Preparing the demo cephalogram';
    await afterOpen(await run(label, () => api.openDemo({ kind })));
  }

  async function openDialog(folder: boolean): Promise<void> {
    await afterOpen(await run('Opening', () => api.openDialog({ folder })));
  }

  async function openFiles(list: FileList | File[]): Promise<void> {
    const files = [...list];
    if (files.length === 0) return;
    await afterOpen(
      await run(`Reading ${files.length} file(s)`, async () => {
        const uploads: UploadFile[] = await Promise.all(files.map(async (f) => ({ name: f.name, data: await f.arrayBuffer() })));
        return api.openFiles(uploads);
      }),
    );
  }

  async function selectSeries(seriesUid: string): Promise<void> {
    if (selectedSeriesUid.value === seriesUid && volume.value) return;
    await run('Loading the series', async () => {
      const info = await api.loadVolume({ seriesUid });
      const buffer = await api.getVoxels({ seriesUid });
      // Voxels stay out of Vue's reactivity: 200 MB arrays must not be proxied.
      volume.value = markRaw({ info, voxels: markRaw(typedVoxels(info.voxelType, buffer)) });
      selectedSeriesUid.value = seriesUid;
      groundTruth.value = await api.getGroundTruth({ seriesUid });
    });
  }

  /** Takes a study off the workstation; the viewer moves to the next open study, or the start screen. */
  async function closeStudy(studyUid: string): Promise<void> {
    closedStudyUids.value = [...closedStudyUids.value, studyUid];
    const closing = studies.value.find((s) => s.studyUid === studyUid);
    if (!closing?.series.some((se) => se.seriesUid === selectedSeriesUid.value)) return;
    volume.value = null;
    selectedSeriesUid.value = null;
    groundTruth.value = null;
    const next = shownStudies.value[0]?.series[0];
    if (next) await selectSeries(next.seriesUid);
  }

  function dismissError(): void {
    error.value = null;
  }

  // afterOpen is shared with other ways of opening (a PACS retrieval ends with an OpenReport too).
  return {
    capabilities,
    studies,
    shownStudies,
    closeStudy,
    reports,
    selectedSeriesUid,
    volume,
    groundTruth,
    busy,
    error,
    init,
    openDemo,
    openDialog,
    openFiles,
    selectSeries,
    dismissError,
    afterOpen,
  };
});
