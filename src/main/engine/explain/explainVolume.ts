// Runs one explanation method on one volume: preprocess onto the model grid, put the ground truth
// (if any) into model-grid coordinates, run the method. Maps stay on the model grid; toStudyGrid
// resamples them onto the study's voxel grid (for NIfTI export, overlays, metrics).
import type { GroundTruth } from '../../../shared/api';
import { reindex, type Geometry } from '../../../shared/geometry';
import { preprocessOnce } from '../inference/preprocess';
import type { InferencePool, LoadedSession } from '../inference/pool';
import type { LibraryEntry } from '../models/library';
import type { Volume } from '../volume/buildVolume';
import { resample } from '../volume/resample';
import type { ExplainContext, JobProgress } from './method';
import { METHODS } from './methods';

export interface ExplanationResult {
  method: string;
  seriesUid: string;
  modelId: string;
  targets: string[];
  grid: Geometry; // model grid of the maps
  maps: Float32Array[];
  /** Further maps per target (MUPAX: retention, z, significant), same order as `maps`. */
  layers?: Record<string, Float32Array[]>;
  explainedInput?: Float32Array;
  details: Record<string, unknown>;
}

export async function explainVolume(args: {
  volume: Volume;
  entry: LibraryEntry;
  session: LoadedSession;
  worker: InferencePool;
  truth: GroundTruth | null;
  method: string;
  options: Record<string, unknown>;
  progress: (p: JobProgress) => void;
  signal: AbortSignal;
}): Promise<ExplanationResult> {
  const method = METHODS[args.method];
  const ctx = explainContext(args);
  const out = await method.run(ctx, args.options, args.progress, args.signal);
  return {
    method: args.method,
    seriesUid: args.volume.info.seriesUid,
    modelId: args.entry.pkg.sha256,
    targets: out.maps.map((m) => m.target),
    grid: ctx.input.grid,
    layers: out.layers,
    maps: out.maps.map((m) => m.data),
    explainedInput: out.explainedInput,
    details: out.details,
  };
}

/** What a method needs: the input on the model grid, ground truth in model-grid pixels. */
export function explainContext(args: {
  volume: Volume;
  entry: LibraryEntry;
  session: LoadedSession;
  worker: InferencePool;
  truth: GroundTruth | null;
}): ExplainContext {
  const { manifest } = args.entry.pkg;
  const input = preprocessOnce(manifest, args.entry.pkg.sha256, args.volume.info.geometry, args.volume.voxels);
  const decoding = manifest.output.decoding;
  const truthInGrid =
    decoding.type === 'heatmaps' && args.truth?.landmarks.length
      ? decoding.landmarks.map((l) => {
          const t = args.truth!.landmarks.find((g) => g.name === l.name);
          if (!t) return null;
          const p = reindex(args.volume.info.geometry, input.grid, [t.pixel[0], t.pixel[1], 0]);
          return [p[0], p[1]] as [number, number];
        })
      : undefined;
  return { worker: args.worker, session: args.session, manifest, onnx: args.entry.pkg.onnx, input, truthInGrid };
}

/** A model-grid map on the study's voxel grid (trilinear; edges clamped), into a reused buffer when given. */
export function toStudyGrid(map: Float32Array, grid: Geometry, study: Geometry, into?: Float32Array): Float32Array {
  return resample(map, grid, study, 'linear', 'clamp', into);
}
