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
  return refinePeak(best, (x, y) => map[y * width + x], width, height, refinement);
}

/** The window side peakGraph.ts returns around each argmax (5: what softargmax reads). */
const WINDOW = 5;

/**
 * The same peak as decodePeak, from the flat argmax and the 5x5 window of values around it that
 * the model's peak graph returns (inference/peakGraph.ts): no heatmap leaves ONNX Runtime.
 */
export function decodePeakWindow(
  best: number,
  window: ArrayLike<number>,
  width: number,
  height: number,
  refinement: 'none' | 'quadratic' | 'softargmax',
): HeatmapPeak {
  const px = best % width;
  const py = Math.floor(best / width);
  const r = (WINDOW - 1) / 2;
  return refinePeak(best, (x, y) => window[(y - py + r) * WINDOW + (x - px + r)], width, height, refinement);
}

/** Sub-pixel refinement around the integer peak `best`; `at` reads the map within 2 pixels of it. */
function refinePeak(best: number, at: (x: number, y: number) => number, width: number, height: number, refinement: 'none' | 'quadratic' | 'softargmax'): HeatmapPeak {
  const px = best % width;
  const py = Math.floor(best / width);
  const value = at(px, py);
  if (refinement === 'none') return { x: px, y: py, value };
  if (refinement === 'softargmax') {
    // Local soft-argmax in a 5x5 window (robust to flat-topped peaks).
    let sw = 0, sx = 0, sy = 0;
    for (let y = Math.max(0, py - 2); y <= Math.min(height - 1, py + 2); y++) {
      for (let x = Math.max(0, px - 2); x <= Math.min(width - 1, px + 2); x++) {
        const w = Math.exp(at(x, y) - value);
        sw += w; sx += w * x; sy += w * y;
      }
    }
    return { x: sx / sw, y: sy / sw, value };
  }
  const dx = px > 0 && px < width - 1 ? parabolaOffset(at(px - 1, py), value, at(px + 1, py)) : 0;
  const dy = py > 0 && py < height - 1 ? parabolaOffset(at(px, py - 1), value, at(px, py + 1)) : 0;
  return { x: px + dx, y: py + dy, value };
}

/** A heatmap-pixel peak in MODEL-GRID index coordinates (pixel centres scaled, align-corners false). */
export function peakToInputGrid(p: HeatmapPeak, width: number, height: number, inputSize: [number, number]): HeatmapPeak {
  const sx = inputSize[0] / width;
  const sy = inputSize[1] / height;
  return { x: (p.x + 0.5) * sx - 0.5, y: (p.y + 0.5) * sy - 0.5, value: p.value };
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
  const peaks: HeatmapPeak[] = [];
  for (let c = 0; c < channels; c++) {
    const p = decodePeak(data.subarray(c * width * height, (c + 1) * width * height), width, height, refinement);
    peaks.push(peakToInputGrid(p, width, height, inputSize));
  }
  return peaks;
}
