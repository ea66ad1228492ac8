// The cohort-run panel's state: the run submitted to a queue and its status, polled from the engine.
// The engine talks to Redis; the renderer only calls the API. The password is sent once, with the
// submission, and not kept here after it.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ClusterRunStatus } from '../../shared/clusterApi';
import type { ExplicareApi } from '../../shared/api';
import { useApi } from '../api';

const POLL_MS = 1000;

export type ClusterSubmission = Parameters<ExplicareApi['clusterSubmit']>[0];

export const useClusterStore = defineStore('cluster', () => {
  const api = useApi();
  const run = ref<ClusterRunStatus | null>(null);
  const submitting = ref(false);
  const error = ref<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;

  const active = (s: ClusterRunStatus | null) => s?.state === 'submitting' || s?.state === 'watching';

  async function submit(args: ClusterSubmission): Promise<boolean> {
    error.value = null;
    submitting.value = true;
    try {
      run.value = await api.clusterSubmit(args);
      poll();
      return true;
    } catch (err) {
      error.value = err instanceof Error ? err.message : String(err);
      return false;
    } finally {
      submitting.value = false;
    }
  }

  function poll(): void {
    clearTimeout(timer);
    if (!active(run.value)) return;
    timer = setTimeout(async () => {
      try {
        if (run.value) run.value = await api.clusterRun({ runId: run.value.id });
      } catch (err) {
        error.value = err instanceof Error ? err.message : String(err);
      }
      poll();
    }, POLL_MS);
  }

  async function stop(): Promise<void> {
    if (!run.value) return;
    try {
      run.value = await api.clusterStop({ runId: run.value.id });
    } catch (err) {
      error.value = err instanceof Error ? err.message : String(err);
    }
  }

  return { run, submitting, error, active, submit, stop };
});
