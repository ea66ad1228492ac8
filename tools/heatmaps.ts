// Heatmap decoding used by the offline evaluation and the reference test: per landmark, the argmax
// of its heatmap, refined by a parabola through the peak and its two neighbours along each axis
// (offset clamped to +-0.5; 0 at the border or when the neighbourhood is not strictly concave).
// Same rule as decode_heatmaps in tools/train_common.py and the manifest's refinement 'quadratic'.

/** heatmaps: [L][H][W] flat (one batch item). Returns L continuous (i, j) = (column, row) indices. */
export function decodeHeatmaps(heatmaps: ArrayLike<number>, count: number, height: number, width: number): [number, number][] {
  const out: [number, number][] = [];
  const plane = height * width;
  for (let l = 0; l < count; l++) {
    const base = l * plane;
    let best = 0;
    let max = -Infinity;
    for (let p = 0; p < plane; p++) {
      const v = heatmaps[base + p];
      if (v > max) { max = v; best = p; }
    }
    const r = Math.floor(best / width);
    const c = best - r * width;
    const at = (rr: number, cc: number): number => heatmaps[base + rr * width + cc];
    const refine = (a: number, b: number, e: number): number => {
      const den = a - 2 * b + e;
      return den < 0 ? Math.min(0.5, Math.max(-0.5, (0.5 * (a - e)) / den)) : 0;
    };
    const dx = c > 0 && c < width - 1 ? refine(at(r, c - 1), at(r, c), at(r, c + 1)) : 0;
    const dy = r > 0 && r < height - 1 ? refine(at(r - 1, c), at(r, c), at(r + 1, c)) : 0;
    out.push([c + dx, r + dy]);
  }
  return out;
}
