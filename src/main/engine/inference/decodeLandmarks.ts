// Heatmaps -> landmark positions: argmax with quadratic sub-pixel refinement, on the model grid.

export interface HeatmapPeak {
  /** Continuous (x, y) in heatmap pixels. */
  x: number;
  y: number;
  value: number;
}

/** Vertex offset of the parabola through (-1, a), (0, b), (1, c), clamped to half a pixel. */
function parabolaOffset(a: number, b: number, c: number): number {
  const denom = a - 2 * b + c;
  if (denom >= 0) return 0; // not a maximum: keep the integer peak
  return Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denom));
}

export function decodePeak(map: ArrayLike<number>, width: number, height: number, refinement: 'none' | 'quadratic' | 'softargmax'): HeatmapPeak {
  // The running maximum in a local: reading map[best] on every step made this loop the largest
  // cost of a landmark model's MUPAX after the forward pass (1.6M values per sample on the ceph).
  let best = 0;
  let value = map[0];
  for (let i = 1, n = width * height; i < n; i++) {
    const v = map[i];
    if (v > value) {
      value = v;
      best = i;
    }
  }
  const px = best % width;
  const py = Math.floor(best / width);
  if (refinement === 'none') return { x: px, y: py, value };
  if (refinement === 'softargmax') {
    // Local soft-argmax in a 5x5 window (robust to flat-topped peaks).
    let sw = 0, sx = 0, sy = 0;
    for (let y = Math.max(0, py - 2); y <= Math.min(height - 1, py + 2); y++) {
      for (let x = Math.max(0, px - 2); x <= Math.min(width - 1, px + 2); x++) {
        const w = Math.exp(map[y * width + x] - value);
        sw += w; sx += w * x; sy += w * y;
      }
    }
    return { x: sx / sw, y: sy / sw, value };
  }
  const at = (x: number, y: number) => map[y * width + x];
  const dx = px > 0 && px < width - 1 ? parabolaOffset(at(px - 1, py), value, at(px + 1, py)) : 0;
  const dy = py > 0 && py < height - 1 ? parabolaOffset(at(px, py - 1), value, at(px, py + 1)) : 0;
  return { x: px + dx, y: py + dy, value };
}

/**
 * Decodes [C, H, W] heatmaps into C peaks in MODEL-GRID index coordinates (the input grid); when
 * the heatmaps are smaller than the input grid, pixel centres are scaled (align-corners false).
 */
export function decodeHeatmaps(
  data: Float32Array,
  channels: number,
  height: number,
  width: number,
  inputSize: [number, number], // [width, height] of the model input grid
  refinement: 'none' | 'quadratic' | 'softargmax',
): HeatmapPeak[] {
  const sx = inputSize[0] / width;
  const sy = inputSize[1] / height;
  const peaks: HeatmapPeak[] = [];
  for (let c = 0; c < channels; c++) {
    const p = decodePeak(data.subarray(c * width * height, (c + 1) * width * height), width, height, refinement);
    peaks.push({ x: (p.x + 0.5) * sx - 0.5, y: (p.y + 0.5) * sy - 0.5, value: p.value });
  }
  return peaks;
}
