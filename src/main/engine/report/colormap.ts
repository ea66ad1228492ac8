// The saliency colour map (jet, as the viewer uses) and an RGB image type shared by the exports.

export interface RgbImage {
  width: number;
  height: number;
  /** Interleaved RGB, row-major, 8 bits per sample. */
  rgb: Uint8Array;
}

/** Jet colour of t in [0, 1]: dark blue -> blue -> cyan -> yellow -> red -> dark red. */
export function jet(t: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, t));
  const c = (x: number) => Math.round(255 * Math.min(1, Math.max(0, x)));
  return [c(1.5 - Math.abs(4 * v - 3)), c(1.5 - Math.abs(4 * v - 2)), c(1.5 - Math.abs(4 * v - 1))];
}

/** A vertical colour bar (top = 1, bottom = 0). */
export function colorbar(width: number, height: number): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const [r, g, b] = jet(1 - y / Math.max(1, height - 1));
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
