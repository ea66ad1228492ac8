// The engine API contract: one typed surface served over Electron IPC (preload) and over the local
// HTTP server (src/server). Arguments are validated with these schemas on the engine side of both.
import { z } from 'zod';
import type { ExecutionProvider } from './executionProviders';
import { exportProgressApiArgs, type ExportProgress } from './exportProgress';
import { clusterApiArgs, type ClusterRunStatus } from './clusterApi';
import { providerSettingsApiArgs, type ProviderSettingsView } from './providerSettings';
import type { SanityStatus } from './sanity';
import type { Geometry, Vec3 } from './geometry';
import type { LandmarkErrors } from './landmarkMetrics';
import type { ModelManifest } from './modelManifest';
import type { OpenReport, StudySummary } from './studySummary';

export type { OpenReport, SeriesSummary, SkippedFile, StudySummary } from './studySummary';
import {
  pacsApiArgs,
  type ExportResult,
  type PacsSeriesHit,
  type PacsSettingsView,
  type PacsStudyHit,
  type PacsTransferStatus,
  type StowResult,
} from './pacsApi';

export const seriesUidSchema = z.string().regex(/^[0-9.]{1,64}$/, 'not a DICOM UID');

/**
 * Which map of a result: 'map' is what the method shows by default (MUPAX: the significant
 * evidence); MUPAX also keeps 'retention' (the paper's weighted retention), 'z' and 'significant';
 * RISE and the regression 'value' (their own estimate), 'z' and 'significant'.
 */
export const mapLayerSchema = z.enum(['map', 'retention', 'value', 'z', 'significant']);
export type MapLayer = z.infer<typeof mapLayerSchema>;

export const apiArgs = {
  capabilities: z.object({}).strict(),
  openDemo: z.object({ kind: z.enum(['ct', 'ceph']) }).strict(),
  openDialog: z.object({ folder: z.boolean() }).strict(),
  listStudies: z.object({}).strict(),
  loadVolume: z.object({ seriesUid: seriesUidSchema }).strict(),
  getVoxels: z.object({ seriesUid: seriesUidSchema }).strict(),
  getTags: z.object({ seriesUid: seriesUidSchema, index: z.number().int().min(0).max(100_000) }).strict(),
  getGroundTruth: z.object({ seriesUid: seriesUidSchema }).strict(),
  listModels: z.object({}).strict(),
  importModelDialog: z.object({}).strict(),
  /** Desktop app only: the native folder dialog; the folder chosen is the only one an export may write to. */
  chooseExportFolder: z.object({}).strict(),
  runModel: z.object({ seriesUid: seriesUidSchema, modelId: z.string().regex(/^[a-f0-9]{64}$/, 'not a model id') }).strict(),
  startExplanation: z
    .object({
      seriesUid: seriesUidSchema,
      modelId: z.string().regex(/^[a-f0-9]{64}$/, 'not a model id'),
      method: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/),
      options: z.record(z.string(), z.unknown()).default({}),
      /** Only look in the cache: returns null instead of starting a job. */
      cachedOnly: z.boolean().default(false),
    })
    .strict(),
  getJob: z.object({ jobId: z.string().regex(/^job-[a-z0-9-]{1,40}$/) }).strict(),
  listJobs: z.object({}).strict(),
  cancelJob: z.object({ jobId: z.string().regex(/^job-[a-z0-9-]{1,40}$/) }).strict(),
  getExplanationMap: z
    .object({
      jobId: z.string().regex(/^job-[a-z0-9-]{1,40}$/),
      target: z.number().int().min(0).max(1000),
      partial: z.boolean().default(false),
      layer: mapLayerSchema.default('map'),
    })
    .strict(),
  clearExplanations: z.object({}).strict(),
  /** The model-parameter randomization test of a finished explanation (docs/sanity.md). */
  startSanityCheck: z.object({ jobId: z.string().regex(/^job-[a-z0-9-]{1,40}$/), steps: z.number().int().min(1).max(16).default(6) }).strict(),
  getSanityCheck: z.object({ sanityId: z.string().regex(/^job-[a-z0-9-]{1,40}$/) }).strict(),
  /** The metric suite of a finished explanation (docs/metrics.md): curves and scores of its main map. */
  // maxSensitivity: also rerun the method on N noisy copies of the input (N whole runs: for MUPAX, N
  // MUPAX runs), so at most 8 from the app; `evaluate --max-sensitivity` takes up to 32.
  getExplanationMetrics: z
    .object({
      jobId: z.string().regex(/^job-[a-z0-9-]{1,40}$/),
      maxSensitivity: z.object({ perturbations: z.number().int().min(1).max(8) }).strict().optional(),
    })
    .strict(),
  /** Stops the job's metrics runs still going (the card was closed, the study left): their calls fail, nothing is kept. */
  cancelExplanationMetrics: z.object({ jobId: z.string().regex(/^job-[a-z0-9-]{1,40}$/) }).strict(),
  /** SEG, Parametric Map and SR objects that were opened with (or after) a series and refer to it ([I] read-back). */
  listDerived: z.object({ seriesUid: seriesUidSchema }).strict(),
  /** One derived object on the series' grid (Float32): PM real values; SEG 0/1 of `segment`, or every segment's number (0). */
  getDerivedMap: z.object({ seriesUid: seriesUidSchema, objectUid: seriesUidSchema, segment: z.number().int().min(0).max(65535).default(0) }).strict(),
  ...pacsApiArgs,
  ...providerSettingsApiArgs,
  ...exportProgressApiArgs,
  ...clusterApiArgs,
} as const;

