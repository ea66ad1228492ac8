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

export type WorkerRequest =
  | { id: number; type: 'load'; key: string; model: Uint8Array; threads: number; preferGpu: boolean; memoryArena: boolean }
  | { id: number; type: 'run'; key: string; feeds: Record<string, TensorData>; outputs: string[] }
  | { id: number; type: 'unload'; key: string };

export type WorkerResponse =
  | { id: number; ok: true; type: 'load'; provider: 'cuda' | 'cpu'; gpuError?: string; inputs: TensorInfo[]; outputs: TensorInfo[] }
  | { id: number; ok: true; type: 'run'; outputs: Record<string, TensorData>; ms: number }
  | { id: number; ok: true; type: 'unload' }
  | { id: number; ok: false; error: string };
