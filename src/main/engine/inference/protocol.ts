import type { ExecutionProvider, ProviderPreference } from '../../../shared/executionProviders';

// Messages between the inference pool (engine thread) and its ONNX Runtime workers.

export interface TensorData {
  data: Float32Array;
  dims: number[];
}

export interface TensorInfo {
  name: string;
  type: string;
  shape: (number | string)[];
}

/** How the worker reduces each masked run's output before sending it back. */
export type MaskedDecode =
  | { type: 'raw' } // the whole output (classification logits)
  | { type: 'heatmapPeaks'; inputSize: [number, number]; refinement: 'none' | 'quadratic' | 'softargmax' }; // [C, H, W] -> C x (x, y)

export type WorkerRequest =
  | { id: number; type: 'load'; key: string; model: Uint8Array; threads: number; provider: ProviderPreference; memoryArena: boolean }
  | { id: number; type: 'run'; key: string; feeds: Record<string, TensorData>; outputs: string[] }
  | { id: number; type: 'unload'; key: string }
  | { id: number; type: 'setMaskBase'; baseId: string; input: Float32Array; baseline: Float32Array; chunkOf: Int32Array; chunkCount: number }
  | {
      id: number;
      type: 'runMasked';
      key: string;
      baseId: string;
      inputName: string;
      sampleDims: number[];
      masks: Uint8Array;
      output: string;
      decode: MaskedDecode;
    }
  | { id: number; type: 'dropMaskBase'; baseId: string };

export type WorkerResponse =
  | { id: number; ok: true; type: 'load'; provider: ExecutionProvider; gpuError?: string; inputs: TensorInfo[]; outputs: TensorInfo[] }
  | { id: number; ok: true; type: 'run'; outputs: Record<string, TensorData>; ms: number; span: [number, number] }
  | { id: number; ok: true; type: 'unload' }
  | { id: number; ok: true; type: 'setMaskBase' | 'dropMaskBase' }
  | { id: number; ok: true; type: 'runMasked'; values: Float32Array; perSample: number; ms: number; span: [number, number] }
  | { id: number; ok: false; error: string };
