// The saliency colour maps, one set for the viewer's overlays and the exported key images: the same
// name gives the same colours on screen, in the PDF and in the DICOM key images. Viridis
// (perceptually uniform) uses a polynomial fit of matplotlib's map; jet and hot are their usual
// piecewise definitions; coolwarm is diverging, for differences (0.5 = no difference).
export const COLORMAP_NAMES = ['viridis', 'jet', 'hot', 'gray', 'coolwarm'] as const;
export type ColormapName = (typeof COLORMAP_NAMES)[number];

/** The maps offered for saliency (coolwarm is kept for signed differences). */
export const SALIENCY_COLORMAPS = ['viridis', 'jet', 'hot', 'gray'] as const satisfies readonly ColormapName[];

export function isSaliencyColormap(name: string): name is (typeof SALIENCY_COLORMAPS)[number] {
  return (SALIENCY_COLORMAPS as readonly string[]).includes(name);
}

type Rgb = [number, number, number];

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

function viridis(t: number): Rgb {
  // Polynomial approximation of matplotlib's viridis: within 4 of 255 levels of its table at the
  // quartiles (test/unit/colormaps.test.ts), not exact; the viewer always drew this fit.
  const c0 = [0.2777273272234177, 0.005407344544966578, 0.3340998053353061];
  const c1 = [0.1050930431085774, 1.404613529898575, 1.384590162594685];
  const c2 = [-0.3308618287255563, 0.214847559468213, 0.09509516302823659];
  const c3 = [-4.634230498983486, -5.799100973351585, -19.33244095627987];
  const c4 = [6.228269936347081, 14.17993336680509, 56.69055260068105];
  const c5 = [4.776384997670288, -13.74514537774601, -65.35303263337234];
  const c6 = [-5.435455855934631, 4.645852612178535, 26.3124352495832];
  return [0, 1, 2].map((i) => clamp01(c0[i] + t * (c1[i] + t * (c2[i] + t * (c3[i] + t * (c4[i] + t * (c5[i] + t * c6[i]))))))) as Rgb;
}

const jet = (t: number): Rgb => [clamp01(1.5 - Math.abs(4 * t - 3)), clamp01(1.5 - Math.abs(4 * t - 2)), clamp01(1.5 - Math.abs(4 * t - 1))];
const coolwarm = (t: number): Rgb => (t < 0.5 ? [0.23 + 1.54 * t, 0.3 + 1.4 * t, 0.75 + 0.5 * t] : [1, 1 - 1.6 * (t - 0.5), 1 - 1.7 * (t - 0.5)]);
const hot = (t: number): Rgb => [clamp01(t / 0.375), clamp01((t - 0.375) / 0.375), clamp01((t - 0.75) / 0.25)];
const gray = (t: number): Rgb => [t, t, t];

const MAPS: Record<ColormapName, (t: number) => Rgb> = { viridis, jet, hot, gray, coolwarm };

/** The 8-bit colour of t (clamped to [0, 1]) in the named map. */
export function colormapColor(name: ColormapName, t: number): Rgb {
  return MAPS[name](clamp01(t)).map((c) => Math.round(c * 255)) as Rgb;
}

const tables = new Map<ColormapName, Uint8ClampedArray>();

/** RGB triplets for 256 levels (level i is t = i / 255). */
export function colormapLut(name: ColormapName): Uint8ClampedArray {
  let table = tables.get(name);
  if (!table) {
    table = new Uint8ClampedArray(256 * 3);
    for (let i = 0; i < 256; i++) table.set(colormapColor(name, i / 255), i * 3);
    tables.set(name, table);
  }
  return table;
}
