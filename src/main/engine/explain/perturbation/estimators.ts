// Two more estimators from MUPAX's own samples (the same masks and forward passes), so
// perturbation methods can be compared at no extra model cost (seed 001, GRALIS, treats RISE-,
// LIME/SHAP-style and gradient attributions as one family):
// - RISE (Petsiuk et al. 2018): how much higher the score is when a chunk is kept than when it is
//   dropped, E[s | m_c = 1] - E[s | m_c = 0], with Welch's z per chunk, on scores adjusted for the
//   mask density (MUPAX's sampler spreads densities evenly; RISE's own masks have one density).
// - Linear regression (LIME/KernelSHAP-style, uniform kernel): s ~ b0 + sum_c b_c m_c by least
//   squares with a tiny ridge, b_c's z from the robust (HC0 sandwich) covariance.
// The score s is what the target wants high: the class probability, or minus the radial error.
// Both are tested per chunk and cut by Benjamini-Hochberg at q, like MUPAX.
import { benjaminiHochberg, upperTail } from '../mupax/significance';

export interface ChunkEstimate {
  /** The estimator's own value per chunk (RISE difference, regression coefficient). */
  value: Float64Array;
  z: Float64Array;
  /** One-sided p-value per chunk (the score is higher when the chunk is kept). */
  p: Float64Array;
  significant: Uint8Array;
  significantCount: number;
  zThreshold: number;
}

/** |z| beyond this is reported as this: the normal tail underflows anyway, and maps stay finite. */
const Z_CAP = 40;

function finish(value: Float64Array, raw: Float64Array, q: number): ChunkEstimate {
  const z = Float64Array.from(raw, (v) => Math.max(-Z_CAP, Math.min(Z_CAP, v)));
  const p = Float64Array.from(z, (v) => upperTail(v));
  const significant = benjaminiHochberg(p, q);
  let count = 0, zThreshold = Infinity;
  significant.forEach((s, c) => {
    if (!s) return;
    count++;
    zThreshold = Math.min(zThreshold, z[c]);
  });
  return { value, z, p, significant, significantCount: count, zThreshold };
}

/**
 * Scores minus the mean score of their mask-density stratum. A kept chunk means a denser mask on
 * average, and denser masks score higher whatever they keep: without this, every chunk of a model
 * that reads one block would look important.
 */
export function densityAdjusted(scores: ArrayLike<number>, kept: ArrayLike<number>, strata = 8): Float64Array {
  const sum = new Float64Array(strata), count = new Float64Array(strata);
  const bin = (f: number) => Math.min(strata - 1, Math.floor(f * strata));
  for (let s = 0; s < scores.length; s++) {
    sum[bin(kept[s])] += scores[s];
    count[bin(kept[s])]++;
  }
  return Float64Array.from({ length: scores.length }, (_, s) => scores[s] - sum[bin(kept[s])] / count[bin(kept[s])]);
}

/** masks: sample-major 0/1 (n samples x chunks); scores: one per sample (density-adjusted). */
export function rise(masks: Uint8Array, chunks: number, scores: ArrayLike<number>, q: number): ChunkEstimate {
  const n = scores.length;
  const value = new Float64Array(chunks);
  const z = new Float64Array(chunks);
  let total = 0;
  for (let s = 0; s < n; s++) total += scores[s];
  const sum = new Float64Array(chunks), kept = new Float64Array(chunks);
  for (let s = 0; s < n; s++) {
    const base = s * chunks;
    for (let c = 0; c < chunks; c++) if (masks[base + c]) {
      sum[c] += scores[s];
      kept[c]++;
    }
  }
  // Group means first, then squared deviations (a second pass: no cancellation when the score
  // saturates and every kept sample scores the same).
  const m1 = Float64Array.from(sum, (v, c) => (kept[c] > 0 ? v / kept[c] : 0));
  const m0 = Float64Array.from(sum, (v, c) => (n - kept[c] > 0 ? (total - v) / (n - kept[c]) : 0));
  const ss1 = new Float64Array(chunks), ss0 = new Float64Array(chunks);
  for (let s = 0; s < n; s++) {
    const v = scores[s];
    const base = s * chunks;
    for (let c = 0; c < chunks; c++) {
      if (masks[base + c]) ss1[c] += (v - m1[c]) ** 2;
      else ss0[c] += (v - m0[c]) ** 2;
    }
  }
  for (let c = 0; c < chunks; c++) {
    const k = kept[c], d = n - k;
    if (k < 2 || d < 2) continue;
    value[c] = m1[c] - m0[c];
    const se = Math.sqrt(ss1[c] / (k - 1) / k + ss0[c] / (d - 1) / d);
    z[c] = se > 0 ? value[c] / se : value[c] === 0 ? 0 : Math.sign(value[c]) * Z_CAP;
  }
  return finish(value, z, q);
}

