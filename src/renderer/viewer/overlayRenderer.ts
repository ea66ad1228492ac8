// Draws a saliency map (on its own model grid, in patient space) over any cornerstone viewport:
// each canvas pixel is mapped to the map's grid through the viewport camera (canvas -> world ->
// grid index is affine on a plane), sampled trilinearly and colour-mapped. One renderer for MPR
// volume viewports and 2D stack viewports alike; alignment comes from the shared geometry.
import { patientToIndex, type Geometry, type Vec3 } from '../../shared/geometry';
import { overlayLevel } from '../../shared/overlayScale';
import { sampleAt } from '../../shared/sampleAt';
import { kthLargest } from '../../shared/topRegion';
import { lut, type ColormapName } from './colormaps';

export interface OverlayMap {
  data: Float32Array; // [z][y][x] on `grid`
  grid: Geometry;
  min: number;
  max: number;
  /**
   * A region map (MUPAX's significant evidence): values <= 0 lie outside the region and are never
   * drawn, and voxels are sampled nearest, so what is lit is exactly the region.
   */
  region?: boolean;
  /** A label map (an imported SEG, every segment): value n is drawn in colour n, unlisted values not at all. */
  labelColours?: Record<number, [number, number, number]>;
}

export interface OverlayStyle {
  colormap: ColormapName;
  opacity: number; // 0..1
  threshold: number; // 0..1 of the normalized value: transparent below
  /** fill: colour-mapped values; outline: the contour of the region holding the top `topPercent`% of voxels. */
  display: 'fill' | 'outline';
  topPercent: number; // 0..100
}

const topValues = new WeakMap<Float32Array, Map<number, number>>();

/** The smallest value among the top `percent`% of the map's voxels (cached per map and percent). */
export function topPercentValue(map: OverlayMap, percent: number): number {
  let byPercent = topValues.get(map.data);
  if (!byPercent) topValues.set(map.data, (byPercent = new Map()));
  let v = byPercent.get(percent);
  if (v === undefined) {
    v = kthLargest(map.data, Math.max(1, Math.round((map.data.length * percent) / 100)), [map.min, map.max]);
    byPercent.set(percent, v);
  }
  return v;
}
/** Which canvas columns to draw, as fractions of the width (swipe comparison). */
export interface ColumnRange {
  from: number;
  to: number;
}

/** The map at a continuous index: nearest for a region (it keeps its edges), trilinear otherwise. */
function sample(map: OverlayMap, i: number, j: number, k: number): number {
  return sampleAt(map.data, map.grid.dimensions, i, j, k, map.region ? 'nearest' : 'linear');
}

/**
 * Draws `map` (or, with `minus`, the difference of the two maps each normalized to [0, 1], shown
 * with 0.5 = no difference) into the canvas columns `columns`; other columns are left as they are.
 */
