// The settings panel's state: the engine's execution-provider view (this platform's providers, the
// choice saved and in force, what ran the latest model and why not the preferred one) and the
// user's pending choice. The engine validates and keeps the choice; this only asks and shows.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ProviderPreference } from '../../shared/executionProviders';
import type { ProviderSettingsView } from '../../shared/providerSettings';
import { useApi } from '../api';

export const useSettingsStore = defineStore('settings', () => {
  const api = useApi();
  const view = ref<ProviderSettingsView | null>(null);
  /** What the radio buttons show: the saved choice until the user picks another. */
  const choice = ref<ProviderPreference>('auto');
  const saving = ref(false);
  const error = ref<string | null>(null);
  /** Set after a save, until the next one: what the engine said it will do. */
  const savedNote = ref<string | null>(null);

  /** `keepChoice`: a refresh (after a model ran) leaves a choice the user has not saved yet as it is. */
  function show(v: ProviderSettingsView, keepChoice = false): void {
    const pending = keepChoice && view.value && choice.value !== view.value.saved;
    view.value = v;
    if (!pending) choice.value = v.saved;
  }

  async function load(keepChoice = false): Promise<void> {
    error.value = null;
    try {
      show(await api.getProviderSettings(), keepChoice);
    } catch (err) {
      error.value = err instanceof Error ? err.message : String(err);
    }
  }

  async function save(): Promise<void> {
    saving.value = true;
    error.value = null;
    savedNote.value = null;
    try {
      const v = await api.saveProviderSettings({ provider: choice.value });
      show(v);
      savedNote.value =
        v.environment?.applied && v.effective !== v.saved
          ? `Saved; ${v.environment.message}.`
          : 'Saved. Models loaded from now on use it: run the model again to see which provider ran it.';
    } catch (err) {
      error.value = err instanceof Error ? err.message : String(err);
    } finally {
      saving.value = false;
    }
  }

  return { view, choice, saving, error, savedNote, load, save };
});
