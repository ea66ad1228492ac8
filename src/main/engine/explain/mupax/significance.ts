// Is a chunk's retention more than chance? The null model: a chunk that does not matter to the
// model cannot change whether a sample is accepted, so in accepted sample s its indicator is
// Bernoulli(f_s), f_s that sample's kept fraction (the sampler keeps a uniformly random subset of
// k_s of n chunks). The weighted retention R_c = sum_s w_s m_sc / sum_s w_s then has mean
// E0 = sum w_s f_s / W and variance V0 = sum w_s^2 f_s (1 - f_s) / W^2 under the null, the same for
// every chunk. z = (R_c - E0) / sqrt(V0) is close to normal (a sum of hundreds of bounded terms);
// the one-sided p-values go through Benjamini-Hochberg at level q (false discovery rate).
// The null is slightly conservative when some chunks do matter: accepted samples then keep those
// more often, which leaves fewer of the k_s kept chunks (and a retention below E0) for the rest.

export interface Significance {
  /** Weighted retention per chunk (the paper's map), in [0, 1]. */
  retention: Float64Array;
  /** z-score per chunk against the null model. */
  z: Float64Array;
  /** One-sided p-value per chunk (retained more often than chance). */
  p: Float64Array;
  /** 1 where the chunk is in the FDR-controlled significant region. */
  significant: Uint8Array;
  significantCount: number;
  /** Null mean and standard deviation of the retention. */
  nullMean: number;
  nullSd: number;
  /** The smallest z inside the region (Infinity when the region is empty). */
  zThreshold: number;
  q: number;
  accepted: number;
  /** Kish's effective number of accepted samples, (sum w)^2 / sum w^2. */
  effectiveSamples: number;
}

/** erfc(x) for x >= 0 (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
function erfc(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  const y =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return y;
}

/** P(Z >= z) for a standard normal Z. */
export function upperTail(z: number): number {
  if (!Number.isFinite(z)) return z > 0 ? 0 : 1;
  return z >= 0 ? 0.5 * erfc(z / Math.SQRT2) : 1 - 0.5 * erfc(-z / Math.SQRT2);
}

/** Benjamini-Hochberg: 1 for the p-values rejected at false discovery rate q. */
export function benjaminiHochberg(p: Float64Array, q: number): Uint8Array {
  const m = p.length;
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => p[a] - p[b] || a - b);
  let k = -1;
  for (let r = 0; r < m; r++) if (p[order[r]] <= ((r + 1) * q) / m) k = r;
  const out = new Uint8Array(m);
  for (let r = 0; r <= k; r++) out[order[r]] = 1;
  return out;
}

/**
 * masks: sample-major 0/1 selection vectors (chunkCount per sample); accepted: sample indices;
 * weights and fractions: per accepted sample (same order).
 */
export function testChunks(
  masks: Uint8Array,
  chunkCount: number,
  accepted: ArrayLike<number>,
  weights: ArrayLike<number>,
  fractions: ArrayLike<number>,
  q: number,
): Significance {
  const retention = new Float64Array(chunkCount);
  let W = 0,
    W2 = 0,
    mean = 0,
    variance = 0;
  for (let a = 0; a < accepted.length; a++) {
    const w = weights[a];
    const f = fractions[a];
    W += w;
    W2 += w * w;
    mean += w * f;
    variance += w * w * f * (1 - f);
    const base = accepted[a] * chunkCount;
    for (let c = 0; c < chunkCount; c++) if (masks[base + c]) retention[c] += w;
  }
  const z = new Float64Array(chunkCount);
  const p = new Float64Array(chunkCount).fill(1);
  let nullMean = NaN,
    nullSd = NaN;
  if (W > 0) {
    nullMean = mean / W;
    nullSd = Math.sqrt(variance) / W;
    for (let c = 0; c < chunkCount; c++) {
      retention[c] /= W;
      z[c] = nullSd > 0 ? (retention[c] - nullMean) / nullSd : 0;
      p[c] = nullSd > 0 ? upperTail(z[c]) : 1;
    }
  }
  const significant = benjaminiHochberg(p, q);
  let count = 0,
    zThreshold = Infinity;
  for (let c = 0; c < chunkCount; c++) {
    if (!significant[c]) continue;
    count++;
    zThreshold = Math.min(zThreshold, z[c]);
  }
  return {
    retention,
    z,
    p,
    significant,
    significantCount: count,
    nullMean,
    nullSd,
    zThreshold,
    q,
    accepted: accepted.length,
    effectiveSamples: W2 > 0 ? (W * W) / W2 : 0,
  };
}

