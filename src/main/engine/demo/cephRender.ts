// Turns the cephalogram's outlines into an X-ray-like image: shapes add attenuation into a soft
// and a bone layer (scanline fills, disc-stamped strokes), soft tissue is blurred wide (it thins
// towards the profile), everything gets the detector's blur, then I = 1 - exp(-mu * A) plus noise.
import type { CephShape } from './cephAnatomy';
import type { P2 } from './plane';
import { gaussianTable, type Rng } from '../random';

export interface Raster {
  width: number;
  height: number;
}

/** Even-odd scanline fill of a closed polygon (pixel coordinates), adding `value` (times texture). */
function fillPolygon(r: Raster, layer: Float32Array, pts: P2[], value: number, tex: Float32Array | null, texAmount: number): void {
  const { width, height } = r;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const p of pts) {
    yMin = Math.min(yMin, p[1]);
    yMax = Math.max(yMax, p[1]);
  }
  const j0 = Math.max(0, Math.ceil(yMin));
  const j1 = Math.min(height - 1, Math.floor(yMax));
  if (j0 > j1) return;
  // Bucket each edge's crossings by row: cost ~ perimeter, not edges x rows.
  const rows: number[][] = Array.from({ length: j1 - j0 + 1 }, () => []);
  for (let e = 0; e < pts.length; e++) {
    const [x0, y0] = pts[e];
    const [x1, y1] = pts[(e + 1) % pts.length];
    if (y0 === y1) continue;
    const lo = Math.max(j0, Math.ceil(Math.min(y0, y1)));
    const hi = Math.min(j1, Math.ceil(Math.max(y0, y1)) - 1); // half-open: a vertex counts once
    const slope = (x1 - x0) / (y1 - y0);
    for (let j = lo; j <= hi; j++) rows[j - j0].push(x0 + (j - y0) * slope);
  }
  for (let j = j0; j <= j1; j++) {
    const xs = rows[j - j0];
    if (xs.length < 2) continue;
    xs.sort((a, b) => a - b);
    const o = j * width;
    for (let n = 0; n + 1 < xs.length; n += 2) {
      const i0 = Math.max(0, Math.ceil(xs[n]));
      const i1 = Math.min(width - 1, Math.ceil(xs[n + 1]) - 1);
      if (tex && texAmount > 0) for (let i = i0; i <= i1; i++) layer[o + i] += value * (1 + texAmount * tex[o + i]);
      else for (let i = i0; i <= i1; i++) layer[o + i] += value;
    }
  }
}

/** Thick polyline: discs stamped into a mask (so overlaps count once), then added. */
function strokePolyline(
  r: Raster, layer: Float32Array, mask: Uint8Array, pts: P2[], radius: number, closed: boolean,
  value: number, tex: Float32Array | null, texAmount: number,
): void {
  const { width, height } = r;
  let i0 = width;
  let i1 = -1;
  let j0 = height;
  let j1 = -1;
  const rr = radius * radius;
  const stamp = (cx: number, cy: number): void => {
    const a0 = Math.max(0, Math.ceil(cx - radius));
    const a1 = Math.min(width - 1, Math.floor(cx + radius));
    const b0 = Math.max(0, Math.ceil(cy - radius));
    const b1 = Math.min(height - 1, Math.floor(cy + radius));
    for (let j = b0; j <= b1; j++) {
      const dy = j - cy;
      for (let i = a0; i <= a1; i++) {
        const dx = i - cx;
        if (dx * dx + dy * dy <= rr) mask[j * width + i] = 1;
      }
    }
    if (a0 <= a1 && b0 <= b1) {
      i0 = Math.min(i0, a0);
      i1 = Math.max(i1, a1);
      j0 = Math.min(j0, b0);
      j1 = Math.max(j1, b1);
    }
  };
  const step = Math.max(0.5, radius / 2);
  const n = closed ? pts.length : pts.length - 1;
  for (let e = 0; e < n; e++) {
    const [x0, y0] = pts[e];
    const [x1, y1] = pts[(e + 1) % pts.length];
    const len = Math.hypot(x1 - x0, y1 - y0);
    const k = Math.max(1, Math.ceil(len / step));
    for (let s = 0; s < k; s++) stamp(x0 + ((x1 - x0) * s) / k, y0 + ((y1 - y0) * s) / k);
  }
  if (!closed && pts.length) stamp(pts[pts.length - 1][0], pts[pts.length - 1][1]);
  for (let j = j0; j <= j1; j++) {
    for (let i = i0; i <= i1; i++) {
      const p = j * width + i;
      if (!mask[p]) continue;
      mask[p] = 0;
      layer[p] += tex && texAmount > 0 ? value * (1 + texAmount * tex[p]) : value;
    }
  }
}

