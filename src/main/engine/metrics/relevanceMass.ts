// Relevance mass accuracy (Arras et al. 2022, "CLEVR-XAI"): the share of the map's positive
// relevance that falls inside the ground-truth mask. Negative values (evidence against the target)
// are left out, as in the paper: they are not "where the map points". Chance level: the mask's
// share of the grid, for a map spread evenly.
export function relevanceMassAccuracy(map: Float32Array, mask: Uint8Array): number | null {
  if (map.length !== mask.length) throw new Error(`relevance mass: a map of ${map.length} values and a mask of ${mask.length}`);
  let inside = 0;
  let total = 0;
  for (let v = 0; v < map.length; v++) {
    const r = map[v] > 0 ? map[v] : 0;
    total += r;
    if (mask[v]) inside += r;
  }
  return total > 0 ? inside / total : null; // a map with no positive relevance points nowhere
}
