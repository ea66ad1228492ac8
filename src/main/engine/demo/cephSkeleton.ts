// Key points of a lateral skull, drawn from seeded cephalometric norms (Bjork, Steiner, Ricketts)
// and chained so the parts fit: the ramus hangs from articulare, the lower incisor meets the upper
// one (overjet/overbite), the symphysis hangs from the lower incisor, and gonial angle and
// mandibular plane emerge from gonion and menton. Implausible draws are rejected.
// Head frame: mm, sella at the origin, x anterior, y inferior, Frankfort horizontal along x.
import { type P2, v2 } from './plane';
import type { Rng } from '../random';

export interface CephParams {
  snLen: number;
  snTilt: number; // degrees SN rises above FH anteriorly
  saddle: number; // N-S-Ar
  sAr: number;
  articular: number; // S-Ar-Go
  ramus: number; // Ar-Go
  ansDx: number;
  ansDy: number;
  ppTilt: number;
  palate: number; // ANS-PNS
  u1Dx: number; // incisal edge relative to ANS
  u1Dy: number;
  u1Sn: number; // upper incisor to SN, degrees
  overjet: number;
  overbite: number;
  l1Lean: number; // lower incisor forward lean from vertical, degrees
  symphH: number; // infradentale to menton, vertical mm
  chin: number; // chin prominence, mm
  opTilt: number; // occlusal plane, degrees anterior-down from FH
  fhY: number; // FH below sella
  poBack: number; // porion behind articulare
  orBack: number; // orbitale behind nasion
  sellaR: number;
  vault: number; // scale of the brain case
  soft: { n: number; nose: number; noseLift: number; sn: number; ls: number; li: number; b: number; pog: number };
  thirdMolars: boolean;
}

export interface Skeleton {
  p: CephParams;
  S: P2; N: P2; Ar: P2; Go: P2; Me: P2;
  ANS: P2; PNS: P2;
  U1: P2; U1apex: P2; U1axis: P2; U1labial: P2;
  L1: P2; L1axis: P2; L1labial: P2; Id: P2;
  Po: P2; Or: P2;
  occlusalStart: P2; occlusalDir: P2; // from between the incisors backwards
}

export function sampleParams(rng: Rng): CephParams {
  const g = (m: number, sd: number, lo: number, hi: number): number => rng.clampedGaussian(m, sd, lo, hi);
  return {
    snLen: g(71, 3, 63, 79),
    snTilt: g(7, 2, 2, 12),
    saddle: g(123, 4, 114, 132),
    sAr: g(35, 2.5, 29, 41),
    articular: g(143, 5, 132, 154),
    ramus: g(45, 3.5, 37, 53),
    ansDx: g(3, 2.5, -3, 9),
    ansDy: g(51, 2.8, 44, 58),
    ppTilt: g(0, 2, -5, 5),
    palate: g(52, 2.5, 46, 58),
    u1Dx: g(0, 2, -5, 5),
    u1Dy: g(29, 2.2, 24, 34),
    u1Sn: g(104, 5, 92, 116),
    overjet: g(3, 1.8, -2.5, 8),
    overbite: g(2.5, 1.4, -1.5, 5.5),
    l1Lean: g(26, 4, 16, 36),
    symphH: g(32, 2, 27, 37),
    chin: g(0, 1.3, -2.5, 3),
    opTilt: g(8, 2.5, 2, 14),
    fhY: g(20, 2, 15, 25),
    poBack: g(9, 2, 5, 13),
    orBack: g(12, 2, 8, 16),
    sellaR: g(5.3, 0.6, 4.2, 6.5),
    vault: g(1, 0.04, 0.92, 1.08),
    soft: {
      n: g(7, 1.2, 5, 10),
      nose: g(30, 3, 23, 37),
      noseLift: g(11, 2, 6, 15),
      sn: g(13.5, 1.6, 10, 17),
      ls: g(14, 1.6, 10.5, 18),
      li: g(15, 1.6, 11, 19),
      b: g(11, 1.5, 8, 14),
      pog: g(11.5, 1.7, 8, 15),
    },
    thirdMolars: rng.next() < 0.5,
  };
}

/** Angle at vertex b of a-b-c, degrees. */
export function angleAt(a: P2, b: P2, c: P2): number {
  const u = v2.unit(v2.sub(a, b));
  const w = v2.unit(v2.sub(c, b));
  return (Math.acos(Math.max(-1, Math.min(1, v2.dot(u, w)))) * 180) / Math.PI;
}

/** Builds the skeleton, or null when the draw is implausible (the caller draws again). */
export function solveSkeleton(p: CephParams): Skeleton | null {
  const S: P2 = [0, 0];
  const N = v2.scale(v2.dir(-p.snTilt), p.snLen);
  const Ar = v2.scale(v2.dir(-p.snTilt + p.saddle), p.sAr);
  const arToS = v2.angle(v2.sub(S, Ar));
  const Go = v2.add(Ar, v2.scale(v2.dir(arToS + p.articular), p.ramus));

  const ANS = v2.add(N, [p.ansDx, p.ansDy]);
  const PNS = v2.add(ANS, v2.scale(v2.dir(180 + p.ppTilt), p.palate));
  const U1 = v2.add(ANS, [p.u1Dx, p.u1Dy]);
  const U1axis = v2.dir(180 - p.snTilt - p.u1Sn); // apex -> incisal edge
  const U1apex = v2.sub(U1, v2.scale(U1axis, 23.5));
  const U1labial = v2.scale(v2.perp(U1axis), -1);
  const L1 = v2.add(U1, [-p.overjet, -p.overbite]);
  const L1axis = v2.dir(-90 + p.l1Lean); // apex -> incisal edge
  const L1labial: P2 = [-L1axis[1], L1axis[0]];
  // Infradentale: labial alveolar crest at the lower incisor's neck; menton hangs below it.
  const Id = v2.add(v2.sub(L1, v2.scale(L1axis, 9.5)), v2.scale(L1labial, 2.6));
  const Me = v2.add(Id, [-9 + 0.3 * p.chin, p.symphH]);
  const Po: P2 = [Ar[0] - p.poBack, p.fhY];
  const Or: P2 = [N[0] - p.orBack, p.fhY];
  const occlusalStart = v2.lerp(U1, L1, 0.5);
  const occlusalDir = v2.dir(180 + p.opTilt);

  // Plausibility: keep what a clinician would call a (possibly unusual) human face.
  const gonial = angleAt(Ar, Go, Me);
  const mp = v2.angle(v2.sub(Me, Go)) + p.snTilt; // SN-MP
  const body = v2.dist(Go, Me);
  if (gonial < 112 || gonial > 140 || mp < 22 || mp > 44 || body < 62 || body > 88) return null;
  if (Me[1] - ANS[1] < 55 || Me[1] - ANS[1] > 82) return null;
  const snId = angleAt(S, N, Id); // close to SNB
  if (snId < 72 || snId > 90) return null;
  return {
    p, S, N, Ar, Go, Me, ANS, PNS, U1, U1apex, U1axis, U1labial, L1, L1axis, L1labial, Id, Po, Or,
    occlusalStart, occlusalDir,
  };
}
