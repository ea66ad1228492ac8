// Relevance rank accuracy (Arras et al. 2022, "CLEVR-XAI"): with K the number of voxels in the
// ground-truth mask, the share of the map's K highest voxels that lie inside the mask. Chunk and
// Grad-CAM maps are piecewise constant, so many voxels tie at the K-th value: the tied voxels share
// the remaining places in proportion (the expected value over every order of the ties), so the
// result never depends on voxel numbering. Chance level: the mask's share of the grid.
import { sortedAscending } from './ranking';

export function relevanceRankAccuracy(map: Float32Array, mask: Uint8Array): number | null {
  if (map.length !== mask.length) throw new Error(`relevance rank: a map of ${map.length} values and a mask of ${mask.length}`);
  let k = 0;
  for (let v = 0; v < mask.length; v++) k += mask[v] ? 1 : 0;
  if (k === 0) return null;
  const sorted = sortedAscending(map); // a radix sort, the same values as Float32Array.from(map).sort()
  const threshold = sorted[map.length - k]; // the K-th highest value
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
