// The masked-batch builder used by MUPAX inside the inference worker: every voxel takes the input
// where its chunk is kept and the baseline elsewhere, for every sample of the batch.
import { describe, expect, it } from 'vitest';
import { chunkGrid } from '../../src/main/engine/explain/mupax/chunks';
import { fillMaskedBatch } from '../../src/main/engine/inference/maskedBatch';

describe('fillMaskedBatch', () => {
  it.each([
    [[20, 12, 5], [8, 5, 2]], // chunks that do not divide the grid (partial edge chunks)
    [[32, 16, 1], [32, 4, 1]], // 2D, a chunk spanning the whole row
  ] as const)('matches the per-voxel definition on grid %j with chunks %j', (dims, chunk) => {
    const g = chunkGrid([...dims], [...chunk]);
    const size = dims[0] * dims[1] * dims[2];
    const input = Float32Array.from({ length: size }, (_, v) => v + 1);
    const baseline = Float32Array.from({ length: size }, (_, v) => -v - 1);
    const batch = 3;
    const masks = Uint8Array.from({ length: batch * g.count }, (_, i) => (i * 7919) % 3 === 0 ? 1 : 0);
    const out = new Float32Array(batch * size);
    expect(fillMaskedBatch({ input, baseline, chunkOf: g.chunkOf, chunkCount: g.count }, masks, out)).toBe(batch);
    for (let b = 0; b < batch; b++) {
      for (let v = 0; v < size; v++) {
        const kept = masks[b * g.count + g.chunkOf[v]] === 1;
        expect(out[b * size + v]).toBe(kept ? input[v] : baseline[v]);
      }
    }
  });
});
