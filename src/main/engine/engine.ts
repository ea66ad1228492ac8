// The engine facade: everything the API contract offers, in plain Node (no Electron, no HTTP).
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { GroundTruth, JobStatus, ModelSummary, OpenReport, PredictionResult, StudySummary, TagEntry, UploadFile, VolumeInfo } from '../../shared/api';
import { indexToPatient } from '../../shared/geometry';
import { uploadLimits, uploadNameSchema } from '../../shared/api';
import { parseDicom } from './dicom/parseFile';
import { dumpTags } from './dicom/tagDump';
import { Catalog, type SeriesRecord } from './study/catalog';
import { scanPaths } from './study/scan';
import { buildVolume, type BuildProgress, type Volume } from './volume/buildVolume';
import { groundTruthFileSchema } from './study/groundTruthFile';
import { InferencePool } from './inference/pool';
import { predict } from './inference/predict';
import { parseLandmarkFile, LandmarkFileError } from './landmarks/parseLandmarkFile';
import { truthForModel, type LandmarkFileText } from './landmarks/truthForModel';
import { ModelLibrary } from './models/library';
import { ModelPackageError } from './models/readPackage';
import { explainContext, explainVolume, type ExplanationResult } from './explain/explainVolume';
import type { ExplainContext } from './explain/method';
import { METHODS, methodNames } from './explain/methods';
import { JobManager, type Job } from './jobs/jobManager';
import { cacheKey, ResultCache } from './jobs/resultCache';
import { ExplainOptionError } from './explain/optionError';
import { fromCache, toCache } from './explain/cachedResult';
import { checkTargetSpec } from './explain/target';
import { targetSpecSchema } from '../../shared/target';
import type { MapLayer } from '../../shared/api';
import { preprocess } from './inference/preprocess';
import { reindex } from '../../shared/geometry';
import { faithfulness, type FaithfulnessReport } from './metrics/faithfulness';
import { lesionMask, localization, type LocalizationReport } from './metrics/localization';
import { jobTargetSpec, makeScorer } from './metrics/scorer';
import { PacsService } from './pacs/pacsService';
import type { ExportResult, StowResult } from '../../shared/pacsApi';
import type { ApiArgs } from '../../shared/api';
import type { ModelManifest } from '../../shared/modelManifest';

export class EngineError extends Error {
  constructor(
    readonly code: 'not-found' | 'bad-input' | 'unsupported',
    message: string,
  ) {
    super(message);
  }
}

export interface EngineOptions {
  /** Where demo studies and uploads live; never inside a user's study folder. */
  cacheDir: string;
  /** How many decoded volumes to keep in memory (each a 512x512x400 CT is ~200 MB). */
  volumeCacheSize?: number;
  /** Folder of bundled model packages (resources/models). */
  bundledModelsDir?: string;
}

export const DEMO_SEED = 1;

export class Engine {
  private readonly catalog = new Catalog();
  private readonly volumes = new Map<string, Promise<Volume>>();
  private uploadCount = 0;
  private inference: InferencePool | undefined;
  private readonly userTruth = new Map<string, GroundTruth>();
  /**
   * The landmark file behind a series' user truth, read again against each model that meets it,
   * as long as that truth is still the one the file gave (an edit replaces it).
   */
  private readonly landmarkFiles = new Map<string, { file: LandmarkFileText; truth: GroundTruth }>();
  private readonly models: ModelLibrary;
  private readonly jobs = new JobManager<ExplanationResult>();
  private readonly results: ResultCache;
  /** DICOMweb PACS: settings, search, retrieval into the cache (opened like a folder), STOW. */
  readonly pacs: PacsService;
  /** Exports of this session, by id: only these folders' files may be sent to the PACS. */
  private readonly exports = new Map<string, { folder: string; files: string[] }>();

  constructor(private readonly options: EngineOptions) {
    this.models = new ModelLibrary(options.bundledModelsDir, path.join(options.cacheDir, 'models'), () => this.worker());
    this.results = new ResultCache(path.join(options.cacheDir, 'results'));
    this.pacs = new PacsService(path.join(options.cacheDir, 'pacs'), (folder) => this.openPaths([folder]));
  }

  /** The inference worker starts on first use: opening studies needs no ONNX Runtime. */
  private worker(): InferencePool {
    this.inference ??= new InferencePool();
    return this.inference;
  }

