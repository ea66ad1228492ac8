// What every explanation method receives and returns (compare Captum / pytorch-grad-cam): a method
// computes maps on the MODEL grid; the caller resamples them onto the study grid.
import type { ModelManifest } from '../../../shared/modelManifest';
import type { InferencePool, LoadedSession } from '../inference/pool';
import type { ModelInput } from '../inference/preprocess';

export interface ExplainContext {
  worker: InferencePool;
  session: LoadedSession;
  manifest: ModelManifest;
  /** model.onnx bytes (gradient methods derive their backward graph from it). */
  onnx: Uint8Array;
  input: ModelInput;
  /** Ground-truth landmarks in model-grid pixel coordinates (x, y), in manifest order, if known. */
  truthInGrid?: ([number, number] | null)[];
}

export interface ExplanationMap {
  /** e.g. "nodule", "Sella", "mean landmark error". */
  target: string;
  /** Values on the model grid, [z][y][x]; larger = more important. */
  data: Float32Array;
}

export interface JobProgress {
  done: number;
  total: number;
  /** Free-form figures a method reports (acceptance rate, samples/s, ...). */
  stats?: Record<string, number>;
  /** Latest partial map of the main target (model grid), for live overlays. */
  partial?: Float32Array;
}

export interface MethodOutput {
  maps: ExplanationMap[];
  /** Further maps per target, same order as `maps` (MUPAX: retention, z, significant). */
  layers?: Record<string, Float32Array[]>;
  /** Method-specific, JSON-safe details for result.json (parameters used, convergence, ...). */
  details: Record<string, unknown>;
  /** MUPAX: the weighted average of the accepted masked inputs (model grid). */
  explainedInput?: Float32Array;
}

export class ExplainCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'ExplainCancelled';
  }
}
