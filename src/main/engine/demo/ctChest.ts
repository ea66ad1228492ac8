// Analytic chest phantom in patient coordinates (LPS mm: +x left, +y posterior, +z superior),
// centred on the origin, chest (lungs) spanning z ~ -125..+145. Smooth shapes are implicit
// functions so that any voxel grid can sample them; tubular structures live in ctTubes.ts.
import type { Rng } from './random';

export interface Ellipsoid {
  c: [number, number, number];
  r: [number, number, number];
}

/** One lung: an elliptic cylinder tapered to an apex, cut below by a diaphragm dome. */
export interface Lung {
  side: 1 | -1; // +1 left, -1 right (patient)
  cx: number;
  cy: number;
  ax: number;
  ay: number;
  apexZ: number;
  apexX: number; // the apex leans posteriorly and medially
  apexY: number;
  domeTop: number; // highest z of the hemidiaphragm
  domeX: number;
  domeY: number;
  domeDrop: number; // how far the dome falls at the lung's rim (costophrenic recess)
}

export interface Chest {
  bodyA: number; // semi-axis left-right
  bodyB: number; // semi-axis antero-posterior
  fat: number; // subcutaneous fat thickness
  muscle: number;
  cavityA: number;
  cavityB: number;
  cavityCy: number;
  lungs: [Lung, Lung];
  heart: Ellipsoid;
  spineY: number; // vertebral body centre
  sternumY: number;
  tableY: number;
  stomach: Ellipsoid;
  noiseSd: number;
}

export const HU = {
  air: -1000,
  lung: -850,
  fat: -100,
  skin: 30,
  muscle: 50,
  mediastinum: -70,
  blood: 40,
  liver: 60,
  abdomen: 35,
  csf: 15,
  disc: 90,
  cartilage: 140,
  marrow: 260,
  cortex: 1000,
  solidNodule: 30,
  groundGlass: -550,
} as const;

export function buildChest(rng: Rng): Chest {
  const s = rng.clampedGaussian(1, 0.05, 0.9, 1.1); // patient size
  const bodyA = 158 * s;
  const bodyB = 108 * s * rng.clampedGaussian(1, 0.04, 0.92, 1.08);
  const fat = rng.uniform(8, 22);
  const muscle = rng.uniform(10, 16);
  const wall = fat + muscle + 9; // skin + fat + muscle + ribs
  const cavityA = bodyA - wall;
  const cavityB = bodyB - wall;
  const lungAy = cavityB * 0.98;
  const right: Lung = {
    side: -1, cx: -cavityA * 0.5, cy: 2, ax: cavityA * 0.52, ay: lungAy, apexZ: 146, apexX: -cavityA * 0.4, apexY: 20,
    domeTop: rng.uniform(-65, -45), domeX: -cavityA * 0.45, domeY: -10, domeDrop: 55,
  };
  const left: Lung = {
    side: 1, cx: cavityA * 0.53, cy: 4, ax: cavityA * 0.48, ay: lungAy * 0.97, apexZ: 143, apexX: cavityA * 0.4, apexY: 22,
    domeTop: right.domeTop - rng.uniform(8, 20), domeX: cavityA * 0.5, domeY: -5, domeDrop: 55,
  };
  const heart: Ellipsoid = {
    c: [rng.uniform(12, 24), -cavityB * 0.38, rng.uniform(-50, -35)],
    r: [rng.uniform(55, 66), cavityB * 0.62, 58],
  };
  return {
    bodyA, bodyB, fat, muscle, cavityA, cavityB, cavityCy: 0,
    lungs: [right, left],
    heart,
    spineY: bodyB * 0.52,
    sternumY: -(bodyB - fat - 6),
    tableY: bodyB + 6,
    stomach: { c: [cavityA * 0.45, -cavityB * 0.25, left.domeTop - 25], r: [32, 26, 14] },
    noiseSd: rng.uniform(10, 18),
  };
}

const sq = (v: number): number => v * v;

/** Normalised squared radius of the body outline; the back is flattened by the table. */
export function bodyR2(c: Chest, x: number, y: number): number {
  const u = sq(x / c.bodyA);
  const v = sq(y / c.bodyB);
  return y > 0 ? u + v - 0.6 * u * v : u + v;
}

export function insideEllipsoid(e: Ellipsoid, x: number, y: number, z: number, grow = 0): number {
  return sq((x - e.c[0]) / (e.r[0] + grow)) + sq((y - e.c[1]) / (e.r[1] + grow)) + sq((z - e.c[2]) / (e.r[2] + grow));
}

/** z of the diaphragm under (x, y): a dome that falls towards the lung's rim. */
export function domeZ(l: Lung, x: number, y: number): number {
  const q = sq((x - l.domeX) / l.ax) + sq((y - l.domeY) / l.ay);
  return l.domeTop - l.domeDrop * q;
}

/** True when (x, y, z) is lung parenchyma of lung `l` (heart, spine and mediastinum excluded). */
export function inLung(c: Chest, l: Lung, x: number, y: number, z: number): boolean {
  if (z > l.apexZ) return false;
  // Towards the apex the section shrinks onto the apex point (sqrt: a rounded cupola).
  const t = Math.min(1, (l.apexZ - z) / 75);
  const f = Math.sqrt(t);
  const cx = l.apexX + (l.cx - l.apexX) * f;
  const cy = l.apexY + (l.cy - l.apexY) * f;
  const ax = l.ax * f;
  const ay = l.ay * f;
  if (ax <= 0 || ay <= 0) return false;
  if (sq((x - cx) / ax) + sq((y - cy) / ay) > 1) return false;
  if (sq(x / c.cavityA) + sq((y - c.cavityCy) / c.cavityB) > 1) return false;
  if (z < domeZ(l, x, y)) return false;
  if (insideEllipsoid(c.heart, x, y, z, 4) < 1) return false;
  // Mediastinum: a midline column in front of the spine, wider where the great vessels run.
  const halfWidth = y < c.spineY - 20 ? (z > 60 ? 24 : 20) : 14;
  if (Math.abs(x - 4) < halfWidth && y < c.spineY + 10) return false;
  if (sq(x) + sq(y - c.spineY - 5) < sq(34)) return false; // spine and paravertebral muscles
  if (sq(x - 24) + sq(y - (c.spineY - 12)) < sq(17)) return false; // descending aorta
  return true;
}

/** 0 outside the lungs, 1 right lung, 2 left lung. */
export function lungLabel(c: Chest, x: number, y: number, z: number): 0 | 1 | 2 {
  if (inLung(c, c.lungs[0], x, y, z)) return 1;
  if (inLung(c, c.lungs[1], x, y, z)) return 2;
  return 0;
}