  async openPaths(paths: string[]): Promise<OpenReport> {
    const scan = await scanPaths(paths);
    const added = this.catalog.add(scan.instances);
    for (const uid of added.changed) this.volumes.delete(uid); // new slices: rebuild on next load
    return {
      filesScanned: scan.filesScanned,
      dicomFiles: scan.instances.length,
      skipped: [...scan.skipped, ...added.rejected],
      studies: this.catalog.summaries(),
      openedSeries: added.series,
    };
  }

  /** The bundled demo studies are generated (seeded, so always the same) on first use. */
  async openDemo(kind: 'ct' | 'ceph'): Promise<OpenReport> {
    const dir = path.join(this.options.cacheDir, 'demo', `${kind}-seed${DEMO_SEED}`);
    if (!existsSync(dir)) {
      await mkdir(path.dirname(dir), { recursive: true });
      const tmp = await mkdtemp(`${dir}.tmp-`);
      try {
        // Loaded on demand: the generator is only needed the first time a demo is opened.
        const { generateCeph, generateCtStudy } = await import('./demo');
        if (kind === 'ct') await generateCtStudy({ seed: DEMO_SEED, outDir: tmp });
        else await generateCeph({ seed: DEMO_SEED, outDir: tmp });
        await rename(tmp, dir); // atomic: a crash never leaves a half-written demo behind
      } catch (err) {
        await rm(tmp, { recursive: true, force: true });
        throw err;
      }
    }
    return this.openPaths([dir]);
  }

  /** Files sent by a browser renderer are copied to a private folder of this session, then opened. */
  async openFiles(files: UploadFile[]): Promise<OpenReport> {
    if (files.length === 0) throw new EngineError('bad-input', 'no files were given');
    if (files.length > uploadLimits.maxFiles) throw new EngineError('bad-input', `too many files (${files.length}, limit ${uploadLimits.maxFiles})`);
    const dir = path.join(this.options.cacheDir, 'uploads', `${process.pid}-${++this.uploadCount}`);
    await mkdir(dir, { recursive: true });
    const used = new Set<string>();
    const written: string[] = [];
    for (const [i, f] of files.entries()) {
      const name = uploadNameSchema.safeParse(f.name).success ? f.name : `file-${i}`;
      const unique = used.has(name) ? `${i}-${name}` : name;
      used.add(unique);
      written.push(path.join(dir, unique));
      await writeFile(written[written.length - 1], new Uint8Array(f.data));
    }
    return this.openPaths(written);
  }

  /** Removes this session's uploaded copies (the user's own files are never touched). */
  async dispose(): Promise<void> {
    await this.inference?.terminate();
    const uploads = path.join(this.options.cacheDir, 'uploads');
    for (let i = 1; i <= this.uploadCount; i++) await rm(path.join(uploads, `${process.pid}-${i}`), { recursive: true, force: true });
  }

  listStudies(): StudySummary[] {
    return this.catalog.summaries();
  }

  /** SOP Instance UID -> file of each instance of an open series (what an export may read). */
  seriesFiles(uid: string): Map<string, string> {
    return new Map(this.seriesOrThrow(uid).instances.map((i) => [i.sopInstanceUid, i.path]));
  }

  private seriesOrThrow(uid: string): SeriesRecord {
    const s = this.catalog.series(uid);
    if (!s || s.instances.length === 0) throw new EngineError('not-found', 'this series is not open');
    return s;
  }

  private volume(uid: string, progress?: BuildProgress): Promise<Volume> {
    let v = this.volumes.get(uid);
    if (!v) {
      v = buildVolume(this.seriesOrThrow(uid), progress);
      v.catch(() => this.volumes.delete(uid));
      this.volumes.set(uid, v);
      const max = this.options.volumeCacheSize ?? 2;
      while (this.volumes.size > max) this.volumes.delete(this.volumes.keys().next().value!);
    }
    return v;
  }

  /** Decodes the series once (cached); progress reports decoded slices. */
  async loadVolume(uid: string, progress?: BuildProgress): Promise<VolumeInfo> {
    const info = (await this.volume(uid, progress)).info;
    return { ...info, instanceNumbers: this.instanceNumbers(uid, info.sopInstanceUids) };
  }

