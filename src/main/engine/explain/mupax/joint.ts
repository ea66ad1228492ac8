// "Any landmark": one region for a landmark model's MUPAX. Each landmark's own test asks which
// chunks matter for that landmark; the mean landmark error dilutes a chunk that matters for one
// landmark nineteen-fold and rarely shows anything. The union of the per-landmark regions would
// not control false discoveries (19 families at q each), so the chunk x landmark p-values go into
// one Benjamini-Hochberg family at q; a chunk is in the region when any of its landmark tests is
// rejected, and shows the largest such z.
import type { Acceptance, MupaxAccumulator } from './accumulator';
import { benjaminiHochberg, type Significance } from './significance';

export function jointTest(
  acc: MupaxAccumulator,
  targets: number[],
  o: { percentile: number; acceptance: Acceptance; q: number },
  use?: (i: number) => boolean,
): Significance {
  const tests = targets.map((t) => acc.test(t, o, use));
  const n = tests[0].z.length;
  const p = new Float64Array(n * tests.length);
  tests.forEach((t, i) => p.set(t.p, i * n));
  const rejected = benjaminiHochberg(p, o.q);
  const significant = new Uint8Array(n);
  const z = new Float64Array(n).fill(-Infinity);
  const retention = new Float64Array(n);
  let zThreshold = Infinity;
  tests.forEach((t, i) => {
    for (let c = 0; c < n; c++) {
      retention[c] = Math.max(retention[c], t.retention[c]);
      if (rejected[i * n + c]) {
        significant[c] = 1;
        zThreshold = Math.min(zThreshold, t.z[c]);
        z[c] = Math.max(z[c], t.z[c]);
      }
    }
  });
  // Outside the region: the largest z of any landmark (for the z layer), never drawn as evidence.
  for (let c = 0; c < n; c++) if (!significant[c]) for (const t of tests) z[c] = Math.max(z[c], t.z[c]);
  const minP = new Float64Array(n).fill(1);
  tests.forEach((t) => t.p.forEach((v, c) => (minP[c] = Math.min(minP[c], v))));
  return {
    retention,
    z,
    p: minP,
    significant,
    significantCount: significant.reduce((a, b) => a + b, 0),
    nullMean: NaN,
    nullSd: NaN,
    zThreshold,
    q: o.q,
    accepted: Math.min(...tests.map((t) => t.accepted)),
    effectiveSamples: Math.min(...tests.map((t) => t.effectiveSamples)),
  };
}
