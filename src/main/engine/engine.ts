// The engine: everything the API contract offers, in plain Node (no Electron, no HTTP), composed of
// services (services/: studies and volumes, ground truth, models, explanations, exports; pacs/) that
// each own one concern. This class only wires them together and keeps the API callers use.
import type { SanityStatus } from '../../shared/sanity';
import path from 'node:path';
import type {
  ApiArgs,
  GroundTruth,
  JobStatus,
  MapLayer,
  ModelSummary,
  OpenReport,
  PredictionResult,
  StudySummary,
  TagEntry,
  UploadFile,
  VolumeInfo,
  DerivedObjectSummary,
} from '../../shared/api';
import type { ExportResult, StowResult } from '../../shared/pacsApi';
import type { ExplanationResult } from './explain/explainVolume';
import type { ExplainContext } from './explain/method';
import type { Job } from './jobs/jobManager';
import { PacsService } from './pacs/pacsService';
import type { ProviderPreference } from '../../shared/executionProviders';
import type { ExportProgress } from '../../shared/exportProgress';
import type { ProviderSettingsView } from '../../shared/providerSettings';
import { ProviderSettingsService } from './services/settingsService';
import type { ReportOutput } from './report/exportReport';
import type { DemoKind } from './services/demoStudy';
import { ExplanationService } from './services/explanationService';
import type { ExplanationMetrics } from './services/explanationMetrics';
import { cancelAllMetrics } from './services/sharedMetricRuns';
import { ExportService, type ResultFolderExport } from './services/exportService';
import { GroundTruthService } from './services/groundTruthService';
import { ModelService } from './services/modelService';
import { StudyService } from './services/studyService';
import { ClusterService } from './cluster/clusterService';
import type { BuildProgress, Volume } from './volume/buildVolume';

export { EngineError } from './services/engineError';
export { DEMO_SEED } from './services/demoStudy';

export interface EngineOptions {
  /** Where demo studies and uploads live; never inside a user's study folder. */
  cacheDir: string;
  /** How many decoded volumes to keep in memory (each a 512x512x400 CT is ~200 MB). */
  volumeCacheSize?: number;
  /** Folder of bundled model packages (resources/models). */
  bundledModelsDir?: string;
}

export class Engine {
  private readonly studies: StudyService;
  private readonly truth: GroundTruthService;
  private readonly models: ModelService;
  private readonly explanations: ExplanationService;
  private readonly exports: ExportService;
  /** DICOMweb PACS: settings, search, retrieval into the cache (opened like a folder), STOW. */
  readonly pacs: PacsService;
  /** Cohort runs on a Redis/BullMQ queue submitted from the app (cluster/, docs/cluster.md). */
  readonly cluster: ClusterService;
  private readonly providerSettings: ProviderSettingsService;

  constructor(options: EngineOptions) {
    const { cacheDir } = options;
    this.studies = new StudyService(cacheDir, options.volumeCacheSize);
    this.truth = new GroundTruthService(this.studies);
    this.models = new ModelService(cacheDir, options.bundledModelsDir);
    this.explanations = new ExplanationService(cacheDir, this.studies, this.truth, this.models);
    this.providerSettings = new ProviderSettingsService({ dir: cacheDir, models: this.models, runningJobs: () => this.explanations.runningJobs() });
    this.pacs = new PacsService(path.join(cacheDir, 'pacs'), (folder) => this.openPaths([folder]));
    this.cluster = new ClusterService({ dir: path.join(cacheDir, 'cluster-runs'), listModels: () => this.listModels(), pacsUrl: async () => (await this.pacs.getSettings())?.baseUrl ?? null });
    this.exports = new ExportService({
      cacheDir,
      studies: this.studies,
      truth: this.truth,
      models: this.models,
      explanations: this.explanations,
      pacs: this.pacs,
    });
  }

  // Studies and volumes
  openPaths(paths: string[]): Promise<OpenReport> {
    return this.studies.openPaths(paths);
  }
  /** The bundled demo studies are generated (seeded, so always the same) on first use. */
  openDemo(kind: DemoKind): Promise<OpenReport> {
    return this.studies.openDemo(kind);
  }
  /** Files sent by a browser renderer are copied to a private folder of this session, then opened. */
  openFiles(files: UploadFile[]): Promise<OpenReport> {
    return this.studies.openFiles(files);
  }
  listStudies(): StudySummary[] {
    return this.studies.listStudies();
  }
  /** SOP Instance UID -> file of each instance of an open series (what an export may read). */
  seriesFiles(uid: string): Map<string, string> {
    return this.studies.seriesFiles(uid);
  }
  /** Decodes the series once (cached); progress reports decoded slices. */
  loadVolume(uid: string, progress?: BuildProgress): Promise<VolumeInfo> {
    return this.studies.loadVolume(uid, progress);
  }
  getVoxels(uid: string): Promise<Volume['voxels']> {
    return this.studies.getVoxels(uid);
  }
  /** SEG, Parametric Map and SR objects that refer to the series ([I] read-back). */
  listDerived(uid: string): Promise<DerivedObjectSummary[]> {
    return this.studies.listDerived(uid);
  }
  derivedMap(uid: string, objectUid: string, segment = 0): Promise<Float32Array> {
    return this.studies.derivedMap(uid, objectUid, segment);
  }
  /** Tags of slice `index` in volume order (index 0 = first slice along the normal). */
  getTags(uid: string, index: number): Promise<TagEntry[]> {
    return this.studies.getTags(uid, index);
  }

