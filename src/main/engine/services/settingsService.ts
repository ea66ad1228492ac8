// The execution-provider setting: what this platform offers, what is saved and what decides now
// (EXPLICARE_PROVIDER over the saved choice), which provider ran the latest model and why the
// preferred ones did not. A change applies to models loaded afterwards: the model service starts a
// new inference pool; it is refused while an explanation or sanity check runs on the old one.
import { EXECUTION_PROVIDERS, type ProviderPreference } from '../../../shared/executionProviders';
import type { ProviderOption, ProviderSettingsView } from '../../../shared/providerSettings';
import { environmentProvider, ProviderSettingsFile } from '../inference/providerSettingsFile';
import { planProviders } from '../inference/providers';
import { EngineError } from './engineError';
import type { ModelService } from './modelService';

export interface ProviderSettingsParts {
  /** The engine's cache folder: the settings file lives there. */
  dir: string;
  models: ModelService;
  /** How many explanation and sanity jobs are running (they hold sessions of the current pool). */
  runningJobs: () => number;
  /** What the platform's ONNX Runtime can run (tests give their own). */
  available?: () => Promise<ReadonlySet<string>>;
  platform?: NodeJS.Platform;
  environment?: string;
}

export class ProviderSettingsService {
  private readonly file: ProviderSettingsFile;
  private readonly platform: NodeJS.Platform;

  constructor(private readonly parts: ProviderSettingsParts) {
    this.file = new ProviderSettingsFile(parts.dir);
    this.platform = parts.platform ?? process.platform;
    // Before any model loads: the pool is created lazily with this choice.
    parts.models.useProvider(this.effective());
  }

  private env() {
    return environmentProvider('environment' in this.parts ? this.parts.environment : process.env.EXPLICARE_PROVIDER);
  }

  /** The choice models get: EXPLICARE_PROVIDER when it names a provider, else the saved one. */
  effective(): ProviderPreference {
    return this.env()?.provider ?? this.file.get().provider;
  }

  private async available(): Promise<ReadonlySet<string>> {
    if (this.parts.available) return this.parts.available();
    // ONNX Runtime is loaded on the engine's thread only when the settings are looked at.
    const { availableProviders } = await import('../inference/availableProviders');
    return availableProviders();
  }

  async view(): Promise<ProviderSettingsView> {
    const available = await this.available();
    const saved = this.file.get();
    const env = this.env();
    const effective = this.effective();
    // Each option as a load would see it: its own plan says whether it runs here, or why not.
    const options: ProviderOption[] = (['auto', ...EXECUTION_PROVIDERS] as ProviderPreference[]).map((id) => {
      if (id === 'auto' || id === 'cpu') return { id, available: true };
      const plan = planProviders(id, this.platform, available);
      const runs = plan.order.includes(id);
      const note = !runs ? plan.skipped[0] : id === 'webgpu' && this.platform === 'linux' ? 'experimental on Linux (needs Vulkan)' : undefined;
      return { id, available: runs, ...(note ? { note } : {}) };
    });
    const inUse = this.parts.models.providerInUse();
    return {
      platform: `${this.platform} ${process.arch}`,
      saved: saved.provider,
      effective,
      ...(env ? { environment: { value: env.value, applied: !!env.provider, message: env.message } } : {}),
      ...(saved.problem ? { fileProblem: saved.problem } : {}),
      options,
      plan: planProviders(effective, this.platform, available),
      inUse: inUse ? { provider: inUse.provider, ...(inUse.gpuError ? { fallbackReason: inUse.gpuError } : {}) } : null,
    };
  }

  /** Saves the choice; models load under it from now on (unless EXPLICARE_PROVIDER decides). */
  async save(provider: ProviderPreference): Promise<ProviderSettingsView> {
    const running = this.parts.runningJobs();
    if (running > 0)
      throw new EngineError(
        'bad-input',
        `the execution provider cannot change while ${running} explanation or sanity job(s) run on the current one: wait for them or cancel them, then save again`,
      );
    const before = this.effective();
    await this.file.save(provider);
    if (this.effective() !== before) this.parts.models.useProvider(this.effective());
    return this.view();
  }
}
