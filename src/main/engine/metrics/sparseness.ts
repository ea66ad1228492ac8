// Sparseness (Chalasani et al. 2020, "Concise explanations of neural networks using adversarial
// training"): the Gini index of the map's absolute values. 0 when every voxel carries the same
// relevance, towards 1 when a few voxels carry all of it. A concise map is easier to read, not
// necessarily truer: read it beside the faithfulness measures.
import { sortedAscending } from './ranking';

export function sparseness(map: Float32Array): number | null {
  const n = map.length;
  // Ascending |values| (a radix sort: Float64Array.from(map, Math.abs).sort() took ~0.3 s on a CT).
  const a = sortedAscending(map, true);
  let total = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    total += a[i];
    weighted += (2 * (i + 1) - n - 1) * a[i];
  }
  return total > 0 ? weighted / (n * total) : null; // an all-zero map has no distribution to judge
}
