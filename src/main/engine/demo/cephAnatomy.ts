// Outlines of a lateral skull (bones, teeth, airway, soft-tissue profile) built around a solved
// skeleton, and the 19 ISBI landmarks picked from those very outlines (extreme or deepest points,
// knots, centres), so every landmark sits on what is drawn. Head frame as in cephSkeleton.ts.
import { between, bezier, deepest, ellipse, extreme, inFrame, type P2, spline, taperedOutline, v2 } from './plane';
import type { Skeleton } from './cephSkeleton';

export interface CephShape {
  kind: 'fill' | 'stroke';
  pts: P2[];
  /** Attenuation added (negative: air replacing tissue). */
  density: number;
  width?: number; // stroke width, mm
  closed?: boolean;
  /** 0..1: how much trabecular texture modulates the density. */
  texture?: number;
  /** Soft tissue goes to a layer blurred with a wide kernel (tissue thins towards the profile). */
  layer?: 'soft' | 'smooth' | 'bone';
}

export interface CephAnatomy {
  shapes: CephShape[];
  /** ISBI order, head-frame mm. */
  landmarks: P2[];
}

const fill = (pts: P2[], density: number, texture = 0): CephShape => ({ kind: 'fill', pts, density, texture });
/** Broad plates seen en face: their edges are not sharp in a projection, so they go to a blurred layer. */
const plate = (pts: P2[], density: number, texture = 0): CephShape => ({ kind: 'fill', pts, density, texture, layer: 'smooth' });
const stroke = (pts: P2[], width: number, density: number, closed = false, texture = 0): CephShape => ({
  kind: 'stroke', pts, width, density, closed, texture,
});

const BONE = 0.55; // attenuation of a typical facial bone plate seen en face
const CORTEX = 0.45;
const DENTIN = 0.9;
const ENAMEL = 0.75; // added over dentin

/** One tooth (crown + roots) in an occlusal frame: t along the arch backwards, n away from the occlusal plane. */
function posteriorTooth(origin: P2, tDir: P2, nDir: P2, front: number, back: number, roots: 1 | 2, rootLen: number): { tooth: P2[]; crown: P2[] } {
  const f = (t: number, n: number): P2 => inFrame(origin, tDir, nDir, t, n);
  const w = back - front;
  const crownH = 7;
  const cusp = (k: number): P2 => f(front + w * k, 0);
  const crownTop = [f(front + 0.4, 1.2), cusp(0.22), f(front + 0.5 * w, 1.0), cusp(0.78), f(back - 0.4, 1.2)];
  const side = (t: number, n: number): P2 => f(t, n);
  const rootsPts: P2[] =
    roots === 2
      ? [
          side(back - 0.3, crownH + 1),
          side(back - 1.6, crownH + rootLen * 0.7),
          side(back - 2.6, crownH + rootLen),
          side(back - 3.8, crownH + rootLen * 0.6),
          side(front + 0.5 * w, crownH + 3),
          side(front + 3.8, crownH + rootLen * 0.6),
          side(front + 2.6, crownH + rootLen),
          side(front + 1.6, crownH + rootLen * 0.7),
          side(front + 0.3, crownH + 1),
        ]
      : [side(back - 0.6, crownH + 1), side(front + 0.62 * w, crownH + rootLen), side(front + 0.38 * w, crownH + rootLen), side(front + 0.6, crownH + 1)];
  const tooth = spline([...crownTop, side(back, 3.5), ...rootsPts, side(front, 3.5), crownTop[0]], 0.3);
  // Enamel is a cap over the occlusal part of the crown, brightest where the beam grazes it.
  const crown = spline([...crownTop, side(back, 2.8), side(back - 0.8, 3.8), side(front + 0.8, 3.8), side(front, 2.8), crownTop[0]], 0.3);
  return { tooth, crown };
}