  /** InstanceNumber per slice, so the app and the reports can number slices as the files do (null: none, or a multi-frame file). */
  private instanceNumbers(uid: string, sops: string[]): (number | null)[] {
    const bySop = new Map(this.seriesOrThrow(uid).instances.map((i) => [i.sopInstanceUid, i.header.instanceNumber ?? null]));
    const frames = new Map<string, number>();
    for (const s of sops) frames.set(s, (frames.get(s) ?? 0) + 1);
    return sops.map((s) => (frames.get(s) === 1 ? (bySop.get(s) ?? null) : null));
  }

  async getVoxels(uid: string): Promise<Volume['voxels']> {
    return (await this.volume(uid)).voxels;
  }

  /** Tags of slice `index` in volume order (index 0 = first slice along the normal). */
  async getTags(uid: string, index: number): Promise<TagEntry[]> {
    const series = this.seriesOrThrow(uid);
    const info = await this.loadVolume(uid);
    const sop = info.sopInstanceUids[Math.min(index, info.sopInstanceUids.length - 1)];
    const inst = series.instances.find((i) => i.sopInstanceUid === sop) ?? series.instances[0];
    return dumpTags(parseDicom(await readFile(inst.path)).dataSet);
  }

  /** Ground truth the user loaded, else the one kept beside the study (demo groundtruth.json), if any. */
  async getGroundTruth(uid: string): Promise<GroundTruth | null> {
    const series = this.seriesOrThrow(uid);
    const loaded = this.userTruth.get(uid);
    if (loaded) return loaded;
    const file = path.join(path.dirname(series.instances[0].path), 'groundtruth.json');
    if (!existsSync(file)) return null;
    let parsed: z.infer<typeof groundTruthFileSchema>;
    try {
      parsed = groundTruthFileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    } catch (err) {
      // Never quote the file: JSON.parse's message carries its first bytes, whatever the file holds.
      const why = err instanceof SyntaxError ? 'not valid JSON' : err instanceof z.ZodError ? `${err.issues[0]?.path.join('.') || '(root)'}: ${err.issues[0]?.message}` : 'unreadable';
      throw new EngineError('bad-input', `groundtruth.json beside this series is invalid: ${why}`);
    }
    if (parsed.seriesUid !== uid) return null;
    return parsed;
  }

  listModels(): Promise<ModelSummary[]> {
    return this.models.list();
  }

  /** Imports a model package (folder or .zip path): validated fully before it is listed. */
  importModel(location: string): Promise<ModelSummary> {
    return this.models.import(location).catch((err: unknown) => {
      throw err instanceof ModelPackageError ? new EngineError('bad-input', `Model not imported: ${err.message}`) : err;
    });
  }

