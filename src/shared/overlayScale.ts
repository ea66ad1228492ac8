// Which map values an overlay draws, and where in the colour map: one rule for the viewer's
// overlays and the report's key images, so a map looks the same on screen and in the PDF.
import { valueRange } from './valueRange';

export interface OverlayScale {
  min: number;
  max: number;
  /** A region map (significant evidence): drawn whole inside the region, nothing outside. */
  region?: boolean;
}

/** A map's colour range: its value range, or for a region the range of its values above 0. */
export function overlayScale(data: ArrayLike<number>, region: boolean): OverlayScale {
  if (!region) {
    const [min, max] = valueRange(data);
    return { min, max };
  }
  let min = Infinity;
  let max = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v > 0 && v < min) min = v;
    if (v > max) max = v;
  }
  return { min: Number.isFinite(min) ? min : 0, max, region: true };
}

/**
 * The colour-map position (0..1) of value `v`, or null where nothing is drawn: outside the map
 * (NaN), outside a region (v <= 0), or for other maps below `threshold` of the range. A region
 * whose values are all equal takes the top colour (it is all significant).
 */
export function overlayLevel(v: number, s: OverlayScale, threshold: number): number | null {
  if (Number.isNaN(v)) return null;
  const span = s.max - s.min;
  if (s.region) return v > 0 ? (span > 0 ? Math.min(1, Math.max(0, (v - s.min) / span)) : 1) : null;
  const t = span > 0 ? (v - s.min) / span : 0;
  return t >= threshold ? Math.min(1, Math.max(0, t)) : null;
}
