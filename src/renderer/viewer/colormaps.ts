// The overlays' colour maps: the shared set (shared/colormaps.ts, also used by the exported key
// images), and the CSS gradient of a map for the legend.
import { type ColormapName, SALIENCY_COLORMAPS, colormapLut } from '../../shared/colormaps';

export type { ColormapName };

export const COLORMAPS = SALIENCY_COLORMAPS;

/** RGB triplets for 256 levels. */
export const lut = colormapLut;

/** CSS gradient of a colormap, for the colorbar legend. */
export function cssGradient(name: ColormapName): string {
  const t = lut(name);
  const stops = [0, 64, 128, 192, 255].map((i) => `rgb(${t[i * 3]}, ${t[i * 3 + 1]}, ${t[i * 3 + 2]}) ${((i / 255) * 100).toFixed(0)}%`);
  return `linear-gradient(to right, ${stops.join(', ')})`;
}