  // Ground truth
  /** Ground truth the user loaded, else the one kept beside the study (demo groundtruth.json), if any. */
  getGroundTruth(uid: string): Promise<GroundTruth | null> {
    return this.truth.get(uid);
  }
  /** Ground-truth landmarks from a file; replaces what the study came with for this session. */
  importLandmarks(seriesUid: string, files: UploadFile[]): Promise<GroundTruth> {
    return this.truth.importLandmarks(seriesUid, files);
  }

  // Models
  listModels(): Promise<ModelSummary[]> {
    return this.models.list();
  }
  /** Imports a model package (folder or .zip path): validated fully before it is listed. */
  importModel(location: string): Promise<ModelSummary> {
    return this.models.import(location);
  }
  /** A model package sent as files (browser): one .zip, or model.json + model.onnx. */
  importModelFiles(files: UploadFile[]): Promise<ModelSummary> {
    return this.models.importFiles(files);
  }
  async runModel(seriesUid: string, modelId: string): Promise<PredictionResult> {
    const volume = await this.studies.volume(seriesUid);
    const model = await this.models.load(modelId);
    return this.models.predict(volume, model, await this.truth.forModel(seriesUid, model.entry.pkg.manifest));
  }

  // Explanations
  /** Starts an explanation job, or returns a finished one at once when the result is cached. */
  startExplanation(seriesUid: string, modelId: string, method: string, rawOptions: unknown, cachedOnly: true): Promise<Job<ExplanationResult> | null>;
  startExplanation(seriesUid: string, modelId: string, method: string, rawOptions: unknown, cachedOnly?: false): Promise<Job<ExplanationResult>>;
  startExplanation(seriesUid: string, modelId: string, method: string, rawOptions: unknown, cachedOnly?: boolean): Promise<Job<ExplanationResult> | null>;
  startExplanation(seriesUid: string, modelId: string, method: string, rawOptions: unknown, cachedOnly = false): Promise<Job<ExplanationResult> | null> {
    return this.explanations.start(seriesUid, modelId, method, rawOptions, cachedOnly);
  }
  /** The input a method sees for (series, model): for metrics, benchmarks and tools. */
  explainContextFor(seriesUid: string, modelId: string): Promise<ExplainContext> {
    return this.explanations.context(seriesUid, modelId);
  }
  jobStatus(id: string): JobStatus {
    return this.explanations.status(id);
  }
  listJobs(): JobStatus[] {
    return this.explanations.list();
  }
  cancelJob(id: string): JobStatus {
    return this.explanations.cancel(id);
  }
  /** The job's result, waiting for it to finish (CLI, tests). */
  waitForJob(id: string, onProgress?: (s: JobStatus) => void): Promise<ExplanationResult> {
    return this.explanations.wait(id, onProgress);
  }
  /** A map on the model grid: final (target index), or the latest partial map while running. */
  explanationMap(id: string, target: number, partial: boolean, layer: MapLayer = 'map'): Float32Array {
    return this.explanations.map(id, target, partial, layer);
  }
  /** Faithfulness, localization and significant-region size of a finished explanation (services/explanationMetrics.ts). */
  explanationMetrics(jobId: string, opts: { steps?: number; maxSensitivity?: { perturbations: number } | null } = {}, signal?: AbortSignal): Promise<ExplanationMetrics> {
    return this.explanations.metrics(jobId, opts, signal);
  }
  /** Stops a finished explanation's metrics runs still going (the app left the map). */
  cancelExplanationMetrics(jobId: string): { cancelled: number } {
    return this.explanations.cancelMetrics(jobId);
  }
  /** The model-parameter randomization test of a finished explanation (sanity/, docs/sanity.md). */
  startSanityCheck(jobId: string, steps: number): Promise<SanityStatus> {
    return this.explanations.startSanity(jobId, steps);
  }
  sanityCheckStatus(id: string): SanityStatus {
    return this.explanations.sanityStatus(id);
  }
  clearExplanations(): Promise<void> {
    return this.explanations.clear();
  }

  // Exports
  /** PDF and/or DICOM export of the series' finished explanations (the latest per method, of the model that ran last). */
  exportReport(a: ApiArgs<'exportReport'>): Promise<ExportResult> {
    return this.exports.exportSession(a);
  }
  /** STOW-RS of the DICOM files of one of this session's exports. */
  sendExport(exportId: string): Promise<StowResult> {
    return this.exports.sendExport(exportId);
  }
  /** The CLI's `report`: an explain result folder and its study as a PDF and/or DICOM objects. */
  exportResultFolder(o: ResultFolderExport): Promise<ReportOutput> {
    return this.exports.exportResultFolder(o);
  }

  /** The running (or last) export of a series, as it writes. */
  exportProgress(seriesUid: string): ExportProgress | null {
    return this.exports.progress(seriesUid);
  }
  /** Asks the running export of a series to stop before anything reaches its folder. */
  cancelExport(seriesUid: string): ExportProgress | null {
    return this.exports.cancel(seriesUid);
  }
  /** One file of one of this session's exports (only files that export wrote). */
  exportFile(exportId: string, file: string): Promise<{ path: string; data: Uint8Array }> {
    return this.exports.file(exportId, file);
  }

  // Settings
  getProviderSettings(): Promise<ProviderSettingsView> {
    return this.providerSettings.view();
  }
  saveProviderSettings(provider: ProviderPreference): Promise<ProviderSettingsView> {
    return this.providerSettings.save(provider);
  }

  /** Stops the inference worker and removes this session's uploaded copies (the user's own files are never touched). */
  async dispose(): Promise<void> {
    cancelAllMetrics(); // before the inference pool goes: a run stops instead of failing on it
    this.cluster.dispose();
    await this.models.dispose();
    await this.studies.dispose();
  }
}