  /** A model package sent as files (browser): one .zip, or model.json + model.onnx. */
  async importModelFiles(files: UploadFile[]): Promise<ModelSummary> {
    const names = files.map((f) => f.name).sort();
    const isZip = files.length === 1 && /\.zip$/i.test(files[0].name);
    if (!isZip && names.join(',') !== 'model.json,model.onnx') {
      throw new EngineError('bad-input', 'Model not imported: send one .zip, or the two files model.json and model.onnx');
    }
    const dir = await mkdtemp(path.join(this.options.cacheDir, 'model-upload-'));
    try {
      for (const f of files) await writeFile(path.join(dir, isZip ? 'package.zip' : f.name), new Uint8Array(f.data));
      return await this.importModel(isZip ? path.join(dir, 'package.zip') : dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async runModel(seriesUid: string, modelId: string): Promise<PredictionResult> {
    const volume = await this.volume(seriesUid);
    let entry;
    let session;
    try {
      entry = await this.models.get(modelId);
      session = await this.models.session(modelId);
    } catch (err) {
      if (err instanceof ModelPackageError) throw new EngineError('bad-input', err.message);
      throw err;
    }
    try {
      return await predict(volume, entry, session, this.worker(), await this.truthFor(seriesUid, entry.pkg.manifest));
    } catch (err) {
      if (err instanceof EngineError) throw err;
      throw new EngineError('bad-input', `The model could not run on this series: ${(err as Error).message}`);
    }
  }

  /** Ground-truth landmarks from a file; replaces what the study came with for this session. */
  async importLandmarks(seriesUid: string, files: UploadFile[]): Promise<GroundTruth> {
    if (files.length !== 1) throw new EngineError('bad-input', 'send exactly one landmark file (.txt, .csv or .json)');
    const info = await this.loadVolume(seriesUid);
    let points;
    const text = new TextDecoder().decode(files[0].data);
    try {
      points = parseLandmarkFile(files[0].name, text);
    } catch (err) {
      if (err instanceof LandmarkFileError) throw new EngineError('bad-input', err.message);
      throw err;
    }
    const [w, h] = info.geometry.dimensions;
    const outside = points.filter((p) => p.pixel[0] > w - 1 || p.pixel[1] > h - 1);
    if (outside.length) throw new EngineError('bad-input', `${files[0].name}: ${outside.map((p) => p.name).join(', ')} lie outside the ${w}x${h} image`);
    const truth: GroundTruth = {
      seriesUid,
      landmarks: points.map((p) => ({ ...p, patient: indexToPatient(info.geometry, [p.pixel[0], p.pixel[1], 0]) })),
      lesions: [],
      source: `landmark file ${files[0].name}`,
    };
    this.userTruth.set(seriesUid, truth);
    this.landmarkFiles.set(seriesUid, { file: { name: files[0].name, text }, truth });
    return truth;
  }

  /** The ground truth as a model sees it: a user's landmark file is read against its landmarks. */
  private async truthFor(seriesUid: string, manifest: ModelManifest): Promise<GroundTruth | null> {
    const truth = await this.getGroundTruth(seriesUid);
    const fromFile = this.landmarkFiles.get(seriesUid);
    if (!truth || !fromFile || fromFile.truth !== truth) return truth;
    try {
      return truthForModel(truth, fromFile.file, manifest, (await this.volume(seriesUid)).info.geometry);
    } catch (err) {
      if (err instanceof LandmarkFileError) throw new EngineError('bad-input', `The ground-truth landmarks do not fit this model: ${err.message}`);
      throw err;
    }
  }

  private async modelOrThrow(modelId: string) {
    try {
      return { entry: await this.models.get(modelId), session: await this.models.session(modelId) };
    } catch (err) {
      if (err instanceof ModelPackageError) throw new EngineError('bad-input', err.message);
      throw err;
    }
  }

  /** Starts an explanation job, or returns a finished one at once when the result is cached. */
  async startExplanation(seriesUid: string, modelId: string, method: string, rawOptions: unknown, cachedOnly: true): Promise<Job<ExplanationResult> | null>;
  async startExplanation(seriesUid: string, modelId: string, method: string, rawOptions: unknown, cachedOnly?: false): Promise<Job<ExplanationResult>>;
  async startExplanation(seriesUid: string, modelId: string, method: string, rawOptions: unknown, cachedOnly?: boolean): Promise<Job<ExplanationResult> | null>;
  async startExplanation(seriesUid: string, modelId: string, method: string, rawOptions: unknown, cachedOnly = false): Promise<Job<ExplanationResult> | null> {
    const entry = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined; // "constructor" is not a method
    if (!entry) throw new EngineError('bad-input', `unknown explanation method "${method}" (available: ${methodNames().join(', ')})`);
    let options: Record<string, unknown>;
    try {
      options = entry.parse(rawOptions);
    } catch (err) {
      if (err instanceof z.ZodError) throw new EngineError('bad-input', `${method} options: ${err.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`);
      throw err;
    }
    const volume = await this.volume(seriesUid);
    const model = await this.modelOrThrow(modelId);
    // A target the model does not have is refused now, naming the option, not after a job starts.
    const spec = targetSpecSchema.safeParse(options.target);
    if (spec.success) {
      try {
        checkTargetSpec(model.entry.pkg.manifest, spec.data);
      } catch (err) {
        if (err instanceof ExplainOptionError) throw new EngineError('bad-input', `${method} options: ${err.message}`);
        throw err;
      }
    }
    const truth = await this.truthFor(seriesUid, model.entry.pkg.manifest);
    const key = cacheKey({ seriesUid, modelId, method, options: { options, truth: truth?.source ?? null } });
    const meta = { seriesUid, modelId, method, cacheKey: key };
    const label = `${method} · ${model.entry.pkg.manifest.name}`;
    const cached = await this.results.read(key);
    if (cached) return this.jobs.finished(label, meta, fromCache(cached));
    if (cachedOnly) return null;
    return this.jobs.start(
      label,
      meta,
      async (progress, signal) => {
        const result = await explainVolume({ volume, ...model, worker: this.worker(), truth, method, options, progress, signal });
        await this.results.write(toCache(key, result));
        return result;
      },
      (err) => (err instanceof ExplainOptionError || err instanceof EngineError ? err.message : `the explanation failed: ${(err as Error).message}`),
    );
  }

  /** The input a method sees for (series, model): for metrics, benchmarks and tools. */
  async explainContextFor(seriesUid: string, modelId: string): Promise<ExplainContext> {
    const volume = await this.volume(seriesUid);
    const model = await this.modelOrThrow(modelId);
    return explainContext({ volume, ...model, worker: this.worker(), truth: await this.truthFor(seriesUid, model.entry.pkg.manifest) });
  }

  private jobOrThrow(id: string): Job<ExplanationResult> {
    const job = this.jobs.get(id);
    if (!job) throw new EngineError('not-found', 'no such job');
    return job;
  }

  jobStatus(id: string): JobStatus {
    const job = this.jobOrThrow(id);
    const r = job.result;
    return {
      id: job.id,
      label: job.label,
      state: job.state,
      done: job.progress.done,
      total: job.progress.total,
      stats: job.progress.stats,
      partialVersion: job.partialVersion,
      startedAt: job.startedAt,
      elapsedMs: (job.finishedAt ?? Date.now()) - job.startedAt,
      error: job.error,
      fromCache: job.fromCache,
      seriesUid: job.meta.seriesUid,
      modelId: job.meta.modelId,
      method: job.meta.method,
      result: r ? { targets: r.targets, grid: r.grid, details: r.details, layers: Object.keys(r.layers ?? {}) as MapLayer[] } : undefined,
    };
  }

  listJobs(): JobStatus[] {
    return this.jobs.list().map((j) => this.jobStatus(j.id));
  }

  cancelJob(id: string): JobStatus {
    this.jobOrThrow(id);
    this.jobs.cancel(id);
    return this.jobStatus(id);
  }

  /** The job's result, waiting for it to finish (CLI, tests). */
  async waitForJob(id: string, onProgress?: (s: JobStatus) => void): Promise<ExplanationResult> {
    for (;;) {
      const s = this.jobStatus(id);
      onProgress?.(s);
      if (s.state === 'done') return this.jobOrThrow(id).result!;
      if (s.state !== 'running') throw new EngineError('bad-input', s.error ?? s.state);
      // Wake at the end of the job, or every 200 ms to report progress.
      await Promise.race([this.jobs.settled(id), new Promise((r) => setTimeout(r, 200))]);
    }
  }

  /** A map on the model grid: final (target index), or the latest partial map while running. */
  explanationMap(id: string, target: number, partial: boolean, layer: MapLayer = 'map'): Float32Array {
    const job = this.jobOrThrow(id);
    if (partial && job.state === 'running') {
      if (!job.progress.partial) throw new EngineError('not-found', 'no partial map yet');
      return job.progress.partial;
    }
    const r = job.result;
    if (!r) throw new EngineError('not-found', `the job is ${job.state}: no map`);
    if (target >= r.maps.length) throw new EngineError('bad-input', `target ${target} does not exist (the result has ${r.maps.length})`);
    if (layer === 'map') return r.maps[target];
    const maps = r.layers?.[layer];
    if (!maps) throw new EngineError('not-found', `${r.method} has no "${layer}" layer`);
    return maps[target];
  }

  /**
   * PDF and/or DICOM export of the series' finished explanations (the latest per method, of the model
   * that ran last), as the CLI report command writes them.
   */
  async exportReport(a: ApiArgs<'exportReport'>): Promise<ExportResult> {
    const series = this.seriesOrThrow(a.seriesUid);
    const done = this.jobs.list().filter((j) => j.state === 'done' && j.meta.seriesUid === a.seriesUid && j.result);
    const modelId = done.at(-1)?.meta.modelId;
    const latest = new Map(done.filter((j) => j.meta.modelId === modelId).map((j) => [j.meta.method, j]));
    if (!modelId || latest.size === 0) throw new EngineError('bad-input', 'nothing to export yet: run an explanation (e.g. Grad-CAM) on this series first');
    const model = (await this.listModels()).find((m) => m.id === modelId);
    if (!model) throw new EngineError('not-found', 'the model of these explanations is no longer in the library');
    const outDir = a.outDir || path.join(this.options.cacheDir, 'exports', new Date().toISOString().replace(/[:.]/g, '-'));
    const { exportSession } = await import('./report/sessionExport'); // pdf-lib etc. load on first export
    const { ReportError } = await import('./report/resultFile');
    try {
      const out = await exportSession({
        info: await this.loadVolume(a.seriesUid),
        instancePaths: series.instances.map((i) => i.path),
        model: { id: model.id, name: model.name, version: model.version },
        prediction: await this.runModel(a.seriesUid, modelId),
        explanations: [...latest.values()].map((j) => ({ method: j.meta.method, fromCache: j.fromCache, result: j.result! })),
        cacheDir: this.options.cacheDir,
        bundledModelsDir: this.options.bundledModelsDir,
        outDir,
        pdf: a.pdf,
        dicom: a.dicom,
        anonymize: a.anonymize,
        comment: a.comment,
        includeFreeText: a.includeFreeText,
        allowBurnedInAnnotation: a.allowBurnedInAnnotation,
        overwrite: a.overwrite,
        groundTruth: a.groundTruth,
      });
      const files = out.files.map((f) => path.relative(outDir, f));
      const exportId = `export-${Date.now().toString(36)}-${this.exports.size + 1}`;
      this.exports.set(exportId, { folder: outDir, files });
      return { exportId, folder: outDir, files, dicomFiles: files.filter((f) => f.endsWith('.dcm')).length, methods: [...latest.keys()], elapsedMs: out.elapsedMs };
    } catch (err) {
      if (err instanceof ReportError) throw new EngineError('bad-input', `Export failed: ${err.message}`);
      throw err;
    }
  }

  /** STOW-RS of the DICOM files of one of this session's exports. */
  async sendExport(exportId: string): Promise<StowResult> {
    const e = this.exports.get(exportId);
    if (!e) throw new EngineError('not-found', 'no such export in this session (export again)');
    return this.pacs.send(e.folder, e.files);
  }

  async clearExplanations(): Promise<void> {
    await this.results.clear();
  }

  /**
   * Faithfulness (deletion/insertion, keep-top-q%) of a finished explanation's main map, its
   * localization against the study's lesions when the ground truth has them, and for methods with a
   * significant region the share of the grid it covers (0: nothing significant).
   */
  async explanationMetrics(jobId: string, opts: { steps?: number } = {}): Promise<{ faithfulness: FaithfulnessReport; localization: LocalizationReport | null; regionFraction: number | null }> {
    const job = this.jobOrThrow(jobId);
    const r = job.result;
    if (!r) throw new EngineError('not-found', `the job is ${job.state}: nothing to measure`);
    const ctx = await this.explainContextFor(r.seriesUid, r.modelId);
    const { input, manifest } = ctx;
    const truth = await this.getGroundTruth(r.seriesUid);
    const main = r.maps.length - 1;
    const map = r.maps[main];
    // A significant-evidence map is 0 outside its region, which orders nothing there: deletion and
    // insertion rank voxels by the z of every chunk instead (the region is the top of that ranking).
    const ranking = r.details.shows === 'significant evidence' && r.layers?.z ? r.layers.z[main] : map;
    // The method's own baseline (MUPAX records it); otherwise the input's minimum (air, background).
    let baseline = (r.details.parameters as { baselineValue?: number } | undefined)?.baselineValue ?? Infinity;
    if (!Number.isFinite(baseline)) for (const v of input.data) baseline = Math.min(baseline, v);
    const report = await faithfulness(ctx, ranking, await makeScorer(ctx, jobTargetSpec(r.details, r.method === 'mupax' && manifest.output.decoding.type === 'heatmaps')), { steps: opts.steps, baseline });
    const lesions = truth?.lesions ?? [];
    const regionFraction = r.layers?.significant ? r.layers.significant[main].reduce((a, b) => a + (b > 0 ? 1 : 0), 0) / map.length : null;
    return { faithfulness: report, localization: lesions.length ? localization(map, lesionMask(input.grid, lesions)) : null, regionFraction };
  }
}
