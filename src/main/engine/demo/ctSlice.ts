// Rasterises one axial slice of the chest phantom into HU (Float32Array), its lesion labels, then
// blurs (scanner PSF) and adds correlated noise. Plain loops over typed arrays: 400 slices of
// 512x512 must take seconds, not minutes.
import { type Geometry, patientToIndex, sliceAffine } from '../../../shared/geometry';
import { type Chest, bodyR2, domeZ, HU, insideEllipsoid, inLungSection, lungSection } from './ctChest';
import type { PlacedLesion } from './ctLesions';
import { type Column, Mode, type Structures } from './ctTubes';

export interface SliceBuffers {
  hu: Float32Array; // rows * columns
  scratch: Float32Array;
  lung: Uint8Array; // 1 where lung parenchyma (vessels stay inside it)
  labels: Uint8Array; // lesion label (1-based) per pixel, 0 elsewhere
}

export function sliceBuffers(g: Geometry): SliceBuffers {
  const n = g.dimensions[0] * g.dimensions[1];
  return { hu: new Float32Array(n), scratch: new Float32Array(n), lung: new Uint8Array(n), labels: new Uint8Array(n) };
}

/** Background tissue of every pixel: air, body wall layers, lungs, heart, abdomen. */
function drawBase(c: Chest, g: Geometry, k: number, b: SliceBuffers): void {
  const [cols, rows] = g.dimensions;
  const { origin, colStep, rowStep } = sliceAffine(g, k);
  const [right, left] = c.lungs;
  // Axial slices: one z for the whole slice, so the z-only parts of the shapes are hoisted.
  if (colStep[2] !== 0 || rowStep[2] !== 0) throw new Error('the chest phantom renders axial slices only');
  const rightSec = lungSection(c, right, origin[2]);
  const leftSec = lungSection(c, left, origin[2]);
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      const x = origin[0] + i * colStep[0] + j * rowStep[0];
      const y = origin[1] + i * colStep[1] + j * rowStep[1];
      const z = origin[2] + i * colStep[2] + j * rowStep[2];
      const p = j * cols + i;
      b.lung[p] = 0;
      b.labels[p] = 0;
      const r2 = bodyR2(c, x, y);
      if (r2 >= 1) {
        // Carbon-fibre table under the patient: two skins around a foam core.
        const t = y - c.tableY;
        b.hu[p] = t > 0 && t < 9 && Math.abs(x) < 210 ? (t < 1.5 || t > 7.5 ? 250 : -850) : HU.air;
        continue;
      }
      const r = Math.sqrt(r2);
      const depth = r > 1e-6 ? Math.sqrt(x * x + y * y) * (1 / r - 1) : 1e9; // not Math.hypot: slow per pixel
      // Back muscles (erector spinae) are thick beside the spine.
      const back = y > 0 ? 28 * Math.max(0, 1 - Math.abs(x) / 60) * Math.min(1, y / c.bodyB + 0.2) : 0;
      if (depth < 2) b.hu[p] = HU.skin;
      else if (depth < 2 + c.fat) b.hu[p] = HU.fat;
      else if (depth < 2 + c.fat + c.muscle + back) b.hu[p] = HU.muscle;
      else if ((rightSec && inLungSection(c, rightSec, x, y)) || (leftSec && inLungSection(c, leftSec, x, y))) {
        b.lung[p] = 1;
        b.hu[p] = HU.lung + 35 * (y / c.cavityB); // dependent (posterior) lung is denser
      } else {
        const h = insideEllipsoid(c.heart, x, y, z);
        if (h < 1) b.hu[p] = HU.blood + (h > 0.8 ? 8 : 0); // myocardium slightly denser than blood
        else if (insideEllipsoid(c.heart, x, y, z, 3.5) < 1) b.hu[p] = HU.fat - 10; // pericardial fat
        else if (z > 150) b.hu[p] = HU.muscle - 5; // neck and shoulders above the lung apices
        else if (z < Math.max(domeZ(right, x, y), domeZ(left, x, y)) && x * x / (c.cavityA * c.cavityA) < 1) {
          const s = insideEllipsoid(c.stomach, x, y, z);
          if (s < 1) b.hu[p] = z > c.stomach.c[2] ? HU.air : 20; // gas cap over gastric fluid
          else b.hu[p] = x < 25 ? HU.liver : HU.abdomen;
        } else if ((x / c.cavityA) ** 2 + (y / c.cavityB) ** 2 < 1) b.hu[p] = HU.mediastinum;
        else b.hu[p] = HU.muscle; // intercostal muscle between the ribs
      }
    }
  }
}

