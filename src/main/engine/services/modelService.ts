// Models: the library (bundled and imported packages), the inference worker that runs them, and
// predictions. The worker starts on first use: opening studies needs no ONNX Runtime.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { GroundTruth, ModelSummary, PredictionResult, UploadFile } from '../../../shared/api';
import type { ProviderPreference } from '../../../shared/executionProviders';
import { InferencePool, type LoadedSession } from '../inference/pool';
import { predict } from '../inference/predict';
import { type LibraryEntry, ModelLibrary } from '../models/library';
import type { Volume } from '../volume/buildVolume';
import { EngineError, translatingErrors } from './engineError';

export interface LoadedModel {
  entry: LibraryEntry;
  session: LoadedSession;
}

export class ModelService {
  private inference: InferencePool | undefined;
  private readonly library: ModelLibrary;
  /**
   * The latest prediction per volume and model, and the truth it was scored against: what an export
   * reports. Keyed by the volume itself, so a series rebuilt with new slices is predicted again.
   */
  private readonly predictions = new WeakMap<Volume, Map<string, { truth: string; prediction: PredictionResult }>>();

  constructor(
    private readonly cacheDir: string,
    bundledModelsDir: string | undefined,
  ) {
    this.library = new ModelLibrary(bundledModelsDir, path.join(cacheDir, 'models'), () => this.worker());
  }

  worker(): InferencePool {
    this.inference ??= new InferencePool(undefined, this.provider);
    return this.inference;
  }

  /** The execution provider new pools load models with (settingsService.ts); undefined: EXPLICARE_PROVIDER or auto. */
  private provider: ProviderPreference | undefined;

  /**
   * Models load under `provider` from now on: loaded sessions are forgotten and a new pool starts on
   * first use; the old one ends once it has been idle a moment (running jobs are refused by the
   * caller, so none keeps using it).
   */
  useProvider(provider: ProviderPreference): void {
    this.provider = provider;
    const old = this.inference;
    this.inference = undefined;
    this.library.forgetSessions();
    void old?.retire();
  }

  /** The provider that ran the latest model loaded by the current pool, and why the preferred ones did not; null before one loads. */
  providerInUse(): { provider: LoadedSession['provider']; gpuError?: string } | null {
    return this.inference?.lastLoad ?? null;
  }

  async dispose(): Promise<void> {
    await this.inference?.terminate();
  }

  list(): Promise<ModelSummary[]> {
    return this.library.list();
  }

  /** Imports a model package (folder or .zip path): validated fully before it is listed. */
  import(location: string): Promise<ModelSummary> {
    return translatingErrors(() => this.library.import(location), 'Model not imported');
  }

  /** A model package sent as files (browser): one .zip, or model.json + model.onnx. */
  async importFiles(files: UploadFile[]): Promise<ModelSummary> {
    const names = files.map((f) => f.name).sort();
    const isZip = files.length === 1 && /\.zip$/i.test(files[0].name);
    if (!isZip && names.join(',') !== 'model.json,model.onnx') {
      throw new EngineError('bad-input', 'Model not imported: send one .zip, or the two files model.json and model.onnx');
    }
    const dir = await mkdtemp(path.join(this.cacheDir, 'model-upload-'));
    try {
      for (const f of files) await writeFile(path.join(dir, isZip ? 'package.zip' : f.name), new Uint8Array(f.data));
      return await this.import(isZip ? path.join(dir, 'package.zip') : dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The package and its loaded session. */
  load(modelId: string): Promise<LoadedModel> {
    return translatingErrors(async () => ({ entry: await this.library.get(modelId), session: await this.library.session(modelId) }));
  }

  /** Runs the model on the volume; the prediction is scored against `truth` (landmark errors). */
  async predict(volume: Volume, model: LoadedModel, truth: GroundTruth | null): Promise<PredictionResult> {
    let prediction: PredictionResult;
    try {
      prediction = await predict(volume, model.entry, model.session, this.worker(), truth);
    } catch (err) {
      if (err instanceof EngineError) throw err;
      throw new EngineError('bad-input', `The model could not run on this series: ${(err as Error).message}`);
    }
    if (!this.predictions.has(volume)) this.predictions.set(volume, new Map());
    this.predictions.get(volume)!.set(model.entry.pkg.sha256, { truth: JSON.stringify(truth), prediction });
    return prediction;
  }

  /** The latest prediction for this volume, model and truth; the model runs only if there is none. */
  async latestPrediction(volume: Volume, model: LoadedModel, truth: GroundTruth | null): Promise<PredictionResult> {
    const kept = this.predictions.get(volume)?.get(model.entry.pkg.sha256);
    if (kept && kept.truth === JSON.stringify(truth)) return kept.prediction;
    return this.predict(volume, model, truth);
  }
}
