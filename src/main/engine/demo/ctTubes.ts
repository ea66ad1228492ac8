// Tubular and columnar structures of the chest phantom: ribs, spine, great vessels, airways and
// the pulmonary vessel trees. Each is a list of primitives that the slice rasteriser stamps as
// discs, so any slice thickness and pixel size samples the same 3D anatomy.
import { type Chest, HU, inLung, type Lung } from './ctChest';
import type { Rng } from '../random';

/** How a stamp combines with what is already there. */
export const Mode = {
  Set: 0,
  /** Only over lung parenchyma: vessels and small airways never leak into the mediastinum. */
  LungOnly: 1,
} as const;
export type Mode = (typeof Mode)[keyof typeof Mode];

/** A shape constant along z: a circle (x1 = x2, y1 = y2) or a capsule, between z0 and z1. */
export interface Column {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  r: number;
  z0: number;
  z1: number;
  hu: number;
  mode: Mode;
}

/** A 3D tube sampled densely along its centreline: [x, y, z, r] per sample. */
export interface Tube {
  samples: Float32Array;
  zMin: number;
  zMax: number;
  hu: number;
  mode: Mode;
}

export interface Structures {
  columns: Column[];
  tubes: Tube[];
}

type P3 = [number, number, number];
const STEP = 0.4; // mm between tube samples: below the smallest radius and pixel size we use

const unit = (v: P3): P3 => {
  const n = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / n, v[1] / n, v[2] / n];
};

function tube(points: P3[], radius: (t: number) => number, hu: number, mode: Mode): Tube {
  const out: number[] = [];
  for (let s = 0; s + 1 < points.length; s++) {
    const [a, b] = [points[s], points[s + 1]];
    const len = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
    const n = Math.max(1, Math.ceil(len / STEP));
    for (let i = 0; i < n || (s + 2 === points.length && i === n); i++) {
      const f = i / n;
      const t = (s + f) / (points.length - 1);
      out.push(a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f, radius(t));
    }
  }
  const samples = Float32Array.from(out);
  let zMin = Infinity;
  let zMax = -Infinity;
  for (let i = 0; i < samples.length; i += 4) {
    zMin = Math.min(zMin, samples[i + 2] - samples[i + 3]);
    zMax = Math.max(zMax, samples[i + 2] + samples[i + 3]);
  }
  return { samples, zMin, zMax, hu, mode };
}

const circle = (x: number, y: number, r: number, z0: number, z1: number, hu: number, mode = Mode.Set): Column => ({
  x1: x, y1: y, x2: x, y2: y, r, z0, z1, hu, mode,
});

const capsule = (x1: number, y1: number, x2: number, y2: number, r: number, z0: number, z1: number, hu: number): Column => ({
  x1, y1, x2, y2, r, z0, z1, hu, mode: Mode.Set,
});

/** A bone column: cortex, then marrow inside it. */
function boneCircle(out: Column[], x: number, y: number, r: number, z0: number, z1: number, cortex: number = HU.cortex): void {
  out.push(circle(x, y, r, z0, z1, cortex), circle(x, y, r - 1.6, z0, z1, HU.marrow));
}

function boneCapsule(out: Column[], x1: number, y1: number, x2: number, y2: number, r: number, z0: number, z1: number): void {
  out.push(capsule(x1, y1, x2, y2, r, z0, z1, 700), capsule(x1, y1, x2, y2, r - 1.5, z0, z1, HU.marrow));
}

function spine(c: Chest, cols: Column[]): void {
  const y = c.spineY;
  const canalY = y + 26;
  for (let zb = -260; zb < 260; zb += 29) {
    const top = zb + 24; // 24 mm body, 5 mm disc
    boneCircle(cols, 0, y, 17, zb, top, 900);
    cols.push(circle(0, y, 16, top, zb + 29, HU.disc));
    // Neural arch: pedicles and laminae around the canal, spinous and transverse processes.
    cols.push(circle(0, canalY, 13.5, zb + 3, zb + 26, 750));
    cols.push(circle(0, canalY, 8, zb - 3, zb + 32, HU.csf));
    cols.push(capsule(0, canalY + 10, 0, canalY + 30, 4, zb + 2, zb + 20, 700));
    for (const side of [-1, 1]) cols.push(capsule(side * 9, canalY - 2, side * 30, canalY - 8, 4.5, zb + 6, zb + 18, 700));
  }
}

