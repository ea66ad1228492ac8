// Explanation jobs of the session, the map shown as overlay, and its display style.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { JobStatus, MapLayer } from '../../shared/api';
import { overlayScale } from '../../shared/overlayScale';
import { useApi } from '../api';
import { describeMap, mapLabel, type MapDescription } from '../mapDescription';
import type { ColormapName } from '../viewer/colormaps';
import type { OverlayMap, OverlayStyle } from '../viewer/overlayRenderer';
import type { PlaneName } from '../viewer/viewerSession';
import { useModelStore } from './models';
import { useStudyStore } from './study';

const POLL_MS = 400;
/** Rows beyond the shown method in the comparison (4 rows of 3 viewports is the most that stays legible). */
const MAX_COMPARED = 3;

export interface ComparedMap {
  jobId: string;
  method: string;
  /** What the map explains (method, target, samples, significance), in one line. */
  label: string;
  description: MapDescription;
  map: OverlayMap;
}

/** MUPAX's default map is its significant region (z inside, 0 outside): drawn as a region. */
const showsRegion = (job: JobStatus) => job.result?.details.shows === 'significant evidence' || (job.state === 'running' && job.method === 'mupax');

/**
 * An overlay of `data`. A region map's colours span its own values (the smallest significant z to
 * the largest), and what lies outside is not drawn at all.
 */
function overlayOf(data: Float32Array, grid: OverlayMap['grid'], region: boolean): OverlayMap {
  return { data, grid, ...overlayScale(data, region) };
}

