// What an export is made of, all in memory: the series as the engine built it, the record of the
// explain run (result.json's shape) and each method's main map on the study grid. The app builds it
// from its finished jobs (sessionExport.ts), the CLI from a result folder (resultFolder.ts); the
// export itself (exportReport.ts) neither runs a model nor opens a study.
import type { GroundTruth, VolumeInfo } from '../../../shared/api';
import type { ColormapName } from '../../../shared/colormaps';
import type { MapSource } from './mapPass';
import type { ExplainResult } from './resultFile';

export interface ExportSeries {
  info: VolumeInfo;
  voxels: ArrayLike<number>;
  /** The study's ground truth (landmarks drawn in key images and written to the SR). */
  truth: GroundTruth | null;
  /** SOP Instance UID -> file of exactly the series' instances: the only files an export reads. */
  files: ReadonlyMap<string, string>;
}

export interface ExportInput {
  series: ExportSeries;
  /** The explain run: model (with its card), prediction, and per method its parameters and metrics. */
  result: ExplainResult;
  /** Method -> its main map on the study grid (the one result.json names <method>.nii.gz), loaded when the export asks. */
  maps: ReadonlyMap<string, MapSource>;
}

export interface ExportOptions {
  out: string;
  pdf: boolean;
  dicom: boolean;
  anonymize: boolean;
  comment?: string;
  /** Anonymized exports leave out the comment and landmark-file names unless this is set. */
  includeFreeText?: boolean;
  /** Anonymized exports of images declaring Burned In Annotation = YES are refused unless this is set. */
  allowBurnedInAnnotation?: boolean;
  /** Existing files in `out` are replaced only when this is set; otherwise the export is refused. */
  overwrite?: boolean;
  /** Ground-truth landmarks to draw instead of the study's own (the user's edits in the app). */
  truthLandmarks?: { pixel: [number, number] }[];
  /** The key images' colour map (default jet); the app sends the viewer's. */
  colormap?: ColormapName;
  /** The SEG marks the top `topPercent`% of each map (default 5). */
  topPercent?: number;
  /** Folder of the per-install anonymization secret (the engine's cache folder). */
  anonymizationSecretDir: string;
  now?: Date;
  /** Called after each file is staged, before anything is moved into `out` (tests inject failures here). */
  onStaged?: (name: string) => void | Promise<void>;
}
