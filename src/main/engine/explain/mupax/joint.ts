// "Any landmark": one region for a landmark model's MUPAX (and RISE and the regression, which
// call jointRegion on their own per-landmark tests). Each landmark's own test asks which
// chunks matter for that landmark; the mean landmark error dilutes a chunk that matters for one
// landmark nineteen-fold and rarely shows anything. The union of the per-landmark regions would
// not control false discoveries (19 families at q each), so the chunk x landmark p-values go into
// one Benjamini-Hochberg family at q; a chunk is in the region when any of its landmark tests is
// rejected, and shows the largest such z.
import type { Acceptance, MupaxAccumulator } from './accumulator';
import { benjaminiHochberg, type Significance } from './significance';

export interface JointRegion {
  /** 1 where any target's test of the chunk is rejected in the joint family. */
  significant: Uint8Array;
  /** The largest rejected z per chunk; outside the region, the largest z of any target (never drawn as evidence). */
  z: Float64Array;
  /** The smallest rejected z (Infinity when the region is empty). */
  zThreshold: number;
  /** The smallest p-value per chunk over the targets. */
  minP: Float64Array;
}

/** The joint region of per-target chunk tests (same chunks): one Benjamini-Hochberg family at q. */
export function jointRegion(tests: { z: ArrayLike<number>; p: ArrayLike<number> }[], q: number): JointRegion {
  const n = tests[0].z.length;
  const p = new Float64Array(n * tests.length);
  tests.forEach((t, i) => p.set(t.p, i * n));
  const rejected = benjaminiHochberg(p, q);
  const significant = new Uint8Array(n);
  const z = new Float64Array(n).fill(-Infinity);
  let zThreshold = Infinity;
  tests.forEach((t, i) => {
    for (let c = 0; c < n; c++) {
      if (!rejected[i * n + c]) continue;
      significant[c] = 1;
      zThreshold = Math.min(zThreshold, t.z[c]);
      z[c] = Math.max(z[c], t.z[c]);
    }
  });
  for (let c = 0; c < n; c++) if (!significant[c]) for (const t of tests) z[c] = Math.max(z[c], t.z[c]);
  const minP = new Float64Array(n).fill(1);
  for (const t of tests) for (let c = 0; c < n; c++) minP[c] = Math.min(minP[c], t.p[c]);
  return { significant, z, zThreshold, minP };
}

export function jointTest(
  acc: MupaxAccumulator,
  targets: number[],
  o: { percentile: number; acceptance: Acceptance; q: number },
  use?: (i: number) => boolean,
): Significance {
  const tests = targets.map((t) => acc.test(t, o, use));
  const joint = jointRegion(tests, o.q);
  const retention = new Float64Array(joint.z.length);
  for (const t of tests) for (let c = 0; c < retention.length; c++) retention[c] = Math.max(retention[c], t.retention[c]);
  return {
    retention,
    z: joint.z,
    p: joint.minP,
    significant: joint.significant,
    significantCount: joint.significant.reduce((a, b) => a + b, 0),
    nullMean: NaN,
    nullSd: NaN,
    zThreshold: joint.zThreshold,
    q: o.q,
    accepted: Math.min(...tests.map((t) => t.accepted)),
    effectiveSamples: Math.min(...tests.map((t) => t.effectiveSamples)),
  };
}
