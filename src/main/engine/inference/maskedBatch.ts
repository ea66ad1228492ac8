// Builds a batch of chunk-masked inputs: voxel v keeps the input where its chunk is selected and
// takes the baseline elsewhere. Runs inside the inference worker, so only the small selection
// vectors cross threads, never thousands of full-size inputs.

export interface MaskBase {
  input: Float32Array;
  baseline: Float32Array;
  /** Chunk index of every voxel of the model input. */
  chunkOf: Int32Array;
  chunkCount: number;
}

/** masks: B x chunkCount bytes (0/1). Writes B inputs into `out` (length >= B * input.length). */
export function fillMaskedBatch(base: MaskBase, masks: Uint8Array, out: Float32Array): number {
  const size = base.input.length;
  const batch = masks.length / base.chunkCount;
  if (!Number.isInteger(batch)) throw new Error('mask length is not a multiple of the chunk count');
  const { input, baseline, chunkOf, chunkCount } = base;
  for (let b = 0; b < batch; b++) {
    const m = b * chunkCount;
    const o = b * size;
    for (let v = 0; v < size; v++) out[o + v] = masks[m + chunkOf[v]] ? input[v] : baseline[v];
  }
  return batch;
}
