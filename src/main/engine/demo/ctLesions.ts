// Lung nodules of the CT phantom: placed fully inside one lung (with a margin) and apart from
// each other, so the ground-truth mask and the drawn nodule are the same voxels.
import type { Lesion } from '../../../shared/api';
import type { Vec3 } from '../../../shared/geometry';
import { type Chest, HU, inLung } from './ctChest';
import type { Rng } from '../random';

export interface PlacedLesion extends Lesion {
  radius: number;
  hu: number;
  /** Lobulation: radius(phi) = r * (1 + a1 cos(3 phi + p1) + a2 cos(5 phi + p2)). */
  shape: [number, number, number, number];
}

function fitsInLung(c: Chest, lungIndex: 0 | 1, p: Vec3, r: number): boolean {
  const lung = c.lungs[lungIndex];
  if (!inLung(c, lung, p[0], p[1], p[2])) return false;
  const m = r * 1.15 + 4; // lobulation plus a pleural margin
  for (let a = 0; a < 8; a++) {
    for (const el of [-0.9, 0, 0.9]) {
      const q: Vec3 = [p[0] + m * Math.cos(a * Math.PI / 4) * Math.cos(el), p[1] + m * Math.sin(a * Math.PI / 4) * Math.cos(el), p[2] + m * Math.sin(el)];
      if (!inLung(c, lung, q[0], q[1], q[2])) return false;
    }
  }
  return inLung(c, lung, p[0], p[1], p[2] + m) && inLung(c, lung, p[0], p[1], p[2] - m);
}

export function placeLesions(c: Chest, rng: Rng, count: number): PlacedLesion[] {
  const placed: PlacedLesion[] = [];
  for (let n = 0; n < count; n++) {
    const solid = rng.next() < 0.6;
    const diameter = solid ? rng.uniform(6, 25) : rng.uniform(8, 25);
    const r = diameter / 2;
    for (let attempt = 0; attempt < 500; attempt++) {
      const li = rng.next() < 0.5 ? 0 : 1;
      const lung = c.lungs[li];
      const p: Vec3 = [lung.cx + rng.uniform(-1, 1) * lung.ax, lung.cy + rng.uniform(-1, 1) * lung.ay, rng.uniform(-40, 125)];
      if (!fitsInLung(c, li, p, r)) continue;
      if (placed.some((o) => Math.hypot(o.centre[0] - p[0], o.centre[1] - p[1], o.centre[2] - p[2]) < o.radius + r + 8)) continue;
      placed.push({
        kind: solid ? 'solid' : 'ground-glass',
        centre: p.map((v) => Math.round(v * 100) / 100) as Vec3,
        diameterMm: Math.round(diameter * 10) / 10,
        radius: Math.round(diameter * 10) / 20,
        hu: solid ? HU.solidNodule + rng.uniform(-10, 15) : HU.groundGlass + rng.uniform(-40, 40),
        shape: [rng.uniform(0, solid ? 0.1 : 0.05), rng.uniform(0, 6.3), rng.uniform(0, 0.05), rng.uniform(0, 6.3)],
      });
      break;
    }
  }
  return placed;
}
