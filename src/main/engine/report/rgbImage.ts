// The RGB image the exports draw (key images, colour bars), and its downscale for the PDF.
import { type ColormapName, colormapColor } from '../../../shared/colormaps';

export interface RgbImage {
  width: number;
  height: number;
  /** Interleaved RGB, row-major, 8 bits per sample. */
  rgb: Uint8Array;
}

/** A vertical colour bar of a colour map (top = 1, bottom = 0). */
export function colorbar(width: number, height: number, colormap: ColormapName): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const [r, g, b] = colormapColor(colormap, 1 - y / Math.max(1, height - 1));
    for (let x = 0; x < width; x++) rgb.set([r, g, b], (y * width + x) * 3);
  }
  return { width, height, rgb };
}

/** Nearest-neighbour downscale so that neither side exceeds maxSide (images already small are kept). */
export function fitWithin(img: RgbImage, maxSide: number): RgbImage {
  const f = Math.max(img.width, img.height) / maxSide;
  if (f <= 1) return img;
  const width = Math.max(1, Math.round(img.width / f));
  const height = Math.max(1, Math.round(img.height / f));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(img.height - 1, Math.floor((y + 0.5) * f));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(img.width - 1, Math.floor((x + 0.5) * f));
      const s = (sy * img.width + sx) * 3;
      rgb.set(img.rgb.subarray(s, s + 3), (y * width + x) * 3);
    }
  }
  return { width, height, rgb };
}