export type ApiMethod = keyof typeof apiArgs | 'openFiles' | 'importModelFiles' | 'importLandmarks';
export type ApiArgs<M extends keyof typeof apiArgs> = z.infer<(typeof apiArgs)[M]>;

/** Limits on uploads (browser transport) so a bad request cannot exhaust memory or disk. */
export const uploadLimits = { maxFiles: 5000, maxFileBytes: 2 ** 30, maxTotalBytes: 8 * 2 ** 30 } as const;
export const uploadNameSchema = z
  .string()
  .min(1)
  .max(255)
  .refine((n) => !/[\\/\0]/.test(n) && n !== '.' && n !== '..', 'file name must not contain a path');

export type VoxelType = 'int16' | 'uint16' | 'float32' | 'uint8';

export interface VolumeInfo {
  seriesUid: string;
  studyUid: string;
  frameOfReferenceUid: string;
  modality: string;
  kind: 'volume' | 'image';
  geometry: Geometry;
  voxelType: VoxelType;
  /** 'HU' when a CT modality LUT was applied; otherwise stored values after rescale. */
  unit: 'HU' | 'raw';
  /** MONOCHROME1 images are stored inverted so that high values are bright everywhere. */
  invertedFromMonochrome1: boolean;
  window: { center: number; width: number };
  range: { min: number; max: number };
  /** Where the in-plane spacing came from; measurements in mm are only calibrated if not 'none'. */
  pixelSpacingSource: 'PixelSpacing' | 'ImagerPixelSpacing' | 'none';
  sopInstanceUids: string[]; // per slice k
  /** InstanceNumber (0020,0013) per slice k; null where the file has none or holds several frames. */
  instanceNumbers?: (number | null)[];
  warnings: string[];
}

export interface TagEntry {
  tag: string; // "(0010,0010)"
  keyword: string;
  vr: string;
  value: string;
}

export interface Landmark {
  name: string;
  abbreviation: string;
  /** Image pixel coordinates (column, row), 0-based, pixel centres at integers. */
  pixel: [number, number];
  /** Patient coordinates, mm. */
  patient: Vec3;
}

export interface Lesion {
  kind: 'solid' | 'ground-glass';
  centre: Vec3; // patient mm
  diameterMm: number;
}

export interface GroundTruth {
  seriesUid: string;
  landmarks: Landmark[];
  lesions: Lesion[];
  source: string; // e.g. "demo generator (seed 1)"
}

export interface ModelSummary {
  id: string; // sha256 of model.onnx
  source: 'bundled' | 'imported';
  name: string;
  version: string;
  task: ModelManifest['task'];
  modality: string[];
  description: string;
  inputShape: number[];
  card: ModelManifest['card'];
  /** What the user should know about the package (e.g. no checksum of model.onnx). */
  warnings?: string[];
}

export interface PredictedLandmark {
  name: string;
  abbreviation: string;
  pixel: [number, number]; // image pixels (column, row)
  patient: Vec3; // mm
  /** Heatmap peak value (the model's confidence score, not a probability). */
  peak: number;
}

export interface PredictionResult {
  seriesUid: string;
  modelId: string;
  modelName: string;
  modelVersion: string;
  task: ModelManifest['task'];
  /** Execution provider that actually ran the model, and why the preferred ones did not (gpuNote). */
  provider: ExecutionProvider;
  gpuNote?: string;
  timings: { preprocessMs: number; inferenceMs: number; postprocessMs: number };
  classification?: { classes: string[]; probabilities: number[]; predicted: number; positiveClass?: number };
  landmarks?: { points: PredictedLandmark[]; errors: LandmarkErrors | null; truthSource: string | null };
  /** The model grid the input was resampled onto (patient space). */
  modelGrid: Geometry;
}

/** One deletion or insertion curve: the target's score after removing (inserting) each fraction of voxels. */
export interface MetricCurve {
  fractions: number[];
  scores: number[];
  auc: number;
}

