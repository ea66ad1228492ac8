// The execution-provider setting as the API carries it: what the user may choose (auto, one
// provider, or the CPU), and what the settings view shows (this platform's providers, the order
// a load will try, the provider that ran the latest model and why the preferred ones did not).
import { z } from 'zod';
import { type ExecutionProvider, providerPreferenceSchema, type ProviderPreference } from './executionProviders';

export const providerSettingsApiArgs = {
  getProviderSettings: z.object({}).strict(),
  saveProviderSettings: z.object({ provider: providerPreferenceSchema }).strict(),
} as const;

export interface ProviderOption {
  id: ProviderPreference;
  /** Whether this ONNX Runtime build can run it here ('auto' and 'cpu' always can). */
  available: boolean;
  /** Why it is not available, or a caution (WebGPU on Linux is experimental). */
  note?: string;
}

export interface ProviderSettingsView {
  platform: string;
  /** What is saved (the settings file); 'auto' when nothing is. */
  saved: ProviderPreference;
  /** What models loaded from now on get: the saved choice unless EXPLICARE_PROVIDER overrides it. */
  effective: ProviderPreference;
  /** Set when EXPLICARE_PROVIDER decides (or is ignored, with why): the app cannot change that. */
  environment?: { value: string; applied: boolean; message: string };
  /** Why the saved settings could not be read (a damaged file), naming the file; 'auto' is used then. */
  fileProblem?: string;
  options: ProviderOption[];
  /** The providers a load will try, in order, ending with 'cpu'; and those left out, with why. */
  plan: { order: ExecutionProvider[]; skipped: string[] };
  /** The provider that ran the latest model loaded under the effective choice; null before one is loaded. */
  inUse: { provider: ExecutionProvider; fallbackReason?: string } | null;
}