export function buildAnatomy(k: Skeleton): CephAnatomy {
  const { p, S, N, Ar, Go, Me, ANS, PNS, U1, U1axis, U1labial, L1, L1axis, L1labial, Id, Po, Or } = k;
  const shapes: CephShape[] = [];
  const soft: CephShape[] = [];

  // ---- Cranial vault and anterior bony profile (frontal bone, nasion, nasal bones) ----
  const vs = p.vault;
  const Gl = v2.add(N, [4.5, -13]);
  const nasalTip = v2.add(N, [9 + 0.2 * p.soft.nose - 6, 21]);
  const nasal1 = v2.add(N, [2.6, 9]);
  const vaultKnots: P2[] = [
    nasalTip, nasal1, N, Gl, v2.add(N, [3, -30]), v2.add(N, [-4, -52]),
    v2.scale([42, -98], vs), v2.scale([5, -114], vs), v2.scale([-35, -116], vs), v2.scale([-72, -101], vs),
    v2.scale([-100, -70], vs), v2.scale([-114, -30], vs), v2.scale([-112, 5], vs), v2.scale([-100, 36], vs), v2.scale([-80, 54], vs),
  ];
  const profile = spline(vaultKnots, 0.25);
  const vaultOuter = between(profile, N, vaultKnots[vaultKnots.length - 1]);
  const centre: P2 = v2.scale([-20, -30], vs);
  // The frontal bone thickens towards nasion (it holds the frontal sinus).
  const thickness = (q: P2): number => 7 + 5 * Math.max(0, 1 - v2.dist(q, N) / 30);
  const inward = (q: P2, f: number): P2 => v2.add(q, v2.scale(v2.unit(v2.sub(centre, q)), f * thickness(q)));
  const vaultInner = vaultOuter.map((q) => inward(q, 1));
  const outerTable = vaultOuter.map((q) => inward(q, 0.3));
  const innerTable = vaultOuter.map((q) => inward(q, 0.78));
  // Brain case seen en face (both parietal walls), then the vault seen edge-on as a bright band.
  const Ba = v2.add(Ar, v2.scale(v2.dir(-p.snTilt + p.saddle + 8), 13));
  shapes.push(
    plate([...vaultOuter, v2.scale([-55, 52], vs), Ba, v2.add(S, [-4, 16]), v2.add(S, [30, 6]), v2.add(Or, [8, -6]), v2.add(N, [-4, 6]), N], 0.32, 0.3),
  );
  shapes.push(fill([...outerTable, ...innerTable.slice().reverse()], 0.28, 0.8)); // diploe
  shapes.push(fill([...vaultOuter, ...outerTable.slice().reverse()], 0.55));
  shapes.push(fill([...innerTable, ...vaultInner.slice().reverse()], 0.5));
  shapes.push(plate(ellipse(v2.add(N, [-3, -23]), 4.5, 9, -10), -0.25)); // frontal sinus
  // Nasal bones and the frontonasal suture (a thin lucent line: nasion is where it meets the profile).
  const nasalBack = [v2.add(nasalTip, [-2.2, -0.5]), v2.add(nasal1, [-3, -1]), v2.add(N, [-4, -2])];
  shapes.push(fill([...between(profile, nasalTip, N), ...nasalBack.slice().reverse().map((q) => q)], 0.45));
  shapes.push(stroke([v2.add(N, [0.3, 0]), v2.add(N, [-6.5, 1.8])], 0.35, -0.3));
  // Anterior cranial base (planum, cribriform plate) and the orbital roofs.
  shapes.push(stroke(spline([v2.add(S, [20, -6]), v2.add(S, [40, -7.5]), v2.add(N, [-12, 3])], 0.5), 2, 0.35));
  shapes.push(stroke(spline([v2.add(S, [18, -8]), [Or[0] - 14, Or[1] - 33], [Or[0] + 4, Or[1] - 38], v2.add(N, [-5, 0])], 0.5), 1.3, 0.3));

  // ---- Sphenoid, sella turcica, clivus ----
  const rs = p.sellaR;
  const clivus = v2.dir(-p.snTilt + p.saddle + 8);
  const clivusBack: P2 = v2.perp(clivus)[0] < 0 ? v2.perp(clivus) : v2.scale(v2.perp(clivus), -1);
  const arUp = v2.sub(Ar, v2.scale(clivus, 15));
  // The hypophyseal fossa is a notch in the sphenoid's outline: sella is the centre of its circle.
  const fossa = ellipse(S, rs, rs, 0, 64, -28, 208); // from the tuberculum, under the floor, up the dorsum
  const sphenoid: P2[] = [
    ...spline([v2.add(S, [22, -6]), v2.add(S, [14, -5.5]), v2.add(S, [rs + 2.5, -rs * 0.75])], 0.3),
    ...fossa,
    ...spline(
      [
        v2.add(S, [-rs - 0.6, -9.5]),
        v2.add(S, [-rs - 3.4, -9]),
        v2.add(arUp, v2.scale(clivusBack, 9)),
        v2.add(Ba, v2.scale(clivusBack, 5)),
        v2.add(Ba, v2.scale(clivusBack, 2)),
        Ba,
        Ar,
        arUp,
        v2.add(S, [10, 21]),
        v2.add(S, [22, 13]),
        v2.add(S, [25, 3]),
        v2.add(S, [22, -6]),
      ],
      0.3,
    ),
  ];
  shapes.push(fill(sphenoid, 0.5, 0.5));
  shapes.push(plate(ellipse(v2.add(S, [13, 10]), 8, 6.5, 10), -0.3)); // sphenoid sinus
  shapes.push(stroke(ellipse(S, rs + 0.5, rs + 0.5, 0, 64, -28, 208), 1.0, 0.45)); // sellar floor
  shapes.push(stroke([v2.add(S, [rs + 7, -5.5]), v2.add(S, [rs + 2, -6.8]), v2.add(S, [1.5, -7.2])], 1.4, 0.35)); // anterior clinoid
  shapes.push(stroke([v2.add(S, [-rs - 1.2, -2]), v2.add(S, [-rs - 1.4, -9.4])], 1.2, 0.35)); // dorsum sellae

  // ---- Temporal bone: petrous, mastoid, external acoustic meatus (porion on its roof), ear rods ----
  const eamR = 4.3;
  shapes.push(plate(ellipse(v2.add(Po, [-4, 4]), 17, 11, -20), 0.45, 0.6));
  shapes.push(plate(ellipse(v2.add(Po, [-10, 17]), 7.5, 12, 15), 0.3, 1));
  shapes.push(fill(ellipse(v2.add(Po, [0, eamR]), eamR * 1.1, eamR, 0, 72), -0.4));
  shapes.push(stroke(ellipse(v2.add(Po, [0, eamR]), eamR * 1.1 + 0.4, eamR + 0.4, 0, 72), 0.7, 0.25, true));
  for (const [dx, dy] of [[1.5, 1.5], [3.2, 2.6]] as const) {
    shapes.push(stroke(ellipse(v2.add(Po, [dx, eamR + dy]), 6.5, 6.5, 0, 72), 1.0, 0.6, true)); // ear rod rings
  }
  // Zygomatic arch and the condylar fossa's articular eminence.
  shapes.push(
    plate(
      spline([v2.add(Po, [10, 4]), v2.add(Or, [-30, 6]), v2.add(Or, [-8, 9]), v2.add(Or, [-8, 15]), v2.add(Or, [-30, 13]), v2.add(Po, [10, 11])], 0.5),
      0.2,
      0.4,
    ),
  );

  // ---- Orbit (orbitale: lowest point of its rim) ----
  const orbitC: P2 = [Or[0], Or[1] - 17];
  shapes.push(plate(ellipse(orbitC, 15.5, 17, 0, 96), -0.08));
  shapes.push(stroke(ellipse(orbitC, 15.5, 17, 0, 96), 1.1, 0.22, true));

  // ---- Maxilla: palate (ANS, PNS), alveolar process, incisor region (A point) ----
  const back = v2.unit(v2.sub(PNS, ANS));
  let up = v2.perp(back);
  if (up[1] > 0) up = v2.scale(up, -1);
  const pal = (t: number, h: number): P2 => inFrame(ANS, back, up, t, h);
  const L = v2.dist(ANS, PNS);
  const U1cervLabial = v2.add(v2.sub(U1, v2.scale(U1axis, 10.5)), v2.scale(U1labial, 3.3));
  const U1cervLingual = v2.sub(v2.sub(U1, v2.scale(U1axis, 10)), v2.scale(U1labial, 3.4));
  const labialKnots: P2[] = [
    ANS, pal(3.5, -1.3), pal(8, -3.8),
    v2.add(v2.sub(U1, v2.scale(U1axis, 21.5)), v2.scale(U1labial, 2.4)),
    v2.add(v2.sub(U1, v2.scale(U1axis, 16)), v2.scale(U1labial, 3.1)),
    U1cervLabial,
  ];
  const labial = spline(labialKnots, 0.2);
  const nasalFloor = spline([ANS, pal(6, 0.6), pal(L * 0.5, 0.2), pal(L - 6, 0.8), PNS], 0.3);
  const oralKnots: P2[] = [PNS, pal(L - 7, -2.8), pal(L * 0.55, -5), pal(L * 0.3, -7.5), pal(12, -12)];
  const oral = spline([...oralKnots, U1cervLingual], 0.3);
  shapes.push(fill([...nasalFloor, ...oral, ...labial.slice().reverse()], BONE + 0.15, 0.6));
  shapes.push(stroke(nasalFloor, 1.2, CORTEX * 0.6));
  // Posterior alveolar process carrying the upper molars, and the maxillary body above it.
  // occ(d, n): d mm back along the occlusal plane from between the incisors, n mm up (maxilla side).
  const occUp: P2 = v2.perp(k.occlusalDir)[1] < 0 ? v2.perp(k.occlusalDir) : v2.scale(v2.perp(k.occlusalDir), -1);
  const occ = (d: number, n: number): P2 => inFrame(k.occlusalStart, k.occlusalDir, occUp, d, n);
  const lastBack = p.thirdMolars ? 59 : 50;
  shapes.push(fill([occ(8, 8), occ(20, 8.5), occ(lastBack - 4, 8.5), occ(lastBack + 1, 10), v2.add(PNS, [2, 5]), PNS, ...oral.slice(1, -1)], 0.35, 0.8));
  shapes.push(
    plate(
      spline([v2.add(PNS, [3, -2]), v2.add(PNS, [6, -24]), v2.add(Or, [-6, 3]), v2.add(Or, [8, 4]), v2.add(N, [-1, 20]), pal(6, 8), pal(3, 1)], 0.5),
      0.25,
      0.7,
    ),
  );
  shapes.push(plate(ellipse(v2.add(PNS, [22, -15]), 15, 11, -5), -0.22)); // maxillary sinus
  shapes.push(plate(ellipse(pal(20, 9), 13, 4.2, 0), 0.12, 0.5)); // inferior turbinate
  // Pterygomaxillary fissure: the inverted teardrop whose tip points at PNS.
  const ptm = spline([v2.add(PNS, [1.2, -2.5]), v2.add(PNS, [-1.5, -14]), v2.add(PNS, [2.5, -24]), v2.add(PNS, [6.5, -16]), v2.add(PNS, [1.2, -2.5])], 0.3);
  shapes.push(fill(ptm, -0.15));
  shapes.push(stroke(ptm, 0.8, 0.3));
  // Key ridge (zygomatic buttress) over the first molar.
  shapes.push(stroke(spline([occ(37, 21), occ(34, 27), occ(28.5, 30), occ(24, 26)], 0.4), 1.4, 0.18));

  // ---- Mandible ----
  const sym = (dx: number, dy: number): P2 => v2.add(Id, [dx, dy]);
  const c = p.chin;
  const lean = (p.l1Lean - 26) * 0.15;
  const symAnterior = spline([
    Id, sym(-1.4, 5.5), sym(-2.9 + 0.3 * c, 11), sym(-2.2 + 0.8 * c, 16), sym(-0.4 + c, 21.5),
    sym(-1.1 + 0.8 * c, 26.5), sym(-4.5 + 0.3 * c, p.symphH - 1.2), Me,
  ], 0.2);
  const toGo = v2.unit(v2.sub(Go, Me));
  const gUp = v2.unit(v2.sub(Ar, Go));
  const P1 = v2.add(Go, v2.scale(toGo, -11));
  const P2_ = v2.add(Go, v2.scale(gUp, 11));
  const mpUp: P2 = v2.perp(toGo)[1] < 0 ? v2.perp(toGo) : v2.scale(v2.perp(toGo), -1);
  const bodyLen = v2.dist(Go, Me);
  const mp = (t: number, h: number): P2 => inFrame(Me, toGo, mpUp, t, h);
  const inferior = spline([Me, mp(10, 0.2), mp(bodyLen * 0.45, 0.1), mp(bodyLen * 0.72, 1.0), mp(bodyLen * 0.82, 1.6), P1], 0.3);
  const angle = bezier(P1, Go, P2_, 40);
  const gonion = angle[20];
  let ant: P2 = v2.perp(gUp);
  if (v2.dot(ant, v2.sub(Me, Go)) < 0) ant = v2.scale(ant, -1);
  const R = v2.dist(Ar, Go);
  const ram = (a: number, w: number): P2 => inFrame(Go, ant, gUp, a, w);
  const posterior = spline([P2_, ram(-0.9, 0.45 * R), ram(-0.3, 0.8 * R), Ar, ram(0.6, R + 4)], 0.25);
  const condC = ram(4.8, R + 9);
  const condyle: P2[] = [];
  for (let deg = 215; deg >= -35; deg -= 5) {
    const t = (deg * Math.PI) / 180;
    condyle.push(v2.add(condC, v2.add(v2.scale(ant, 5.2 * Math.cos(t)), v2.scale(gUp, 4.4 * Math.sin(t)))));
  }
  const retromolar = occ(lastBack + 3, -8.5);
  const front = spline([ram(9.3, R + 3), ram(15, R - 3.5), ram(23, R), ram(27.5, R + 4), ram(30, R - 2), ram(29.5, R - 12), ram(28, R - 20), retromolar], 0.3);
  const crest = spline([retromolar, occ(lastBack - 8, -8.8), occ(30, -8.8), occ(17, -8.8), occ(9, -9.2), v2.add(Id, [-1.5, -0.3]), Id], 0.3);
  const mandible = [...symAnterior, ...inferior, ...angle, ...posterior, ...condyle, ...front, ...crest];
  shapes.push(fill(mandible, BONE, 0.8));
  shapes.push(stroke([...symAnterior, ...inferior, ...angle, ...posterior, ...condyle, ...front], 1.6, CORTEX)); // not the alveolar crest
  shapes.push(stroke([...symAnterior.slice(-60), ...inferior], 2.6, CORTEX * 0.7)); // thick lower cortex
  // Lingual cortex of the symphysis (the teardrop) and the mandibular canal.
  shapes.push(
    stroke(
      spline(
        [sym(-7.2 - lean, 0.3), sym(-11 - lean, 9), sym(-13.5 - lean, 17), sym(-13.8 - lean, 24), sym(-11.5, p.symphH - 1.5), v2.add(Me, [-4, -0.6])],
        0.3,
      ),
      1.6,
      CORTEX,
    ),
  );
  shapes.push(
    fill([...symAnterior, sym(-11.5, p.symphH - 1.5), sym(-13.8 - lean, 24), sym(-13.5 - lean, 17), sym(-11 - lean, 9), sym(-7.2 - lean, 0.3)], 0.25, 0.6),
  );
  shapes.push(stroke(spline([ram(12, R - 12), ram(10, R * 0.45), mp(bodyLen * 0.55, 9), mp(bodyLen * 0.2, 11)], 0.5), 2.2, -0.12));
  // Hyoid (body and greater horn) below the mandible.
  const hy = v2.add(Me, [-30, 14]);
  shapes.push(fill(ellipse(hy, 5, 3, -25), 0.35, 0.5));
  shapes.push(stroke(spline([v2.add(hy, [-3, -1]), v2.add(hy, [-12, -4]), v2.add(hy, [-20, -9])], 0.4), 1.6, 0.22));

  // ---- Teeth: incisors (landmarks 11, 12), canines, premolars, molars (both sides, offset) ----
  const incisor = (tip: P2, axis: P2, labialDir: P2, len: number, crownLen: number, wLab: number, wLing: number): void => {
    const apex = v2.sub(tip, v2.scale(axis, len));
    const sign = v2.dot(v2.perp(v2.sub(apex, tip)), labialDir) > 0 ? 1 : -1; // which outline side is labial
    const [a, b] = sign > 0 ? [wLab, wLing] : [wLing, wLab];
    const cf = crownLen / len;
    const rows: [number, number, number][] = [
      [0, 0.5, 0.5],
      [cf * 0.15, a * 0.62, b * 0.55],
      [cf * 0.55, a * 0.95, b * 0.9],
      [cf, a, b],
      [cf + (1 - cf) * 0.45, a * 0.72, b * 0.72],
      [cf + (1 - cf) * 0.85, a * 0.3, b * 0.3],
      [1, 0.15, 0.15],
    ];
    shapes.push(fill(taperedOutline(tip, apex, rows), DENTIN));
    const cervical = v2.sub(tip, v2.scale(axis, crownLen));
    shapes.push(
      fill(
        taperedOutline(tip, cervical, [
          [0, 0.5, 0.5],
          [0.15, a * 0.62, b * 0.55],
          [0.55, a * 0.95, b * 0.9],
          [1, a * 0.9, b * 0.85],
        ]),
        ENAMEL,
      ),
    );
    shapes.push(
      fill(
        taperedOutline(v2.sub(tip, v2.scale(axis, crownLen * 0.45)), v2.sub(tip, v2.scale(axis, len * 0.92)), [
          [0, 0.4, 0.4],
          [0.4, 0.9, 0.9],
          [1, 0.2, 0.2],
        ]),
        -0.35,
      ),
    ); // pulp
  };
  // Lateral incisors and canines sit behind the centrals in a lateral view.
  for (const [dx, canine] of [[-4.5, false], [-9, true]] as const) {
    incisor(v2.add(U1, [dx, -1.2]), U1axis, U1labial, canine ? 27 : 22, canine ? 10 : 9, canine ? 3.4 : 2.4, canine ? 3.4 : 2.4);
    incisor(v2.add(L1, [dx, 0.5]), L1axis, L1labial, canine ? 25 : 21, canine ? 10 : 9, canine ? 3 : 2.1, canine ? 3 : 2.1);
  }
  incisor(L1, L1axis, L1labial, 21.5, 9.5, 3.0, 3.0);
  incisor(U1, U1axis, U1labial, 23.5, 10.5, 3.3, 3.6);
  const towardsMaxilla = occUp;
  const towardsMandible = v2.scale(occUp, -1);
  const teeth: [number, number, 1 | 2, number][] = [[13.5, 20.5, 1, 14], [21, 28, 1, 14], [28.5, 39.5, 2, 13], [40, 49.5, 2, 12.5]];
  if (p.thirdMolars) teeth.push([50, 58.5, 2, 11]);
  for (const [side, shift, dens] of [[0, 0, 0.5], [1, 1.4, 0.4]] as const) {
    for (const [fr, bk, roots, rl] of teeth) {
      for (const [dir, o] of [[towardsMaxilla, 0], [towardsMandible, 0.3]] as const) {
        const origin = v2.add(k.occlusalStart, v2.scale(dir, side * 0.6));
        const { tooth, crown } = posteriorTooth(origin, k.occlusalDir, dir, fr + shift + o, bk + shift + o, roots, rl);
        shapes.push(fill(tooth, DENTIN * dens));
        shapes.push(fill(crown, ENAMEL * dens));
      }
    }
  }

  // ---- Cervical spine, pharyngeal airway ----
  const spineTop = v2.add(Ba, [-3, 9]);
  const spineDir = v2.unit([-0.12, 1]);
  const spineAnt: P2 = [spineDir[1], -spineDir[0]];
  const vert = (along: number, fwd: number): P2 => inFrame(spineTop, spineDir, spineAnt, along, fwd);
  shapes.push(fill(ellipse(vert(2, 6), 4.5, 5.5), 0.5)); // anterior arch of the atlas
  shapes.push(fill(spline([vert(0, -5), vert(-2, -1.5), vert(0, 2), vert(12, 2.2), vert(12, -6), vert(0, -5)], 0.4), 0.5, 0.6)); // dens
  let at = 12;
  for (let n = 0; n < 5; n++) {
    const h = n === 0 ? 22 : 14;
    const body = [vert(at, 2.5), vert(at + h, 3.2), vert(at + h, -13), vert(at, -12.5)];
    shapes.push(fill(spline([...body, body[0]], 0.4), 0.45, 0.9));
    shapes.push(stroke(spline([...body, body[0]], 0.4), 1.2, 0.3, true));
    shapes.push(fill(spline([vert(at + 3, -22), vert(at + h * 0.7, -24), vert(at + h * 0.6, -40), vert(at + 4, -38), vert(at + 3, -22)], 0.5), 0.3, 0.7));
    at += h + 4.5;
  }
  const airwayBack = (along: number): P2 => vert(along, 7.5);
  const airway = spline([
    v2.add(PNS, [-3, -6]), v2.add(PNS, [-8, 2]), airwayBack(14), airwayBack(40), airwayBack(70), airwayBack(130),
    vert(130, 19), vert(70, 18), vert(40, 17), v2.add(PNS, [-3, 14]), v2.add(PNS, [1, 4]), v2.add(PNS, [-3, -6]),
  ], 0.4);
  shapes.push({ kind: 'fill', pts: airway, density: -0.45, layer: 'smooth' });

  // ---- Soft tissue profile (landmarks 13-16) ----
  const Pog = extreme(between(symAnterior, symAnterior[Math.floor(symAnterior.length * 0.45)], Me), [1, 0]);
  const B = deepest(between(symAnterior, Id, Pog));
  const MeL = extreme([...between(symAnterior, Pog, Me), ...inferior.slice(0, 60)], [0, 1]);
  const Gn = extreme(between([...symAnterior, ...inferior.slice(1, 60)], Pog, MeL), v2.unit([1, 1]));
  const A = deepest(labial);
  const s = p.soft;
  const softN = v2.add(N, [s.n, 1]);
  const Prn: P2 = [ANS[0] + s.nose, ANS[1] - s.noseLift];
  const Sn: P2 = v2.add(ANS, [s.sn, 4.5]);
  const Ls = v2.add(U1, [1 + s.ls, -9]);
  const St = v2.add(U1, [5.5, -1.2]);
  const Li = v2.add(L1, [s.li - 1, 7.5]);
  const softB = v2.add(B, [s.b, 0]);
  const softPogK = v2.add(Pog, [s.pog, 0]);
  const softMe = v2.add(MeL, [-3, 7.5]);
  const upperFace = spline(
    [
      [-250, vaultKnots[11][1]],
      v2.add(vaultKnots[11], [-7, 0]),
      v2.add(vaultKnots[10], [-6, -5]),
      v2.add(vaultKnots[9], [-3, -6.5]),
      v2.add(vaultKnots[8], [0, -7]),
      v2.add(vaultKnots[7], [0, -7]),
      v2.add(vaultKnots[6], [5, -6]),
      v2.add(vaultKnots[5], [7, -2]),
      v2.add(vaultKnots[4], [7, 0]),
      v2.add(Gl, [6.5, 1]),
      softN,
      v2.add(nasal1, [4.8, 0.5]),
      v2.add(nasalTip, [4.2, 1]),
      v2.lerp(v2.add(nasalTip, [4.2, 1]), Prn, 0.6),
      v2.add(Prn, [-2.2, -3.5]),
      Prn,
      v2.add(Prn, [-1.2, 3.6]),
      v2.add(Prn, [-5.5, 6.2]),
      v2.add(Sn, [3, -1.8]),
      Sn,
    ],
    0.25,
  );
  const lowerFace = spline([
    Sn, v2.add(Sn, [1.2, 5]), Ls, v2.add(Ls, [-2.4, 6.5]), St, v2.add(Li, [-2.8, -5.5]), Li, v2.add(Li, [-3.5, 6]), softB,
    v2.add(softPogK, [-1.2, -6]), softPogK, v2.add(softPogK, [-3.5, 7]), softMe, v2.add(MeL, [-14, 12.5]),
    v2.add(hy, [9, 9]), v2.add(hy, [11, 40]), v2.add(hy, [13, 150]),
  ], 0.25);
  const UL = extreme(between(lowerFace, Sn, St), [1, 0]);
  const LL = extreme(between(lowerFace, St, softB), [1, 0]);
  const softPog = extreme(between(lowerFace, softB, softMe), [1, 0]);
  const head = [...upperFace, ...lowerFace, [-250, 220] as P2];
  soft.push({ kind: 'fill', pts: head, density: 1.0, layer: 'soft' });
  // The nose and lips are thin from side to side: less tissue in the beam than over the cheeks.
  soft.push({
    kind: 'fill',
    pts: [...between(upperFace, softN, Sn), v2.add(Sn, [-5, -2]), v2.add(ANS, [6, -9]), v2.add(nasal1, [1, 4])],
    density: -0.3,
    layer: 'soft',
  });

  const landmarks: P2[] = [
    S, N, Or, Po, A, B, Pog, MeL, Gn, gonion, L1, U1, UL, LL, Sn, softPog, PNS, ANS, Ar,
  ];
  return { shapes: [...soft, ...shapes], landmarks };
}
