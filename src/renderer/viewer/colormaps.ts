// 256-entry RGB lookup tables for saliency overlays. Viridis (perceptually uniform, the default)
// uses the polynomial fit of matplotlib's map; jet and hot are their usual piecewise definitions.
export type ColormapName = 'viridis' | 'jet' | 'hot' | 'gray' | 'coolwarm';

export const COLORMAPS: ColormapName[] = ['viridis', 'jet', 'hot', 'gray'];

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

function viridis(t: number): [number, number, number] {
  // Polynomial approximation of matplotlib's viridis (max error < 1/255 per channel).
  const c0 = [0.2777273272234177, 0.005407344544966578, 0.3340998053353061];
  const c1 = [0.1050930431085774, 1.404613529898575, 1.384590162594685];
  const c2 = [-0.3308618287255563, 0.214847559468213, 0.09509516302823659];
  const c3 = [-4.634230498983486, -5.799100973351585, -19.33244095627987];
  const c4 = [6.228269936347081, 14.17993336680509, 56.69055260068105];
  const c5 = [4.776384997670288, -13.74514537774601, -65.35303263337234];
  const c6 = [-5.435455855934631, 4.645852612178535, 26.3124352495832];
  return [0, 1, 2].map((i) => clamp01(c0[i] + t * (c1[i] + t * (c2[i] + t * (c3[i] + t * (c4[i] + t * (c5[i] + t * c6[i]))))))) as [number, number, number];
}

const jet = (t: number): [number, number, number] => [clamp01(1.5 - Math.abs(4 * t - 3)), clamp01(1.5 - Math.abs(4 * t - 2)), clamp01(1.5 - Math.abs(4 * t - 1))];
// Diverging blue-white-red, for differences (0.5 = no difference).
const coolwarm = (t: number): [number, number, number] =>
  t < 0.5 ? [0.23 + 1.54 * t, 0.3 + 1.4 * t, 0.75 + 0.5 * t] : [1, 1 - 1.6 * (t - 0.5), 1 - 1.7 * (t - 0.5)];
const hot = (t: number): [number, number, number] => [clamp01(t / 0.375), clamp01((t - 0.375) / 0.375), clamp01((t - 0.75) / 0.25)];

const cache = new Map<ColormapName, Uint8ClampedArray>();

/** RGB triplets for 256 levels. */
export function lut(name: ColormapName): Uint8ClampedArray {
  let table = cache.get(name);
  if (!table) {
    table = new Uint8ClampedArray(256 * 3);
    const f = name === 'viridis' ? viridis : name === 'jet' ? jet : name === 'hot' ? hot : name === 'coolwarm' ? coolwarm : (t: number) => [t, t, t] as [number, number, number];
    for (let i = 0; i < 256; i++) f(i / 255).forEach((c, k) => (table![i * 3 + k] = Math.round(c * 255)));
    cache.set(name, table);
  }
  return table;
}

/** CSS gradient of a colormap, for the colorbar legend. */
export function cssGradient(name: ColormapName): string {
  const t = lut(name);
  const stops = [0, 64, 128, 192, 255].map((i) => `rgb(${t[i * 3]}, ${t[i * 3 + 1]}, ${t[i * 3 + 2]}) ${((i / 255) * 100).toFixed(0)}%`);
  return `linear-gradient(to right, ${stops.join(', ')})`;
}
