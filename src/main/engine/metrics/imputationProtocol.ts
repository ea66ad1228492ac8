/** Messages between the ROAD imputation thread's host (imputationThread.ts) and its worker (imputationWorker.ts). */
import type { ImputationOptions } from './imputation';

export type ImputationRequest =
  /** The input every later request imputes, in its own ArrayBuffer (transferred, sent once per session). */
  | { kind: 'input'; x: Float32Array; dims: [number, number, number] }
  /** One curve point: the voxels to impute, in their own ArrayBuffer (transferred). */
  | { kind: 'impute'; id: number; removed: Uint8Array; options: ImputationOptions }
  /** The map whose ranking (curves.ts order) later 'imputeTop' requests use, in its own ArrayBuffer (transferred). */
  | { kind: 'rank'; map: Float32Array }
  /** One curve point by the ranking: the top `fraction` removed (deleting) or all but it (inserting). */
  | { kind: 'imputeTop'; id: number; fraction: number; deleting: boolean; options: ImputationOptions };

export type ImputationResponse =
  /** The imputed input, its buffer transferred back. */
  | { id: number; ok: true; out: Float32Array }
  | { id: number; ok: false; reason: string };
