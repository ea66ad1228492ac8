// Analytic chest phantom in patient coordinates (LPS mm: +x left, +y posterior, +z superior),
// centred on the origin, chest (lungs) spanning z ~ -125..+145. Smooth shapes are implicit
// functions so that any voxel grid can sample them; tubular structures live in ctTubes.ts.
import type { Rng } from '../random';

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
  descAorta: [number, number, number]; // x, y, radius
  ascAorta: [number, number, number];
  trachea: [number, number, number];
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
  const bodyB = 112 * s * rng.clampedGaussian(1, 0.04, 0.92, 1.08);
  const fat = rng.uniform(5, 14);
  const muscle = rng.uniform(7, 11);
  const wall = fat + muscle + 8; // skin + fat + muscle + ribs
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
    c: [rng.uniform(18, 28), -cavityB * 0.38, rng.uniform(-62, -48)],
    r: [rng.uniform(55, 64), cavityB * 0.62, 52],
  };
  return {
    bodyA, bodyB, fat, muscle, cavityA, cavityB, cavityCy: 0,
    lungs: [right, left],
    heart,
    spineY: bodyB * 0.52,
    sternumY: -(bodyB - fat - 6),
    descAorta: [29, bodyB * 0.52 - 17, rng.uniform(11, 13)],
    ascAorta: [-6, -cavityB * 0.2, rng.uniform(14, 16)],
    trachea: [0, bodyB * 0.52 - 36, rng.uniform(8.5, 10)],
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

/** What of a lung's shape depends only on z: computed once per slice, not once per pixel. */
export interface LungSection {
  lung: Lung;
  z: number;
  cx: number;
  cy: number;
  iax2: number; // 1 / ax^2
  iay2: number;
  icavA2: number;
  icavB2: number;
  heartZ2: number; // heart ellipsoid's z term (grown by 4 mm)
  halfWidth: number; // mediastinum half-width in front of the spine
}

export function lungSection(c: Chest, l: Lung, z: number): LungSection | null {
  if (z > l.apexZ) return null;
  // Towards the apex the section shrinks onto the apex point (sqrt: a rounded cupola); the
  // thorax is also a little wider at its base.
  const t = Math.min(1, (l.apexZ - z) / 75);
  const f = Math.sqrt(t) * (0.9 + 0.1 * Math.min(1, Math.max(0, (120 - z) / 220)));
  if (f <= 0) return null;
  const cavA = c.cavityA * Math.max(f, 0.9);
  return {
    lung: l,
    z,
    cx: l.apexX + (l.cx - l.apexX) * f,
    cy: l.apexY + (l.cy - l.apexY) * f,
    iax2: 1 / sq(l.ax * f),
    iay2: 1 / sq(l.ay * f),
    icavA2: 1 / sq(cavA),
    icavB2: 1 / sq(c.cavityB),
    heartZ2: sq((z - c.heart.c[2]) / (c.heart.r[2] + 4)),
    halfWidth: 20 + 4 * Math.min(1, Math.max(0, (z - 40) / 40)),
  };
}

/** True when (x, y) of the section's slice is lung parenchyma (heart, spine, mediastinum excluded). */
export function inLungSection(c: Chest, s: LungSection, x: number, y: number): boolean {
  if (sq(x - s.cx) * s.iax2 + sq(y - s.cy) * s.iay2 > 1) return false;
  if (sq(x) * s.icavA2 + sq(y - c.cavityCy) * s.icavB2 > 1) return false;
  if (s.z < domeZ(s.lung, x, y)) return false;
  const h = c.heart;
  if (sq((x - h.c[0]) / (h.r[0] + 4)) + sq((y - h.c[1]) / (h.r[1] + 4)) + s.heartZ2 < 1) return false;
  // Mediastinum: a midline column in front of the spine, wider where the great vessels run.
  const halfWidth = y < c.spineY - 20 ? s.halfWidth : 14;
  if (Math.abs(x - 4) < halfWidth && y < c.spineY + 10) return false;
  if (sq(x) + sq(y - c.spineY - 5) < sq(34)) return false; // spine and paravertebral muscles
  if (sq(x - c.descAorta[0]) + sq(y - c.descAorta[1]) < sq(c.descAorta[2] + 4)) return false; // descending aorta
  return true;
}

export function inLung(c: Chest, l: Lung, x: number, y: number, z: number): boolean {
  const s = lungSection(c, l, z);
  return s !== null && inLungSection(c, s, x, y);
}

/** 0 outside the lungs, 1 right lung, 2 left lung. */
export function lungLabel(c: Chest, x: number, y: number, z: number): 0 | 1 | 2 {
  if (inLung(c, c.lungs[0], x, y, z)) return 1;
  if (inLung(c, c.lungs[1], x, y, z)) return 2;
  return 0;
}
