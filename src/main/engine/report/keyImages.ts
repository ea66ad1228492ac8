// Key images: the slice where a saliency map has most of its mass, rendered in the study's window
// with the colour-mapped map blended on top (and landmarks for cephalograms), plus a colour bar
// burned in at the right edge so the image stands alone in a PACS.
import type { Geometry } from '../../../shared/geometry';
import { type OverlayScale, overlayLevel, overlayScale } from '../../../shared/overlayScale';
import { type ColormapName, colormapColor } from '../../../shared/colormaps';
import type { RgbImage } from './rgbImage';

export interface MapVolume {
  geometry: Geometry;
  data: ArrayLike<number>;
}

export interface KeyPoint {
  pixel: [number, number]; // (column, row)
  kind: 'predicted' | 'truth';
}

export const OVERLAY_THRESHOLD = 0.2; // fraction of the map's min..max range below which nothing is drawn
export const OVERLAY_ALPHA = 0.55;
export const PREDICTED_COLOUR: [number, number, number] = [0, 255, 0];
export const TRUTH_COLOUR: [number, number, number] = [255, 0, 255];

/** Sum of the positive map values of each slice k. */
export function sliceMass(map: MapVolume): number[] {
  const [nx, ny, nz] = map.geometry.dimensions;
  const mass = new Array<number>(nz).fill(0);
  for (let k = 0; k < nz; k++) {
    let s = 0;
    for (let o = k * nx * ny, end = o + nx * ny; o < end; o++) if (map.data[o] > 0) s += map.data[o];
    mass[k] = s;
  }
  return mass;
}

/** The most salient slice (argmax of the per-slice mass; the first on ties). */
export function mostSalientSlice(map: MapVolume): number {
  const mass = sliceMass(map);
  let best = 0;
  for (let k = 1; k < mass.length; k++) if (mass[k] > mass[best]) best = k;
  return best;
}

/**
 * One key slice for every method, so a reader compares the maps on the same anatomy: the slice
 * where the methods' masses, each scaled to its own peak, add up most (the first on ties). Maps
 * with no mass at all (an empty significant region) have no say. 0 for no maps.
 */
export function sharedKeySlice(maps: MapVolume[]): number {
  return maps.length ? sharedKeySliceOf(maps.map(sliceMass)) : 0;
}

/** sharedKeySlice from the maps' slice masses (the export keeps these, not the maps). */
export function sharedKeySliceOf(allMasses: number[][]): number {
  const masses = allMasses.filter((m) => m.some((v) => v > 0));
  if (!masses.length) return allMasses.length ? argmax(allMasses[0]) : 0;
  const total = masses[0].map((_, k) => masses.reduce((s, m) => s + m[k] / Math.max(...m), 0));
  return argmax(total);
}

/** Index of the largest value (the first on ties). */
function argmax(v: number[]): number {
  let best = 0;
  for (let k = 1; k < v.length; k++) if (v[k] > v[best]) best = k;
  return best;
}

export function sameGrid(a: Geometry, b: Geometry): boolean {
  const close = (x: readonly number[], y: readonly number[]) => x.every((v, i) => Math.abs(v - y[i]) < 1e-3);
  return close(a.dimensions, b.dimensions) && close(a.spacing, b.spacing) && close(a.origin, b.origin) && close(a.direction, b.direction);
}

export interface RenderArgs {
  voxels: ArrayLike<number>;
  geometry: Geometry;
  window: { center: number; width: number };
  map: MapVolume;
  slice: number;
  points?: KeyPoint[];
  /** Pixels of colour bar burned in at the right edge (0: none). */
  colorbarWidth?: number;
  /** The overlay's colour map (shared/colormaps.ts, as in the viewer). */
  colormap: ColormapName;
  /**
   * A region map (MUPAX's significant evidence: z inside, 0 outside): every voxel > 0 is drawn,
   * coloured over the region's own range; nothing else is.
   */
  region?: boolean;
}

