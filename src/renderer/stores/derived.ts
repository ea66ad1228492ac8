// SEG, Parametric Map and SR objects that refer to the shown series ([I] read-back): listed with
// what the engine found (or why it refuses one), and shown through the explain store's overlay, so
// an imported map gets the same controls as a computed one (colour map, opacity, threshold,
// outline). A SEG is drawn in its segments' own colours; an SR's points are drawn on the image.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { DerivedObjectSummary } from '../../shared/api';
import { overlayScale } from '../../shared/overlayScale';
import { useApi } from '../api';
import { useExplainStore } from './explain';
import { useStudyStore } from './study';

export interface ShownDerived {
  uid: string;
  /** SEG: 0 = every segment in its colour, n = segment n alone. */
  segment: number;
}

export const useDerivedStore = defineStore('derived', () => {
  const api = useApi();
  const study = useStudyStore();
  const explain = useExplainStore();
  const objects = ref<DerivedObjectSummary[]>([]);
  const shown = ref<ShownDerived | null>(null);
  /** SR whose points are drawn on the image (uids). */
  const reportPoints = ref<string[]>([]);
  const error = ref<string | null>(null);
  const loading = ref(false);
  /** The overlay this store put up, to know when the explain store replaced it with a method's map. */
  const ownOverlay = shallowRef<object | null>(null);

  const shownObject = computed(() => objects.value.find((o) => o.uid === shown.value?.uid) ?? null);
  const points = computed(() => objects.value.filter((o) => reportPoints.value.includes(o.uid)).flatMap((o) => o.points ?? []));

  /** The series the list is of: files opened into the same series keep what is shown. */
  let listedFor: string | null = null;

  async function refresh(): Promise<void> {
    const uid = study.selectedSeriesUid;
    if (uid !== listedFor) {
      if (shown.value) hide();
      reportPoints.value = [];
      objects.value = [];
    }
    listedFor = uid;
    if (!uid) return;
    try {
      const list = await api.listDerived({ seriesUid: uid });
      if (study.selectedSeriesUid !== uid) return; // another series was selected meanwhile
      objects.value = list;
      reportPoints.value = reportPoints.value.filter((u) => list.some((o) => o.uid === u));
    } catch (err) {
      error.value = (err as Error).message;
    }
  }

  /** Shows a SEG or PM as the overlay (segment: see ShownDerived). */
  async function show(uid: string, segment = 0): Promise<void> {
    const seriesUid = study.selectedSeriesUid;
    const info = study.volume?.info;
    const o = objects.value.find((x) => x.uid === uid);
    if (!seriesUid || !info || !o || o.refusal || o.kind === 'sr') return;
    error.value = null;
    loading.value = true;
    try {
      const data = new Float32Array(await api.getDerivedMap({ seriesUid, objectUid: uid, segment }));
      const seg = o.kind === 'seg';
      const colours = seg ? Object.fromEntries((o.segments ?? []).map((s) => [s.number, s.rgb])) : undefined;
      // A segment alone is a region (drawn whole, nothing outside); all segments: each in its colour.
      const map = { data, grid: info.geometry, ...overlayScale(data, seg), ...(seg && segment === 0 ? { labelColours: colours } : {}) };
      explain.shownJobId = null;
      explain.overlay = map;
      explain.overlayIsPartial = false;
      ownOverlay.value = map;
      shown.value = { uid, segment };
      performance.mark('explicare:derived-shown');
    } catch (err) {
      error.value = (err as Error).message;
    } finally {
      loading.value = false;
    }
  }

  function hide(): void {
    if (explain.overlay === ownOverlay.value) explain.overlay = null;
    shown.value = null;
    ownOverlay.value = null;
  }

  function togglePoints(uid: string, on: boolean): void {
    reportPoints.value = on ? [...new Set([...reportPoints.value, uid])] : reportPoints.value.filter((u) => u !== uid);
  }

  // Another series, or files opened into the study (the objects may have come with them).
  watch(() => [study.selectedSeriesUid, study.studies], () => void refresh(), { immediate: true });
  // A method's map shown over ours: ours is no longer shown.
  watch(
    () => explain.overlay,
    (o) => {
      if (o !== ownOverlay.value) {
        shown.value = null;
        ownOverlay.value = null;
      }
    },
  );

  // Tests assert the overlay's voxels (values on the series grid), not only the pixels drawn from them.
  (window as unknown as { __explicareOverlay?: () => unknown }).__explicareOverlay = () => explain.overlay;

  return { objects, shown, shownObject, reportPoints, points, error, loading, refresh, show, hide, togglePoints };
});
