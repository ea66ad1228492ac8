// Sparseness (Chalasani et al. 2020, "Concise explanations of neural networks using adversarial
// training"): the Gini index of the map's absolute values. 0 when every voxel carries the same
// relevance, towards 1 when a few voxels carry all of it. A concise map is easier to read, not
// necessarily truer: read it beside the faithfulness measures.
import { sortedAscending, sortedAscendingAsync } from './ranking';

export function sparseness(map: Float32Array): number | null {
  return gini(sortedAscending(map, true));
}

/** The same, its sort run in steps with the event loop turning between them (the engine's thread). */
export async function sparsenessAsync(map: Float32Array, signal?: AbortSignal): Promise<number | null> {
  return gini(await sortedAscendingAsync(map, true, signal));
}

/**
 * The Gini index of ascending |values| (a radix sort: Float64Array.from(map, Math.abs).sort() took
 * ~0.3 s on a CT; the values and the order of the sums are the same, so is the result).
 */
function gini(a: Float32Array): number | null {
  const n = a.length;
  let total = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    total += a[i];
    weighted += (2 * (i + 1) - n - 1) * a[i];
  }
  return total > 0 ? weighted / (n * total) : null; // an all-zero map has no distribution to judge
}