/** Box blur of radius r along rows (stride 1) or columns (stride width), in place via `tmp`. */
function boxPass(buf: Float32Array, tmp: Float32Array, count: number, len: number, stride: number, lineStride: number, r: number): void {
  const norm = 1 / (2 * r + 1);
  for (let l = 0; l < count; l++) {
    const base = l * lineStride;
    let acc = 0;
    // Edges are extended (clamped) so borders do not darken.
    for (let k = -r - 1; k < r; k++) acc += buf[base + Math.min(len - 1, Math.max(0, k)) * stride];
    for (let i = 0; i < len; i++) {
      acc += buf[base + Math.min(len - 1, i + r) * stride] - buf[base + Math.max(0, i - r - 1) * stride];
      tmp[i] = acc * norm;
    }
    for (let i = 0; i < len; i++) buf[base + i * stride] = tmp[i];
  }
}

/** Gaussian-like blur (three box passes each way), sigma in pixels. */
export function blur(r: Raster, buf: Float32Array, sigma: number): void {
  if (sigma < 0.3) return;
  const box = Math.max(1, Math.round(Math.sqrt((12 * sigma * sigma) / 3 + 1) / 2 - 0.5));
  const tmp = new Float32Array(Math.max(r.width, r.height));
  for (let pass = 0; pass < 3; pass++) {
    boxPass(buf, tmp, r.height, r.width, 1, r.width, box);
    boxPass(buf, tmp, r.width, r.height, r.width, 1, box);
  }
}

/** Smooth value noise in [-1, 1]: bilinear interpolation of a random grid, `cell` pixels apart. */
export function valueNoise(r: Raster, cell: number, rng: Rng, out: Float32Array, weight: number): void {
  const gw = Math.ceil(r.width / cell) + 2;
  const gh = Math.ceil(r.height / cell) + 2;
  const grid = new Float32Array(gw * gh);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.next() * 2 - 1;
  for (let j = 0; j < r.height; j++) {
    const gy = j / cell;
    const y0 = Math.floor(gy);
    const fy = gy - y0;
    const sy = fy * fy * (3 - 2 * fy);
    for (let i = 0; i < r.width; i++) {
      const gx = i / cell;
      const x0 = Math.floor(gx);
      const fx = gx - x0;
      const sx = fx * fx * (3 - 2 * fx);
      const a = grid[y0 * gw + x0];
      const b = grid[y0 * gw + x0 + 1];
      const c = grid[(y0 + 1) * gw + x0];
      const d = grid[(y0 + 1) * gw + x0 + 1];
      out[j * r.width + i] += weight * (a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy);
    }
  }
}

export function renderCeph(shapes: CephShape[], toPixel: (p: P2) => P2, pxPerMm: number, r: Raster, rng: Rng): Uint16Array {
  const n = r.width * r.height;
  const softLayer = new Float32Array(n);
  const smooth = new Float32Array(n);
  const bone = new Float32Array(n);
  const mask = new Uint8Array(n);
  const tex = new Float32Array(n);
  // Trabecular texture: fine (about 1 mm) plus coarser (about 4 mm) blobs.
  valueNoise(r, Math.max(2, Math.round(pxPerMm * 0.7)), rng.fork('tex-fine'), tex, 0.35);
  valueNoise(r, Math.max(3, Math.round(pxPerMm * 1.6)), rng.fork('tex-mid'), tex, 0.35);
  valueNoise(r, Math.max(4, Math.round(pxPerMm * 5)), rng.fork('tex-coarse'), tex, 0.3);
  for (const s of shapes) {
    const pts = s.pts.map(toPixel);
    const layer = s.layer === 'soft' ? softLayer : s.layer === 'smooth' ? smooth : bone;
    const texture = s.texture ?? 0;
    if (s.kind === 'fill') fillPolygon(r, layer, pts, s.density, tex, texture);
    else strokePolyline(r, layer, mask, pts, ((s.width ?? 1) * pxPerMm) / 2, s.closed ?? false, s.density, tex, texture);
  }
  blur(r, softLayer, pxPerMm * 1.2); // tissue thins over a few mm towards the profile
  blur(r, smooth, pxPerMm * 1.5);
  blur(r, bone, pxPerMm * 0.12); // detector and focal-spot blur
  const noise = gaussianTable(rng.fork('noise'), 1 << 20);
  const noiseMask = noise.length - 1;
  let q = rng.int(0, noiseMask);
  const out = new Uint16Array(n);
  for (let j = 0; j < r.height; j++) {
    // Heel effect: the beam is a little weaker towards one side of the detector.
    const heel = 1 - 0.06 * (j / r.height);
    for (let i = 0; i < r.width; i++) {
      const p = j * r.width + i;
      const a = Math.max(0, 0.75 * softLayer[p] + smooth[p] + bone[p]);
      const intensity = 1 - Math.exp(-0.6 * a * heel);
      q = (q + 1) & noiseMask;
      const v = 60 + 3900 * intensity + 22 * noise[q] + 10 * noise[(q + 7919) & noiseMask];
      out[p] = v < 0 ? 0 : v > 4095 ? 4095 : (v + 0.5) | 0;
    }
  }
  return out;
}
