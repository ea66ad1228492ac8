// 2D helpers for drawing the cephalogram's anatomy in a head frame (mm): x anterior, y inferior.
// Curves are sampled to polylines once, so landmarks are picked from the very points drawn.

export type P2 = [number, number];

export const v2 = {
  add: (a: P2, b: P2): P2 => [a[0] + b[0], a[1] + b[1]],
  sub: (a: P2, b: P2): P2 => [a[0] - b[0], a[1] - b[1]],
  scale: (a: P2, s: number): P2 => [a[0] * s, a[1] * s],
  len: (a: P2): number => Math.sqrt(a[0] * a[0] + a[1] * a[1]),
  dist: (a: P2, b: P2): number => Math.sqrt((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2),
  unit: (a: P2): P2 => {
    const n = Math.sqrt(a[0] * a[0] + a[1] * a[1]);
    return [a[0] / n, a[1] / n];
  },
  lerp: (a: P2, b: P2, t: number): P2 => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t],
  /** Unit vector at `deg` degrees; with y pointing down, positive angles turn from +x towards +y. */
  dir: (deg: number): P2 => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)],
  angle: (a: P2): number => (Math.atan2(a[1], a[0]) * 180) / Math.PI,
  /** Rotates by +90 degrees (towards +y). */
  perp: (a: P2): P2 => [-a[1], a[0]],
  dot: (a: P2, b: P2): number => a[0] * b[0] + a[1] * b[1],
  cross: (a: P2, b: P2): number => a[0] * b[1] - a[1] * b[0],
};

/** Point in a local frame: origin + a * axisA + b * axisB. */
export const inFrame = (origin: P2, axisA: P2, axisB: P2, a: number, b: number): P2 => [
  origin[0] + a * axisA[0] + b * axisB[0],
  origin[1] + a * axisA[1] + b * axisB[1],
];

/** Centripetal-free (uniform) Catmull-Rom through all knots, `step` mm between samples. */
export function spline(knots: P2[], step = 0.25): P2[] {
  if (knots.length < 2) return knots.slice();
  const out: P2[] = [];
  for (let i = 0; i + 1 < knots.length; i++) {
    const p0 = knots[Math.max(0, i - 1)];
    const p1 = knots[i];
    const p2 = knots[i + 1];
    const p3 = knots[Math.min(knots.length - 1, i + 2)];
    const n = Math.max(2, Math.ceil(v2.dist(p1, p2) / step));
    for (let s = 0; s < n; s++) {
      const t = s / n;
      const t2 = t * t;
      const t3 = t2 * t;
      const f = (a: number, b: number, c: number, d: number): number =>
        0.5 * (2 * b + (-a + c) * t + (2 * a - 5 * b + 4 * c - d) * t2 + (-a + 3 * b - 3 * c + d) * t3);
      out.push([f(p0[0], p1[0], p2[0], p3[0]), f(p0[1], p1[1], p2[1], p3[1])]);
    }
  }
  out.push(knots[knots.length - 1]);
  return out;
}

/** Quadratic Bezier from a via control c to b. */
export function bezier(a: P2, c: P2, b: P2, n = 40): P2[] {
  const out: P2[] = [];
  for (let i = 0; i <= n; i++) {
    const t = i / n;
    const u = 1 - t;
    out.push([u * u * a[0] + 2 * u * t * c[0] + t * t * b[0], u * u * a[1] + 2 * u * t * c[1] + t * t * b[1]]);
  }
  return out;
}

export function ellipse(c: P2, rx: number, ry: number, rotDeg = 0, n = 96, from = 0, to = 360): P2[] {
  const out: P2[] = [];
  const rot = (rotDeg * Math.PI) / 180;
  const full = to - from >= 360;
  const count = full ? n : n + 1;
  for (let i = 0; i < count; i++) {
    const t = ((from + ((to - from) * i) / n) * Math.PI) / 180;
    const x = rx * Math.cos(t);
    const y = ry * Math.sin(t);
    out.push([c[0] + x * Math.cos(rot) - y * Math.sin(rot), c[1] + x * Math.sin(rot) + y * Math.cos(rot)]);
  }
  return out;
}

/** The point of `pts` furthest along direction `d`. */
export function extreme(pts: P2[], d: P2): P2 {
  let best = pts[0];
  let bestV = -Infinity;
  for (const p of pts) {
    const v = p[0] * d[0] + p[1] * d[1];
    if (v > bestV) {
      bestV = v;
      best = p;
    }
  }
  return best;
}

/** Deepest point of a concavity: the point furthest from the chord between the curve's ends. */
export function deepest(pts: P2[]): P2 {
  const a = pts[0];
  const n = v2.unit(v2.sub(pts[pts.length - 1], a));
  let best = pts[0];
  let bestD = -Infinity;
  for (const p of pts) {
    const d = Math.abs(v2.cross(n, v2.sub(p, a)));
    if (d > bestD) {
      bestD = d;
      best = p;
    }
  }
  return best;
}

/** Samples of `pts` between the ones nearest to `from` and `to` (inclusive, in curve order). */
export function between(pts: P2[], from: P2, to: P2): P2[] {
  const nearest = (q: P2): number => {
    let bi = 0;
    let bd = Infinity;
    pts.forEach((p, i) => {
      const d = v2.dist(p, q);
      if (d < bd) {
        bd = d;
        bi = i;
      }
    });
    return bi;
  };
  const i = nearest(from);
  const j = nearest(to);
  return i <= j ? pts.slice(i, j + 1) : pts.slice(j, i + 1).reverse();
}

/** A tooth-like outline around an axis: widths on both sides given along the axis (tip first). */
export function taperedOutline(tip: P2, apex: P2, profile: [number, number, number][]): P2[] {
  // profile rows: [fraction from tip (0..1), half-width on the +perp side, half-width on the -perp side]
  const axis = v2.sub(apex, tip);
  const n = v2.unit(v2.perp(axis));
  const left: P2[] = [];
  const right: P2[] = [];
  for (const [f, wl, wr] of profile) {
    const c = v2.add(tip, v2.scale(axis, f));
    left.push(v2.add(c, v2.scale(n, wl)));
    right.push(v2.sub(c, v2.scale(n, wr)));
  }
  return [...spline(left, 0.3), ...spline(right.reverse(), 0.3)];
}