/** Slice `slice` of the study in its window, the map blended on top (its colour map), landmarks, colour bar. */
export function renderKeyImage(a: RenderArgs): RgbImage {
  if (!sameGrid(a.geometry, a.map.geometry)) throw new Error('the saliency map is not on the study grid (was it computed for another series?)');
  const [nx, ny, nz] = a.geometry.dimensions;
  if (a.slice < 0 || a.slice >= nz) throw new RangeError(`slice ${a.slice} is outside 0..${nz - 1}`);
  const base = a.slice * nx * ny;
  const mapSlice = new Float64Array(nx * ny); // every number exactly
  for (let i = 0; i < nx * ny; i++) mapSlice[i] = a.map.data[base + i];
  return renderKeySlice({ ...a, mapSlice, scale: overlayScale(a.map.data, !!a.region) });
}

export interface SliceRenderArgs extends Omit<RenderArgs, 'map' | 'region'> {
  /** The map's values on `slice` (nx * ny, x fastest). */
  mapSlice: ArrayLike<number>;
  /** The colour range of the whole map (overlayScale). */
  scale: OverlayScale;
}

/** renderKeyImage from the map's key slice and its colour range: what the export keeps of a map. */
export function renderKeySlice(a: SliceRenderArgs): RgbImage {
  const [nx, ny, nz] = a.geometry.dimensions;
  if (a.slice < 0 || a.slice >= nz) throw new RangeError(`slice ${a.slice} is outside 0..${nz - 1}`);
  if (a.mapSlice.length !== nx * ny) throw new RangeError(`the map slice has ${a.mapSlice.length} values, the image ${nx * ny}`);
  const bar = a.colorbarWidth ?? 0;
  const gap = bar > 0 ? 2 : 0;
  const width = nx + gap + bar;
  const rgb = new Uint8Array(width * ny * 3);
  const lo = a.window.center - a.window.width / 2;
  const w = Math.max(1e-6, a.window.width);
  const scale = a.scale;
  const base = a.slice * nx * ny;
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const g = Math.round(255 * Math.min(1, Math.max(0, (a.voxels[base + j * nx + i] - lo) / w)));
      const t = overlayLevel(a.mapSlice[j * nx + i], scale, OVERLAY_THRESHOLD);
      const o = (j * width + i) * 3;
      if (t !== null) {
        const c = colormapColor(a.colormap, t);
        const al = OVERLAY_ALPHA;
        rgb[o] = Math.round(g * (1 - al) + c[0] * al);
        rgb[o + 1] = Math.round(g * (1 - al) + c[1] * al);
        rgb[o + 2] = Math.round(g * (1 - al) + c[2] * al);
      } else rgb[o] = rgb[o + 1] = rgb[o + 2] = g;
    }
  }
  if (bar > 0) {
    const margin = Math.round(ny * 0.1);
    for (let j = margin; j < ny - margin; j++) {
      const c = colormapColor(a.colormap, 1 - (j - margin) / Math.max(1, ny - 2 * margin - 1));
      for (let i = nx + gap; i < width; i++) rgb.set(c, (j * width + i) * 3);
    }
  }
  const r = Math.max(3, Math.round(Math.min(nx, ny) / 100));
  for (const p of a.points ?? []) drawMarker(rgb, width, ny, p, r);
  return { width, height: ny, rgb };
}

/** Predicted: a green cross; truth: a magenta ring. */
function drawMarker(rgb: Uint8Array, width: number, height: number, p: KeyPoint, r: number) {
  const [cx, cy] = [Math.round(p.pixel[0]), Math.round(p.pixel[1])];
  const put = (x: number, y: number, c: [number, number, number]) => {
    if (x >= 0 && y >= 0 && x < width && y < height) rgb.set(c, (y * width + x) * 3);
  };
  if (p.kind === 'predicted') {
    for (let d = -2 * r; d <= 2 * r; d++) for (let t = -1; t <= 1; t++) {
      put(cx + d, cy + t, PREDICTED_COLOUR);
      put(cx + t, cy + d, PREDICTED_COLOUR);
    }
  } else {
    const rr = 1.6 * r;
    for (let y = -Math.ceil(rr) - 1; y <= Math.ceil(rr) + 1; y++) for (let x = -Math.ceil(rr) - 1; x <= Math.ceil(rr) + 1; x++) {
      if (Math.abs(Math.hypot(x, y) - rr) <= 1.2) put(cx + x, cy + y, TRUTH_COLOUR);
    }
  }
}