/** Jaccard index of two regions, a voxel or chunk being inside where its value is > 0 (1 when both are empty: they agree). */
export function jaccard(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let inter = 0, union = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] > 0 && b[i] > 0) inter++;
    if (a[i] > 0 || b[i] > 0) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/**
 * The smallest number of accepted samples at which a chunk kept in EVERY accepted sample could
 * reach significance at q among n chunks: below it, no map can show anything.
 */
export function canReachSignificance(acceptedFractions: ArrayLike<number>, chunkCount: number, q: number): boolean {
  let W = 0, mean = 0, variance = 0;
  for (let a = 0; a < acceptedFractions.length; a++) {
    const f = acceptedFractions[a];
    W += 1;
    mean += f;
    variance += f * (1 - f);
  }
  if (W === 0 || variance === 0) return false;
  const zMax = (W - mean) / Math.sqrt(variance);
  return upperTail(zMax) <= q / chunkCount;
}

/**
 * The null z of a group of units taken together: per accepted sample, the mean indicator of the
 * group's k units. Under the null its mean is f_s and, the kept units being a uniform draw of
 * k_s from n without replacement, its variance is f_s (1 - f_s) / k * (n - k) / (n - 1).
 */
export function groupZ(
  masks: Uint8Array,
  chunkCount: number,
  accepted: ArrayLike<number>,
  weights: ArrayLike<number>,
  fractions: ArrayLike<number>,
  members: ArrayLike<number>,
): number {
  const k = members.length;
  const shrink = chunkCount > 1 ? (chunkCount - k) / (chunkCount - 1) : 0;
  let W = 0,
    r = 0,
    mean = 0,
    variance = 0;
  for (let a = 0; a < accepted.length; a++) {
    const w = weights[a];
    const f = fractions[a];
    const base = accepted[a] * chunkCount;
    let kept = 0;
    for (let i = 0; i < k; i++) kept += masks[base + members[i]];
    W += w;
    r += (w * kept) / k;
    mean += w * f;
    variance += ((w * w * f * (1 - f)) / k) * shrink;
  }
  return variance > 0 ? (r - mean) / Math.sqrt(variance) : 0;
}

export interface HierarchyTest {
  units: Significance;
  /** Per group: z (on this stage's samples) of its units that are not significant on their own. */
  remainderZ: Float64Array;
  /** 1 where the group's remaining units are shown as evidence at the group's resolution. */
  remainderShown: Uint8Array;
}

/** One-sided 5%: the confirmation a significant coarse chunk's remaining units need. */
export const CONFIRM_Z = 1.6448536;

/**
 * Coarse-to-fine's final test. Units are tested as one Benjamini-Hochberg family at q. A group (a
 * coarse chunk that was significant in the coarse stage, on other samples) whose units are not all
 * significant on their own shows its remaining units as evidence at the group's resolution when,
 * taken together on this stage's samples, they confirm it (z >= CONFIRM_Z): spread-out evidence
 * stays whole, a small blob stays small. Under the null a group needs a false coarse discovery
 * (rate <= q) and a false confirmation (5%), so the family's error rate stays about q.
 */
export function testHierarchy(
  masks: Uint8Array,
  chunkCount: number,
  accepted: ArrayLike<number>,
  weights: ArrayLike<number>,
  fractions: ArrayLike<number>,
  groups: number[][],
  parentSignificant: ArrayLike<number>,
  q: number,
): HierarchyTest {
  const units = testChunks(masks, chunkCount, accepted, weights, fractions, q);
  const remainderZ = new Float64Array(groups.length);
  const remainderShown = new Uint8Array(groups.length);
  groups.forEach((g, i) => {
    if (!parentSignificant[i]) return;
    const rest = g.filter((u) => !units.significant[u]);
    if (rest.length === 0) return;
    remainderZ[i] = groupZ(masks, chunkCount, accepted, weights, fractions, rest);
    remainderShown[i] = remainderZ[i] >= CONFIRM_Z ? 1 : 0;
  });
  return { units, remainderZ, remainderShown };
}