function ribs(c: Chest, rng: Rng, tubes: Tube[]): void {
  const ra = c.cavityA + 5; // ribs run just outside the pleura
  const rb = c.cavityB + 5;
  for (let n = 0; n < 12; n++) {
    const zHead = 150 - n * 22.5 + rng.uniform(-2, 2);
    const floating = n >= 10;
    const thetaEnd = floating ? 1.5 + 0.2 * (11 - n) : 2.45 - (n < 2 ? 0.15 : 0);
    const drop = n < 2 ? 35 : rng.uniform(55, 75);
    for (const side of [-1, 1]) {
      const bone: P3[] = [[side * 22, c.spineY + 18, zHead]];
      const cart: P3[] = [];
      const t0 = 0.42;
      for (let th = t0; th <= thetaEnd + 1e-9; th += 0.04) {
        const f = (th - t0) / (thetaEnd - t0);
        bone.push([side * ra * Math.sin(th), c.cavityCy + rb * Math.cos(th), zHead - drop * Math.pow(f, 1.3)]);
      }
      const thick = n === 0 ? 3 : 3.8;
      tubes.push(tube(bone, () => thick, HU.cortex, Mode.Set), tube(bone, () => thick - 1.3, HU.marrow, Mode.Set));
      if (!floating) {
        // Costal cartilage: from the rib end up to the sternum edge.
        const [ex, ey, ez] = bone[bone.length - 1];
        for (let f = 0; f <= 1.0001; f += 0.1) {
          cart.push([ex + (side * 14 - ex) * f, ey + (c.sternumY + 2 - ey) * f, ez + Math.min(n, 6) * 4 * f]);
        }
        tubes.push(tube(cart, () => thick - 0.5, HU.cartilage, Mode.Set));
      }
    }
  }
}

function greatVessels(c: Chest, cols: Column[], tubes: Tube[]): void {
  const [dx, dy, dr] = c.descAorta;
  const [ax, ay, ar] = c.ascAorta;
  const archZ = 75;
  cols.push(circle(dx, dy, dr, -400, archZ, HU.blood));
  cols.push(circle(ax, ay, ar, c.heart.c[2] + 15, archZ, HU.blood));
  const arch: P3[] = [];
  for (let t = 0; t <= 1.0001; t += 0.05) {
    arch.push([ax + (dx - ax) * t, ay + (dy - ay) * t, archZ + 18 * Math.sin(Math.PI * t)]);
  }
  tubes.push(tube(arch, (t) => ar + (dr - ar) * t, HU.blood, Mode.Set));
  // Superior vena cava and the arch's branches up into the neck.
  cols.push(circle(-30, ay + 8, 10, c.heart.c[2] + 20, 170, HU.blood));
  cols.push(circle(-12, ay + 14, 6, archZ + 10, 400, HU.blood));
  cols.push(circle(12, ay + 22, 5, archZ + 10, 400, HU.blood));
  cols.push(circle(24, ay + 32, 5.5, archZ + 10, 400, HU.blood));
  // Pulmonary trunk from the heart to its bifurcation.
  tubes.push(tube([[18, ay - 10, c.heart.c[2] + 30], [12, ay + 10, 30]], () => 13, HU.blood, Mode.Set));
}

function airways(c: Chest, cols: Column[], tubes: Tube[]): { right: P3; left: P3 } {
  const [tx, ty, tr] = c.trachea;
  const carinaZ = 35;
  cols.push(circle(tx, ty, tr + 1.8, carinaZ, 400, HU.muscle));
  cols.push(circle(tx, ty, tr, carinaZ - 2, 400, HU.air));
  cols.push(circle(12, ty + 14, 6.5, -80, 400, HU.muscle)); // oesophagus
  cols.push(circle(12, ty + 14, 1.5, -60, 400, HU.air));
  const right: P3 = [-42, ty + 2, carinaZ - 22];
  const left: P3 = [46, ty + 6, carinaZ - 30];
  for (const end of [right, left]) {
    const pts: P3[] = [[tx, ty, carinaZ + 3], end];
    tubes.push(tube(pts, () => 8.5, HU.muscle, Mode.Set), tube(pts, () => 6.5, HU.air, Mode.Set));
  }
  return { right, left };
}

/** Branches a tree from a hilum into one lung; radius shrinks per generation (Murray-like). */
function growTree(
  c: Chest,
  lung: Lung,
  rng: Rng,
  start: P3,
  dir: P3,
  r: number,
  len: number,
  depth: number,
  out: Tube[],
  airway: boolean,
): void {
  if (r < (airway ? 2 : 0.6) || depth > 12) return;
  let end: P3 = [start[0] + dir[0] * len, start[1] + dir[1] * len, start[2] + dir[2] * len];
  if (depth > 1 && !inLung(c, lung, end[0], end[1], end[2])) {
    len *= 0.5; // near the pleura: a short last branch, then stop
    end = [start[0] + dir[0] * len, start[1] + dir[1] * len, start[2] + dir[2] * len];
    if (!inLung(c, lung, end[0], end[1], end[2])) return;
  }
  const pts: P3[] = [start, end];
  if (airway) {
    out.push(tube(pts, () => r, -150, Mode.LungOnly), tube(pts, () => r * 0.75, HU.air, Mode.LungOnly));
  } else {
    // Vessels thinner than a voxel only raise the lung density a little (partial volume).
    const hu = r >= 1 ? HU.blood : HU.lung + (HU.blood - HU.lung) * Math.max(0.35, r);
    out.push(tube(pts, () => r, hu, Mode.LungOnly));
  }
  for (let k = 0; k < 2; k++) {
    const angle = rng.uniform(0.35, 0.75) * (k === 0 ? 1 : -1);
    const child = rotateAboutRandomAxis(dir, angle, rng);
    growTree(c, lung, rng, end, child, r * rng.uniform(0.76, 0.84), len * rng.uniform(0.78, 0.88), depth + 1, out, airway);
  }
}

