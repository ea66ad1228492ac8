// Relevance rank accuracy (Arras et al. 2022, "CLEVR-XAI"): with K the number of voxels in the
// ground-truth mask, the share of the map's K highest voxels that lie inside the mask. Chunk and
// Grad-CAM maps are piecewise constant, so many voxels tie at the K-th value: the tied voxels share
// the remaining places in proportion (the expected value over every order of the ties), so the
// result never depends on voxel numbering. Chance level: the mask's share of the grid.
import { valueAtAscending, valueAtAscendingAsync } from './ranking';

export function relevanceRankAccuracy(map: Float32Array, mask: Uint8Array): number | null {
  const k = maskSize(map, mask);
  // The K-th highest value: Float32Array.from(map).sort()[n - K], by a radix select (no full sort).
  return k === 0 ? null : accuracyAt(map, mask, k, valueAtAscending(map, map.length - k));
}

/** The same, its select run in steps with the event loop turning between them (the engine's thread). */
export async function relevanceRankAccuracyAsync(map: Float32Array, mask: Uint8Array, signal?: AbortSignal): Promise<number | null> {
  const k = maskSize(map, mask);
  return k === 0 ? null : accuracyAt(map, mask, k, await valueAtAscendingAsync(map, map.length - k, signal));
}

function maskSize(map: Float32Array, mask: Uint8Array): number {
  if (map.length !== mask.length) throw new Error(`relevance rank: a map of ${map.length} values and a mask of ${mask.length}`);
  let k = 0;
  for (let v = 0; v < mask.length; v++) k += mask[v] ? 1 : 0;
  return k;
}

/** The share of the top K inside the mask, given the K-th highest value. */
function accuracyAt(map: Float32Array, mask: Uint8Array, k: number, threshold: number): number {
  let above = 0;
  let aboveInside = 0;
  let tied = 0;
  let tiedInside = 0;
  for (let v = 0; v < map.length; v++) {
    if (map[v] > threshold) {
      above++;
      if (mask[v]) aboveInside++;
    } else if (map[v] === threshold) {
      tied++;
      if (mask[v]) tiedInside++;
    }
  }
  return (aboveInside + ((k - above) * tiedInside) / tied) / k;
}