/** Stamps a capsule (or disc) given in patient mm into the slice. */
function stampCapsule(
  g: Geometry, b: SliceBuffers,
  x1: number, y1: number, x2: number, y2: number, z: number, r: number, hu: number, mode: Mode,
): void {
  const [cols, rows] = g.dimensions;
  const a = patientToIndex(g, [x1, y1, z]);
  const e = patientToIndex(g, [x2, y2, z]);
  const sx = g.spacing[0];
  const sy = g.spacing[1];
  const i0 = Math.max(0, Math.floor(Math.min(a[0], e[0]) - r / sx));
  const i1 = Math.min(cols - 1, Math.ceil(Math.max(a[0], e[0]) + r / sx));
  const j0 = Math.max(0, Math.floor(Math.min(a[1], e[1]) - r / sy));
  const j1 = Math.min(rows - 1, Math.ceil(Math.max(a[1], e[1]) + r / sy));
  if (i0 > i1 || j0 > j1) return;
  // Work in mm so non-square pixels stay right; t = projection onto the capsule's axis.
  const ux = (e[0] - a[0]) * sx;
  const uy = (e[1] - a[1]) * sy;
  const len2 = ux * ux + uy * uy;
  const r2 = r * r;
  for (let j = j0; j <= j1; j++) {
    const dyA = (j - a[1]) * sy;
    for (let i = i0; i <= i1; i++) {
      const dxA = (i - a[0]) * sx;
      let t = len2 > 0 ? (dxA * ux + dyA * uy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const qx = dxA - t * ux;
      const qy = dyA - t * uy;
      if (qx * qx + qy * qy > r2) continue;
      const p = j * cols + i;
      if (mode === Mode.LungOnly) {
        if (b.lung[p]) b.hu[p] = hu;
      } else {
        b.hu[p] = hu;
        b.lung[p] = 0;
      }
    }
  }
}

function drawStructures(s: Structures, g: Geometry, z: number, b: SliceBuffers): void {
  const cover = (col: Column): boolean => z >= col.z0 && z < col.z1;
  for (const col of s.columns) {
    if (cover(col)) stampCapsule(g, b, col.x1, col.y1, col.x2, col.y2, z, col.r, col.hu, col.mode);
  }
  for (const t of s.tubes) {
    if (z < t.zMin || z > t.zMax) continue;
    const sm = t.samples;
    for (let n = 0; n < sm.length; n += 4) {
      const dz = z - sm[n + 2];
      const r = sm[n + 3];
      if (dz * dz >= r * r) continue;
      stampCapsule(g, b, sm[n], sm[n + 1], sm[n], sm[n + 1], z, Math.sqrt(r * r - dz * dz), t.hu, t.mode);
    }
  }
}

function drawLesions(lesions: PlacedLesion[], g: Geometry, k: number, b: SliceBuffers): void {
  const [cols, rows] = g.dimensions;
  const { origin, colStep, rowStep } = sliceAffine(g, k);
  const z = origin[2];
  lesions.forEach((l, n) => {
    const dz = z - l.centre[2];
    const rMax = l.radius * (1 + l.shape[0] + l.shape[2]);
    if (Math.abs(dz) >= rMax) return;
    const c = patientToIndex(g, [l.centre[0], l.centre[1], z]);
    const ri = rMax / g.spacing[0];
    const rj = rMax / g.spacing[1];
    for (let j = Math.max(0, Math.floor(c[1] - rj)); j <= Math.min(rows - 1, Math.ceil(c[1] + rj)); j++) {
      for (let i = Math.max(0, Math.floor(c[0] - ri)); i <= Math.min(cols - 1, Math.ceil(c[0] + ri)); i++) {
        const x = origin[0] + i * colStep[0] + j * rowStep[0] - l.centre[0];
        const y = origin[1] + i * colStep[1] + j * rowStep[1] - l.centre[1];
        const phi = Math.atan2(y, x);
        const theta = Math.atan2(dz, Math.hypot(x, y));
        const [a1, p1, a2, p2] = l.shape;
        const rad = l.radius * (1 + (a1 * Math.cos(3 * phi + p1) + a2 * Math.cos(5 * phi + p2)) * Math.cos(theta));
        if (x * x + y * y + dz * dz > rad * rad) continue;
        const p = j * cols + i;
        b.labels[p] = n + 1;
        // Ground glass leaves vessels visible through it; a solid nodule covers them.
        b.hu[p] = l.kind === 'solid' ? l.hu : Math.max(b.hu[p], l.hu);
      }
    }
  });
}

/** Separable [1 2 1]/4 blur: the scanner's point spread function softens hard phantom edges. */
function blur(g: Geometry, b: SliceBuffers): void {
  const [cols, rows] = g.dimensions;
  const { hu, scratch } = b;
  for (let j = 0; j < rows; j++) {
    const o = j * cols;
    scratch[o] = hu[o];
    scratch[o + cols - 1] = hu[o + cols - 1];
    for (let i = 1; i < cols - 1; i++) scratch[o + i] = 0.25 * hu[o + i - 1] + 0.5 * hu[o + i] + 0.25 * hu[o + i + 1];
  }
  for (let i = 0; i < cols; i++) {
    hu[i] = scratch[i];
    hu[(rows - 1) * cols + i] = scratch[(rows - 1) * cols + i];
  }
  for (let j = 1; j < rows - 1; j++) {
    const o = j * cols;
    for (let i = 0; i < cols; i++) hu[o + i] = 0.25 * scratch[o + i - cols] + 0.5 * scratch[o + i] + 0.25 * scratch[o + i + cols];
  }
}

/**
 * Renders slice k: HU with noise into `out` as stored values (HU + 1024, 12-bit), lesion labels
 * into `labelsOut`. `noise` is a table of N(0,1) deviates, `offset` picks this slice's window.
 */
export function renderSlice(
  args: { chest: Chest; structures: Structures; lesions: PlacedLesion[]; geometry: Geometry; k: number },
  b: SliceBuffers,
  noise: Float32Array,
  offset: number,
  out: Uint16Array,
  labelsOut: Uint8Array,
): void {
  const { chest, structures, lesions, geometry: g, k } = args;
  drawBase(chest, g, k, b);
  const z = sliceAffine(g, k).origin[2];
  drawStructures(structures, g, z, b);
  drawLesions(lesions, g, k, b);
  blur(g, b);
  const cols = g.dimensions[0];
  const n = b.hu.length;
  const mask = noise.length - 1; // power-of-two table
  const sd = chest.noiseSd * 0.5; // the sum of four deviates has sd 2
  for (let p = 0; p < n; p++) {
    const q = offset + p;
    const e = noise[q & mask] + noise[(q + 1) & mask] + noise[(q + cols) & mask] + noise[(q + cols + 1) & mask];
    const v = b.hu[p] + sd * e + 1024.5;
    out[p] = v < 0 ? 0 : v > 4095 ? 4095 : v | 0; // | 0 truncates: with +0.5 it rounds
  }
  labelsOut.set(b.labels);
}