function rotateAboutRandomAxis(d: P3, angle: number, rng: Rng): P3 {
  // A unit axis perpendicular to d, at a random roll, then Rodrigues' rotation.
  const helper: P3 = Math.abs(d[2]) < 0.9 ? [0, 0, 1] : [1, 0, 0];
  let ax: P3 = [d[1] * helper[2] - d[2] * helper[1], d[2] * helper[0] - d[0] * helper[2], d[0] * helper[1] - d[1] * helper[0]];
  let n = Math.hypot(ax[0], ax[1], ax[2]);
  ax = [ax[0] / n, ax[1] / n, ax[2] / n];
  const bx: P3 = [d[1] * ax[2] - d[2] * ax[1], d[2] * ax[0] - d[0] * ax[2], d[0] * ax[1] - d[1] * ax[0]];
  const roll = rng.uniform(0, 2 * Math.PI);
  const k: P3 = [
    ax[0] * Math.cos(roll) + bx[0] * Math.sin(roll),
    ax[1] * Math.cos(roll) + bx[1] * Math.sin(roll),
    ax[2] * Math.cos(roll) + bx[2] * Math.sin(roll),
  ];
  n = Math.hypot(k[0], k[1], k[2]);
  const [kx, ky, kz] = [k[0] / n, k[1] / n, k[2] / n];
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const kd = kx * d[0] + ky * d[1] + kz * d[2];
  return [
    d[0] * cos + (ky * d[2] - kz * d[1]) * sin + kx * kd * (1 - cos),
    d[1] * cos + (kz * d[0] - kx * d[2]) * sin + ky * kd * (1 - cos),
    d[2] * cos + (kx * d[1] - ky * d[0]) * sin + kz * kd * (1 - cos),
  ];
}


export function buildStructures(c: Chest, rng: Rng): Structures {
  const columns: Column[] = [];
  const tubes: Tube[] = [];
  // Lung trees first: everything drawn later (great vessels, bone) covers them.
  const hila = airways(c, [], []); // positions only; drawn below in order
  for (const [lung, hilum] of [[c.lungs[0], hila.right], [c.lungs[1], hila.left]] as const) {
    const s = lung.side;
    // Lobar and segmental directions from the hilum: up, forwards, sideways, backwards, down.
    const lobes: P3[] = [
      unit([0.25 * s, 0.2, 1]), unit([0.5 * s, -0.8, 0.6]), unit([0.6 * s, -0.9, -0.2]), unit([1 * s, 0, 0.3]),
      unit([0.9 * s, 0.1, -0.6]), unit([0.5 * s, 0.5, -1]), unit([0.5 * s, 1, -0.2]), unit([0.4 * s, 0.8, 0.7]),
    ];
    const treeRng = rng.fork(`vessels${s}`);
    for (const d of lobes) {
      growTree(c, lung, treeRng, [hilum[0] - 4 * s, hilum[1] - 6, hilum[2]], d, 4.5, 26, 0, tubes, false);
      growTree(c, lung, treeRng, [hilum[0] - 2 * s, hilum[1] + 6, hilum[2] - 18], unit([d[0], d[1], d[2] - 0.3]), 4, 24, 0, tubes, false);
    }
    const airRng = rng.fork(`airways${s}`);
    for (const d of lobes.slice(0, 6)) growTree(c, lung, airRng, hilum, d, 4, 22, 0, tubes, true);
  }
  greatVessels(c, columns, tubes);
  airways(c, columns, tubes);
  spine(c, columns);
  ribs(c, rng.fork('ribs'), tubes);
  // Sternum (manubrium and body) and the scapulae behind the ribs.
  boneCapsule(columns, -9, c.sternumY, 9, c.sternumY, 5.5, -70, 120);
  for (const side of [-1, 1]) {
    columns.push(capsule(side * (c.cavityA * 0.6), c.cavityB + 16, side * (c.cavityA + 8), c.cavityB * 0.45, 2.5, 30, 150, 650));
  }
  return { columns, tubes };
}
