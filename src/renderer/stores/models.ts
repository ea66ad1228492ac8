// Models in the library, runs on the open series, and editable ground-truth landmarks.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Landmark, ModelSummary, PredictionResult, UploadFile } from '../../shared/api';
import { landmarkErrors } from '../../shared/landmarkMetrics';
import { useApi } from '../api';
import { useStudyStore } from './study';

export const useModelStore = defineStore('models', () => {
  const api = useApi();
  const study = useStudyStore();
  const models = ref<ModelSummary[]>([]);
  const selectedId = ref<string | null>(null);
  const running = ref(false);
  const error = ref<string | null>(null);
  /** Results by series UID: switching series keeps each series' result. */
  const results = ref<Record<string, PredictionResult>>({});
  /** Ground-truth landmarks by series UID, as loaded or edited by the user. */
  const truth = ref<Record<string, { landmarks: Landmark[]; source: string }>>({});
  /** Earlier ground truths by series UID, newest last: one entry per drag, for undo. */
  const truthHistory = ref<Record<string, { landmarks: Landmark[]; source: string }[]>>({});
  /** Ground truth the user changed by hand (the export sends it, so the PDF shows what is on screen). */
  const truthEdited = ref<Record<string, boolean>>({});

  const selected = computed(() => models.value.find((m) => m.id === selectedId.value) ?? null);
  const result = computed(() => (study.selectedSeriesUid ? results.value[study.selectedSeriesUid] ?? null : null));
  const currentTruth = computed(() => (study.selectedSeriesUid ? truth.value[study.selectedSeriesUid] ?? null : null));

  /** Errors recomputed from the current (possibly edited) ground truth. */
  const errors = computed(() => {
    const r = result.value;
    const t = currentTruth.value;
    const info = study.volume?.info;
    if (!r?.landmarks || !t || !info) return r?.landmarks?.errors ?? null;
    return landmarkErrors(r.landmarks.points, t.landmarks, [info.geometry.spacing[0], info.geometry.spacing[1]], info.pixelSpacingSource);
  });

  const compatible = (m: ModelSummary) => !!study.volume && m.modality.includes(study.volume.info.modality);

  async function guard<T>(task: () => Promise<T>): Promise<T | undefined> {
    error.value = null;
    try {
      return await task();
    } catch (err) {
      error.value = (err as Error).message;
      return undefined;
    }
  }

  async function refresh(): Promise<void> {
    await guard(async () => {
      models.value = await api.listModels();
      if (!selectedId.value || !models.value.some((m) => m.id === selectedId.value)) selectDefault();
    });
  }

  function selectDefault(): void {
    selectedId.value = (models.value.find(compatible) ?? models.value[0])?.id ?? null;
  }

  async function importFiles(files: File[]): Promise<void> {
    const uploads: UploadFile[] = await Promise.all(files.map(async (f) => ({ name: f.name, data: await f.arrayBuffer() })));
    const model = await guard(() => api.importModelFiles(uploads));
    if (model) {
      await refresh();
      selectedId.value = model.id;
    }
  }

  async function importDialog(): Promise<void> {
    const model = await guard(() => api.importModelDialog());
    if (model) {
      await refresh();
      selectedId.value = model.id;
    }
  }

  async function run(): Promise<void> {
    const uid = study.selectedSeriesUid;
    const model = selected.value;
    if (!uid || !model) return;
    running.value = true;
    const r = await guard(() => api.runModel({ seriesUid: uid, modelId: model.id }));
    running.value = false;
    if (!r) return;
    results.value = { ...results.value, [uid]: r };
    if (r.landmarks && !truth.value[uid]) {
      const gt = study.groundTruth;
      if (gt?.landmarks.length) truth.value = { ...truth.value, [uid]: { landmarks: gt.landmarks, source: gt.source } };
    }
  }

  async function loadTruthFile(file: File): Promise<void> {
    const uid = study.selectedSeriesUid;
    if (!uid) return;
    const gt = await guard(async () => api.importLandmarks(uid, [{ name: file.name, data: await file.arrayBuffer() }]));
    if (gt) {
      truth.value = { ...truth.value, [uid]: { landmarks: gt.landmarks, source: gt.source } };
      // The engine holds this file's points now: only later drags are edits it does not know.
      truthEdited.value = { ...truthEdited.value, [uid]: false };
    }
  }

  /** Ground truth started from the model's points, for the user to drag into place. */
  function truthFromPrediction(): void {
    const uid = study.selectedSeriesUid;
    const r = result.value;
    if (!uid || !r?.landmarks) return;
    truth.value = { ...truth.value, [uid]: { landmarks: r.landmarks.points.map(({ peak: _peak, ...p }) => ({ ...p })), source: 'placed by the user' } };
    truthEdited.value = { ...truthEdited.value, [uid]: true };
  }

  /** Call when a drag starts: the positions before it become one undo step. */
  function beginTruthEdit(): void {
    const uid = study.selectedSeriesUid;
    const t = uid ? truth.value[uid] : undefined;
    if (!uid || !t) return;
    truthHistory.value = { ...truthHistory.value, [uid]: [...(truthHistory.value[uid] ?? []), t] };
  }

  /** Puts back the ground truth as it was before the last drag. */
  function undoTruthEdit(): void {
    const uid = study.selectedSeriesUid;
    const steps = uid ? truthHistory.value[uid] : undefined;
    if (!uid || !steps?.length) return;
    truth.value = { ...truth.value, [uid]: steps[steps.length - 1] };
    truthHistory.value = { ...truthHistory.value, [uid]: steps.slice(0, -1) };
    truthEdited.value = { ...truthEdited.value, [uid]: steps.length > 1 };
  }

  const canUndoTruth = computed(() => !!study.selectedSeriesUid && (truthHistory.value[study.selectedSeriesUid]?.length ?? 0) > 0);
  const currentTruthEdited = computed(() => !!study.selectedSeriesUid && !!truthEdited.value[study.selectedSeriesUid]);

  function moveTruthPoint(name: string, pixel: [number, number], patient: [number, number, number]): void {
    const uid = study.selectedSeriesUid;
    const t = uid ? truth.value[uid] : undefined;
    if (!uid || !t) return;
    const landmarks = t.landmarks.map((l) => (l.name === name ? { ...l, pixel, patient } : l));
    truth.value = { ...truth.value, [uid]: { landmarks, source: t.source.includes('edited') ? t.source : `${t.source}, edited by the user` } };
    truthEdited.value = { ...truthEdited.value, [uid]: true };
  }

  return {
    models,
    selectedId,
    selected,
    running,
    error,
    result,
    currentTruth,
    currentTruthEdited,
    canUndoTruth,
    beginTruthEdit,
    undoTruthEdit,
    errors,
    compatible,
    refresh,
    selectDefault,
    importFiles,
    importDialog,
    run,
    loadTruthFile,
    truthFromPrediction,
    moveTruthPoint,
  };
});