/** Cholesky factor of a symmetric positive definite matrix (row-major, in place: lower triangle). */
function cholesky(a: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) throw new Error('the regression design is singular');
    const l = Math.sqrt(d);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / l;
    }
  }
}

/** Solves L L' x = b for a Cholesky factor L (lower triangle of `l`). */
function solve(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const y = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) y[i] -= l[i * n + k] * y[k];
    y[i] /= l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) y[i] -= l[k * n + i] * y[k];
    y[i] /= l[i * n + i];
  }
  return y;
}

/** Least squares with an intercept; `ridge` (relative to the mean diagonal) keeps X'X invertible. */
export function regression(masks: Uint8Array, chunks: number, scores: ArrayLike<number>, q: number, ridge = 1e-6): ChunkEstimate {
  const n = scores.length;
  const p = chunks + 1;
  if (n <= p) throw new Error(`the regression needs more samples than chunks + 1 (${n} <= ${p})`);
  // X'X and X'y with column 0 the intercept.
  const xtx = new Float64Array(p * p);
  const xty = new Float64Array(p);
  const on = new Int32Array(chunks);
  for (let s = 0; s < n; s++) {
    const base = s * chunks;
    let k = 0;
    for (let c = 0; c < chunks; c++) if (masks[base + c]) on[k++] = c + 1;
    const y = scores[s];
    xty[0] += y;
    xtx[0]++;
    for (let a = 0; a < k; a++) {
      const i = on[a];
      xty[i] += y;
      xtx[i] += 1;
      xtx[i * p] += 1;
      for (let b = 0; b < k; b++) xtx[i * p + on[b]] += 1;
    }
  }
  let diag = 0;
  for (let i = 0; i < p; i++) diag += xtx[i * p + i];
  for (let i = 1; i < p; i++) xtx[i * p + i] += (ridge * diag) / p;
  const l = Float64Array.from(xtx);
  cholesky(l, p);
  const beta = solve(l, p, xty);
  // Heteroscedasticity-robust (HC0 sandwich) variances: a model's score is rarely linear in the
  // masks (it saturates), and the plain sigma^2 (X'X)^-1 then overstates the evidence.
  const meat = new Float64Array(p * p);
  // A floor under each squared residual: when the masks explain the score exactly (a model that
  // reads one chunk), every other coefficient is rounding noise over a zero standard error.
  let mean = 0;
  for (let s = 0; s < n; s++) mean += scores[s] / n;
  let spread = 0;
  for (let s = 0; s < n; s++) spread += (scores[s] - mean) ** 2 / n;
  const floor = 1e-9 * spread;
  for (let s = 0; s < n; s++) {
    const base = s * chunks;
    let k = 0;
    let fit = beta[0];
    for (let c = 0; c < chunks; c++) if (masks[base + c]) {
      on[k++] = c + 1;
      fit += beta[c + 1];
    }
    const e2 = Math.max(floor, (scores[s] - fit) ** 2);
    meat[0] += e2;
    for (let a = 0; a < k; a++) {
      const i = on[a];
      meat[i] += e2;
      meat[i * p] += e2;
      for (let b = 0; b < k; b++) meat[i * p + on[b]] += e2;
    }
  }
  const value = new Float64Array(chunks);
  const z = new Float64Array(chunks);
  const e = new Float64Array(p);
  const mc = new Float64Array(p);
  for (let c = 0; c < chunks; c++) {
    e.fill(0);
    e[c + 1] = 1;
    const col = solve(l, p, e); // (X'X)^-1 e_c
    // var(b_c) = col' M col
    for (let i = 0; i < p; i++) {
      let v = 0;
      for (let j = 0; j < p; j++) v += meat[i * p + j] * col[j];
      mc[i] = v;
    }
    let variance = 0;
    for (let i = 0; i < p; i++) variance += col[i] * mc[i];
    value[c] = beta[c + 1];
    const se = Math.sqrt(Math.max(0, variance) * (n / (n - p)));
    z[c] = se > 0 ? beta[c + 1] / se : beta[c + 1] === 0 ? 0 : Math.sign(beta[c + 1]) * Z_CAP;
  }
  return finish(value, z, q);
}