/** The metric suite of a finished map (docs/metrics.md; the engine's ExplanationMetrics). */
export interface ExplanationMetricsReply {
  faithfulness: {
    /** 'probability': higher is better; 'radial-error-mm': lower is better. */
    scoreKind: 'probability' | 'radial-error-mm';
    target: string;
    unmasked: number;
    deletion: MetricCurve;
    insertion: MetricCurve;
    /** The same curves with ROAD's noisy linear imputation instead of a constant. */
    road: { deletion: MetricCurve; insertion: MetricCurve };
  };
  faithfulnessCorrelation: { correlation: number | null; runs: number };
  relevance: { mass: number | null; rank: number | null; chance: number } | null;
  sparseness: number | null;
  regionFraction: number | null;
  /** Asked for in this call, or the latest computed for this map; noise uniform in +-radiusFraction of the input's range. */
  maxSensitivity: { value: number | null; perDraw: number[]; perturbations: number; radiusFraction: number; seed: number } | null;
  /** Why max-sensitivity was asked for but could not be measured (the rerun failed). */
  maxSensitivityError?: string;
}

export interface JobStatus {
  id: string;
  label: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  done: number;
  total: number;
  stats?: Record<string, number>;
  /** Increases each time a new partial map is available (live overlays). */
  partialVersion: number;
  startedAt: number;
  elapsedMs: number;
  error?: string;
  fromCache: boolean;
  seriesUid: string;
  modelId: string;
  method: string;
  result?: {
    targets: string[];
    grid: Geometry;
    details: Record<string, unknown>;
    /** Layers besides 'map' that getExplanationMap serves. */ layers?: MapLayer[];
  };
}

export interface Capabilities {
  transport: 'ipc' | 'http';
  nativeDialog: boolean;
  version: string;
}

export interface UploadFile {
  name: string;
  data: ArrayBuffer;
}