export const useExplainStore = defineStore('explain', () => {
  const api = useApi();
  const study = useStudyStore();
  const models = useModelStore();
  const jobs = ref<JobStatus[]>([]);
  const shownJobId = ref<string | null>(null);
  const target = ref(0);
  /** Which map of a MUPAX result: the significant evidence (default), z of every chunk, or the paper's retention. */
  const layer = ref<MapLayer>('map');
  const overlay = shallowRef<OverlayMap | null>(null);
  const overlayIsPartial = ref(false);
  /** fill: colour-mapped map above the threshold; outline: the contour of the top `topPercent`% voxels. */
  const style = ref<OverlayStyle & { visible: boolean }>({ colormap: 'viridis', opacity: 0.5, threshold: 0.2, visible: true, display: 'fill', topPercent: 5 });
  /**
   * Comparison with other finished jobs of the series: rows (one synchronized row of viewports per
   * method; full = all three planes, compact = one plane per method), swipe (left A, right B, on the
   * same viewports) or the normalized difference A - B (first compared job).
   */
  const compare = ref<{ jobIds: string[]; mode: 'rows' | 'swipe' | 'difference'; split: number; layout: 'full' | 'compact'; plane: PlaneName }>({
    jobIds: [],
    mode: 'rows',
    split: 0.5,
    layout: 'full',
    plane: 'axial',
  });
  const compareMaps = shallowRef<ComparedMap[]>([]);
  const compareMap = computed(() => compareMaps.value[0]?.map ?? null);
  const error = ref<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const seenPartial = new Map<string, number>();

  /** The target each job of this session was started for, by job id: a running job has no result to say it yet. */
  const requestedTargets = ref<Record<string, string>>({});

  const shownJob = computed(() => jobs.value.find((j) => j.id === shownJobId.value) ?? null);
  /** What a job's map explains; `t`: which of its targets (default: its main one). */
  function describe(job: JobStatus, t?: number): MapDescription {
    const requested = requestedTargets.value[job.id];
    return describeMap(job, models.result, t, requested ? { name: requested } : undefined);
  }
  /** The shown map's description, for the legend, the status strip and the first row. */
  const shownDescription = computed(() => (shownJob.value ? describe(shownJob.value, target.value) : null));
  const seriesJobs = computed(() => jobs.value.filter((j) => j.seriesUid === study.selectedSeriesUid));

  async function fetchMap(job: JobStatus, partial: boolean): Promise<void> {
    const grid = job.result?.grid ?? overlay.value?.grid;
    if (!grid) return;
    // A layer the job does not have (another method's) falls back to its default map.
    const shown: MapLayer = partial || !job.result?.layers?.includes(layer.value) ? 'map' : layer.value;
    const data = new Float32Array(
      await api.getExplanationMap({
        jobId: job.id,
        target: partial ? 0 : Math.min(target.value, (job.result?.targets.length ?? 1) - 1),
        partial,
        layer: shown,
      }),
    );
    overlay.value = overlayOf(data, grid, shown === 'map' && showsRegion(job));
    overlayIsPartial.value = partial;
  }

  async function poll(): Promise<void> {
    clearTimeout(timer);
    try {
      const running = jobs.value.filter((j) => j.state === 'running');
      for (const j of running) {
        const s = await api.getJob({ jobId: j.id });
        jobs.value = jobs.value.map((x) => (x.id === s.id ? s : x));
        if (s.id !== shownJobId.value) continue;
        if (s.state === 'done') {
          performance.mark('explicare:job-done'); // user-timing marks: the bench reads them
          target.value = (s.result?.targets.length ?? 1) - 1;
          await fetchMap(s, false);
        } else if (s.state === 'running' && s.partialVersion > 0 && s.partialVersion !== seenPartial.get(s.id) && partialGrid.value) {
          seenPartial.set(s.id, s.partialVersion);
          // Partial maps come without a result yet: their grid is the model grid of the last run.
          const data = new Float32Array(await api.getExplanationMap({ jobId: s.id, target: 0, partial: true, layer: 'map' }));
          overlay.value = overlayOf(data, partialGrid.value, s.method === 'mupax');
          overlayIsPartial.value = true;
        }
      }
    } catch (err) {
      error.value = (err as Error).message;
    }
    if (jobs.value.some((j) => j.state === 'running')) timer = setTimeout(poll, POLL_MS);
  }

  /** The model grid of the shown run (from the prediction), so partial maps can be drawn. */
  const partialGrid = computed(() => models.result?.modelGrid ?? null);

  /** `targetName`: what the run explains, in words, shown until the job's result says it. */
  async function start(method: string, options: Record<string, unknown>, targetName?: string): Promise<void> {
    const uid = study.selectedSeriesUid;
    const model = models.selected;
    if (!uid || !model) return;
    error.value = null;
    try {
      if (!models.result || models.result.modelId !== model.id) await models.run(); // the model grid for live maps
      const job = (await api.startExplanation({ seriesUid: uid, modelId: model.id, method, options }))!;
      localStorage.setItem(lastOptionsKey(uid, model.id, method), JSON.stringify(options));
      if (targetName) requestedTargets.value = { ...requestedTargets.value, [job.id]: targetName };
      jobs.value = [...jobs.value.filter((j) => j.id !== job.id), job];
      shownJobId.value = job.id;
      target.value = (job.result?.targets.length ?? 1) - 1;
      if (job.state === 'done') await fetchMap(job, false);
      else void poll();
    } catch (err) {
      error.value = (err as Error).message;
    }
  }

  async function cancel(jobId: string): Promise<void> {
    const s = await api.cancelJob({ jobId });
    jobs.value = jobs.value.map((x) => (x.id === s.id ? s : x));
  }

  async function show(jobId: string, t?: number): Promise<void> {
    const job = jobs.value.find((j) => j.id === jobId);
    if (!job || job.state !== 'done') return;
    shownJobId.value = jobId;
    target.value = t ?? (job.result?.targets.length ?? 1) - 1;
    await fetchMap(job, false);
    if (compare.value.jobIds.includes(jobId)) {
      compare.value = { ...compare.value, jobIds: compare.value.jobIds.filter((id) => id !== jobId) };
      await loadCompared();
    }
  }

  /** Adds (on) or removes (off) a finished job from the comparison. */
  async function toggleCompare(jobId: string, on: boolean): Promise<void> {
    const ids = compare.value.jobIds.filter((id) => id !== jobId);
    if (on) ids.push(jobId);
    compare.value = { ...compare.value, jobIds: ids.slice(-MAX_COMPARED) };
    await loadCompared();
  }

  async function loadCompared(): Promise<void> {
    const kept = compareMaps.value.filter((m) => compare.value.jobIds.includes(m.jobId) && m.jobId !== shownJobId.value);
    const out: ComparedMap[] = [];
    for (const id of compare.value.jobIds) {
      const have = kept.find((m) => m.jobId === id);
      const job = jobs.value.find((j) => j.id === id);
      if (have) out.push(have);
      else if (job?.state === 'done' && job.result && id !== shownJobId.value) {
        const data = new Float32Array(await api.getExplanationMap({ jobId: id, target: job.result.targets.length - 1, partial: false, layer: 'map' }));
        const description = describe(job);
        out.push({ jobId: id, method: job.method, label: mapLabel(description), description, map: overlayOf(data, job.result.grid, showsRegion(job)) });
      }
    }
    compareMaps.value = out;
  }

  async function clearCache(): Promise<void> {
    await api.clearExplanations();
    jobs.value = jobs.value.filter((j) => j.state === 'running');
    overlay.value = null;
    shownJobId.value = null;
    compare.value = { ...compare.value, jobIds: [] };
    compareMaps.value = [];
  }

  const lastOptionsKey = (seriesUid: string, modelId: string, method: string) => `explicare:last:${method}:${seriesUid}:${modelId}`;

  /**
   * Shows what was already computed for this series and model: jobs the engine still holds (page
   * reload), else the cached result of the last parameters used (reopened study, app restart).
   */
  async function restore(): Promise<void> {
    overlay.value = null;
    shownJobId.value = null;
    compare.value = { ...compare.value, jobIds: [] };
    compareMaps.value = [];
    const uid = study.selectedSeriesUid;
    const model = models.selected;
    if (!uid || !model) return;
    try {
      const known = (await api.listJobs()).filter((j) => j.seriesUid === uid);
      jobs.value = [...jobs.value.filter((j) => !known.some((k) => k.id === j.id)), ...known];
      let latest = [...known].reverse().find((j) => j.state === 'done' && j.modelId === model.id);
      const last = localStorage.getItem(lastOptionsKey(uid, model.id, 'mupax'));
      if (!latest && last) {
        const cached = await api.startExplanation({ seriesUid: uid, modelId: model.id, method: 'mupax', options: JSON.parse(last), cachedOnly: true });
        if (cached) {
          jobs.value = [...jobs.value, cached];
          latest = cached;
        }
      }
      if (latest) await show(latest.id);
      if (jobs.value.some((j) => j.state === 'running')) void poll();
    } catch (err) {
      error.value = (err as Error).message;
    }
  }

  /** Switches the shown job's map between its layers (MUPAX: evidence, z, retention). */
  async function showLayer(l: MapLayer): Promise<void> {
    layer.value = l;
    if (shownJob.value?.state === 'done') await fetchMap(shownJob.value, false);
  }

  return {
    jobs,
    seriesJobs,
    shownJobId,
    shownJob,
    shownDescription,
    describe,
    target,
    layer,
    showLayer,
    overlay,
    overlayIsPartial,
    style,
    compare,
    compareMaps,
    compareMap,
    error,
    start,
    cancel,
    show,
    toggleCompare,
    clearCache,
    restore,
  };
});
