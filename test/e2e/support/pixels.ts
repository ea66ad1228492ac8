// Pixel statistics of screenshots, so tests check what is drawn, not just that something was taken.
import { PNG } from 'pngjs';

export interface PixelStats {
  mean: number;
  std: number;
  nonBlackFraction: number;
}

function luminance(png: PNG): Float64Array {
  const out = new Float64Array(png.width * png.height);
  for (let i = 0; i < out.length; i++) {
    out[i] = 0.299 * png.data[i * 4] + 0.587 * png.data[i * 4 + 1] + 0.114 * png.data[i * 4 + 2];
  }
  return out;
}

export function stats(buffer: Buffer): PixelStats {
  const l = luminance(PNG.sync.read(buffer));
  let sum = 0, sq = 0, lit = 0;
  for (const v of l) {
    sum += v;
    sq += v * v;
    if (v > 10) lit++;
  }
  const mean = sum / l.length;
  return { mean, std: Math.sqrt(Math.max(0, sq / l.length - mean * mean)), nonBlackFraction: lit / l.length };
}

/** Mean absolute luminance difference of two same-size screenshots (0..255). */
export function meanAbsDiff(a: Buffer, b: Buffer): number {
  const la = luminance(PNG.sync.read(a));
  const lb = luminance(PNG.sync.read(b));
  if (la.length !== lb.length) throw new Error('screenshots differ in size');
  let d = 0;
  for (let i = 0; i < la.length; i++) d += Math.abs(la[i] - lb[i]);
  return d / la.length;
}