export function drawOverlay(
  canvas: HTMLCanvasElement,
  worldAt: (x: number, y: number) => Vec3,
  map: OverlayMap,
  style: OverlayStyle,
  columns: ColumnRange = { from: 0, to: 1 },
  minus?: OverlayMap,
): void {
  // The canvas may be smaller than its box (see OVERLAY_SCALE): canvas pixel -> box pixel.
  const w = canvas.width;
  const h = canvas.height;
  // One factor per axis: each canvas side is rounded on its own, so the two ratios differ slightly,
  // and using one for both shifted the map by up to a box pixel at the far edge.
  const sx = canvas.clientWidth / Math.max(1, w);
  const sy = canvas.clientHeight / Math.max(1, h);
  const ctx = canvas.getContext('2d');
  if (!ctx || w === 0 || h === 0) return;
  const x0 = Math.max(0, Math.round(columns.from * w));
  const x1 = Math.min(w, Math.round(columns.to * w));
  if (x1 <= x0) return;
  const image = ctx.createImageData(x1 - x0, h);
  const iw = x1 - x0;
  // canvas (x, y) -> grid index is affine: index = o + x * dx + y * dy, sampled at pixel centres.
  const o = patientToIndex(map.grid, worldAt(0.5 * sx, 0.5 * sy));
  const ex = patientToIndex(map.grid, worldAt(1.5 * sx, 0.5 * sy));
  const ey = patientToIndex(map.grid, worldAt(0.5 * sx, 1.5 * sy));
  const dx = [ex[0] - o[0], ex[1] - o[1], ex[2] - o[2]];
  const dy = [ey[0] - o[0], ey[1] - o[1], ey[2] - o[2]];
  const table = lut(style.colormap);
  const range = map.max - map.min || 1;
  const rangeB = minus ? minus.max - minus.min || 1 : 1;
  const alpha = Math.round(style.opacity * 255);
  const px = image.data;
  if (style.display === 'outline' && !minus) {
    drawOutline(
      px,
      iw,
      h,
      (x, y) => sample(map, o[0] + x * dx[0] + y * dy[0], o[1] + x * dx[1] + y * dy[1], o[2] + x * dx[2] + y * dy[2]),
      x0,
      topPercentValue(map, style.topPercent),
      map.min,
      table,
    );
    ctx.putImageData(image, x0, 0);
    return;
  }
  for (let y = 0; y < h; y++) {
    for (let x = x0; x < x1; x++) {
      const i = o[0] + x * dx[0] + y * dy[0];
      const j = o[1] + x * dx[1] + y * dy[1];
      const k = o[2] + x * dx[2] + y * dy[2];
      const v = sample(map, i, j, k);
      let t: number;
      const label = map.labelColours && !minus ? map.labelColours[Math.round(v)] : undefined;
      if (map.labelColours && !minus) {
        if (!label) continue;
        const p = (y * iw + (x - x0)) * 4;
        [px[p], px[p + 1], px[p + 2], px[p + 3]] = [label[0], label[1], label[2], alpha];
        continue;
      }
      if (minus) {
        if (Number.isNaN(v) || (map.region && v <= 0)) continue;
        const u = sample(minus, i, j, k);
        if (Number.isNaN(u)) continue;
        const d = Math.max(0, (v - map.min) / range) - (u - minus.min) / rangeB; // in [-1, 1]
        if (Math.abs(d) < style.threshold) continue;
        t = (d + 1) / 2;
      } else {
        // The rule the report's key images use too; a region is drawn whole (its threshold is the FDR test).
        const level = overlayLevel(v, map, style.threshold);
        if (level === null) continue;
        t = level;
      }
      const c = Math.min(255, Math.max(0, Math.round(t * 255))) * 3;
      const p = (y * iw + (x - x0)) * 4;
      px[p] = table[c];
      px[p + 1] = table[c + 1];
      px[p + 2] = table[c + 2];
      px[p + 3] = alpha;
    }
  }
  ctx.putImageData(image, x0, 0);
}

/**
 * Marks the canvas pixels inside the region (value >= cut, above the floor), then paints the inside pixels that
 * touch an outside one: a one-pixel contour in the colormap's top colour, fully opaque.
 */
function drawOutline(
  px: Uint8ClampedArray,
  iw: number,
  h: number,
  valueAt: (x: number, y: number) => number,
  x0: number,
  cut: number,
  floor: number,
  table: Uint8ClampedArray,
): void {
  const inside = new Uint8Array(iw * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < iw; x++) {
      const v = valueAt(x + x0, y);
      // As the SEG's top region: at or above the cut, never the map's minimum (a flat map has none).
      inside[y * iw + x] = v >= cut && v > floor ? 1 : 0;
    }
  }
  const top = 255 * 3;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < iw; x++) {
      const q = y * iw + x;
      if (!inside[q]) continue;
      // The canvas border is not a contour: the region goes on beyond it.
      const edge = (x > 0 && !inside[q - 1]) || (x < iw - 1 && !inside[q + 1]) || (y > 0 && !inside[q - iw]) || (y < h - 1 && !inside[q + iw]);
      if (!edge) continue;
      const p = q * 4;
      px[p] = table[top];
      px[p + 1] = table[top + 1];
      px[p + 2] = table[top + 2];
      px[p + 3] = 255;
    }
  }
}