/** What the renderer calls; both transports implement it. */
export interface ExplicareApi {
  capabilities(): Promise<Capabilities>;
  openDemo(args: ApiArgs<'openDemo'>): Promise<OpenReport>;
  /** Native open dialog (Electron only); null when the user cancels. */
  openDialog(args: ApiArgs<'openDialog'>): Promise<OpenReport | null>;
  openFiles(files: UploadFile[]): Promise<OpenReport>;
  listStudies(): Promise<StudySummary[]>;
  loadVolume(args: ApiArgs<'loadVolume'>): Promise<VolumeInfo>;
  getVoxels(args: ApiArgs<'getVoxels'>): Promise<ArrayBuffer>;
  getTags(args: ApiArgs<'getTags'>): Promise<TagEntry[]>;
  getGroundTruth(args: ApiArgs<'getGroundTruth'>): Promise<GroundTruth | null>;
  listModels(): Promise<ModelSummary[]>;
  /** Native dialog to pick a model folder or .zip (Electron only); null when cancelled. */
  importModelDialog(): Promise<ModelSummary | null>;
  /** Native folder dialog (Electron only); null when the user cancels. */
  chooseExportFolder(): Promise<string | null>;
  /** A model package sent as files: one .zip, or model.json + model.onnx. */
  importModelFiles(files: UploadFile[]): Promise<ModelSummary>;
  runModel(args: ApiArgs<'runModel'>): Promise<PredictionResult>;
  /** Ground-truth landmarks from an ISBI .txt, CSV or JSON file, for the given series. */
  importLandmarks(seriesUid: string, files: UploadFile[]): Promise<GroundTruth>;
  /** Starts (or finds in the cache) an explanation job. */
  startExplanation(args: z.input<(typeof apiArgs)['startExplanation']>): Promise<JobStatus | null>;
  getJob(args: ApiArgs<'getJob'>): Promise<JobStatus>;
  listJobs(): Promise<JobStatus[]>;
  cancelJob(args: ApiArgs<'cancelJob'>): Promise<JobStatus>;
  /** A map on the model grid (Float32, [z][y][x]); `partial` gives the latest live map of a running job. */
  getExplanationMap(args: ApiArgs<'getExplanationMap'>): Promise<ArrayBuffer>;
  clearExplanations(): Promise<void>;
  /** Starts the randomization test of a finished explanation; poll getSanityCheck. */
  startSanityCheck(args: z.input<(typeof apiArgs)['startSanityCheck']>): Promise<SanityStatus>;
  getSanityCheck(args: ApiArgs<'getSanityCheck'>): Promise<SanityStatus>;
  /** Deletion/insertion curves (plain and ROAD) and the other metrics of a finished map; seconds on a CT. */
  getExplanationMetrics(args: ApiArgs<'getExplanationMetrics'>): Promise<ExplanationMetricsReply>;
  /** Stops the job's metrics runs still going; how many were stopped. */
  cancelExplanationMetrics(args: ApiArgs<'cancelExplanationMetrics'>): Promise<{ cancelled: number }>;
  /** The SEG/PM/SR objects that refer to an open series, each checked against its geometry. */
  listDerived(args: ApiArgs<'listDerived'>): Promise<DerivedObjectSummary[]>;
  /** A SEG or PM object's voxels on the series' grid (Float32, [z][y][x]). */
  getDerivedMap(args: z.input<(typeof apiArgs)['getDerivedMap']>): Promise<ArrayBuffer>;
  /** PDF and/or DICOM export of the series' finished explanations (engine-side, like the CLI). */
  exportReport(args: z.input<(typeof apiArgs)['exportReport']>): Promise<ExportResult>;
  /** PACS (DICOMweb): the engine talks to the server; the renderer only calls these. */
  pacsGetSettings(): Promise<PacsSettingsView | null>;
  pacsSaveSettings(args: z.input<(typeof apiArgs)['pacsSaveSettings']>): Promise<PacsSettingsView>;
  pacsSearch(args: z.input<(typeof apiArgs)['pacsSearch']>): Promise<PacsStudyHit[]>;
  pacsListSeries(args: ApiArgs<'pacsListSeries'>): Promise<PacsSeriesHit[]>;
  /** Starts a WADO-RS retrieval; poll pacsTransfer for progress and the opened study. */
  pacsRetrieve(args: ApiArgs<'pacsRetrieve'>): Promise<PacsTransferStatus>;
  pacsTransfer(args: ApiArgs<'pacsTransfer'>): Promise<PacsTransferStatus>;
  pacsCancelTransfer(args: ApiArgs<'pacsCancelTransfer'>): Promise<PacsTransferStatus>;
  /** STOW-RS of the DICOM files of an export of this session. */
  pacsSendExport(args: ApiArgs<'pacsSendExport'>): Promise<StowResult>;
  /** Submits a cohort run to a Redis/BullMQ queue (docs/cluster.md); poll clusterRun for its cases. */
  clusterSubmit(args: z.input<(typeof apiArgs)['clusterSubmit']>): Promise<ClusterRunStatus>;
  clusterRun(args: ApiArgs<'clusterRun'>): Promise<ClusterRunStatus>;
  /** Stops watching a run (its jobs stay on the queue). */
  clusterStop(args: ApiArgs<'clusterStop'>): Promise<ClusterRunStatus>;
  /** The execution providers of this platform, the choice saved and in force, and what ran the latest model. */
  getProviderSettings(): Promise<ProviderSettingsView>;
  /** Saves the choice; models loaded afterwards run under it (refused while explanations run). */
  saveProviderSettings(args: ApiArgs<'saveProviderSettings'>): Promise<ProviderSettingsView>;
  /** The running (or last) export of a series, as it writes; null when none ran in this session. */
  getExportProgress(args: ApiArgs<'getExportProgress'>): Promise<ExportProgress | null>;
  /** Asks the running export of a series to stop; it then writes nothing. */
  cancelExport(args: ApiArgs<'cancelExport'>): Promise<ExportProgress | null>;
  /** One file of one of this session's exports, as bytes (the browser opens the PDF from them). */
  getExportFile(args: ApiArgs<'getExportFile'>): Promise<ArrayBuffer>;
  /** Desktop app: opens one file of one of this session's exports in the system's viewer. */
  openExportFile(args: ApiArgs<'openExportFile'>): Promise<void>;
}

/** A SEG, Parametric Map or SR opened with a series and referring to it (engine/study/derived). */
export interface DerivedObjectSummary {
  /** SOP Instance UID. */
  uid: string;
  kind: 'seg' | 'pm' | 'sr';
  /** The file it came from (relative to what was opened), so messages name it. */
  file: string;
  label: string;
  /** Why it cannot be shown over this series (naming the object and the attribute); absent when it can. */
  refusal?: string;
  /** SEG: its segments with the colour each is shown in (the file's recommended CIELab, else a palette's). */
  segments?: { number: number; label: string; rgb: [number, number, number]; fromFile: boolean }[];
  /** PM: what a voxel's value is (Real World Value Mapping: label, explanation, units). */
  value?: { label: string; explanation: string; unit: string; slope: number; intercept: number };
  /** SR: points (image pixel coordinates of the series, pixel centres at integers) it names. */
  points?: { name: string; pixel: [number, number]; sliceIndex: number }[];
  notes: string[];
}

/** Errors that cross the API boundary carry a user-facing message and a stable code. */
export interface ApiErrorBody {
  code: 'bad-request' | 'not-found' | 'bad-input' | 'unsupported' | 'internal' | 'unauthorized';
  message: string;
}
