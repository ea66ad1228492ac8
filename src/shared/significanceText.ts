// Plain words for a stochastic map's statistics, the same in the app, the CLI and the reports:
// what the coloured region is, how sure the method is, and whether sampling had settled.

export interface TargetSignificance {
  target: string;
  q: number;
  significantChunks: number;
  chunkCount: number;
  zThreshold: number | null;
  zMax: number;
  accepted: number;
}

export interface Stability {
  stable: boolean;
  stableAfterSamples: number | null;
  splitHalfJaccard: number | null;
}

/** The significance entries of a result's details, if the method reports them. */
export function significanceOf(details: Record<string, unknown>): TargetSignificance[] | null {
  const s = details.significance;
  return Array.isArray(s) ? (s as TargetSignificance[]) : null;
}

export function stabilityOf(details: Record<string, unknown>): Stability | null {
  const s = details.stability as Stability | undefined;
  return s && typeof s.stable === 'boolean' ? s : null;
}

const pct = (q: number) => `${Number((q * 100).toPrecision(3))}%`;

/**
 * "region stable after 640 samples" / "region not stable yet after 1024 samples". (The split-half
 * agreement stays in the convergence plot: each half has half the power, so it understates how
 * well two full runs agree.)
 */
export function stabilityText(details: Record<string, unknown>): string | null {
  const s = stabilityOf(details);
  if (!s) return null;
  const used = details.samplesUsed as number | undefined;
  return s.stable ? `region stable after ${s.stableAfterSamples} samples` : `region not stable yet after ${used ?? '?'} samples`;
}

/** One target's region in words: "3 of 512 chunks (FDR 5%, z >= 4.1)" or "no significant evidence". */
export function regionText(s: TargetSignificance): string {
  if (s.significantChunks === 0) return `no significant evidence (FDR ${pct(s.q)}; strongest chunk z = ${s.zMax.toFixed(1)})`;
  return `${s.significantChunks} of ${s.chunkCount} chunks significant (FDR ${pct(s.q)}, z >= ${s.zThreshold!.toFixed(1)})`;
}

/** The whole result in one line (CLI, job cards): main target's region and the stability. */
export function significanceSummary(details: Record<string, unknown>): string | null {
  const all = significanceOf(details);
  if (!all?.length) return null;
  const main = all[all.length - 1];
  const stable = stabilityText(details);
  return `"${main.target}": ${regionText(main)}${stable ? `; ${stable}` : ''}`;
}

/** The legend under an overlay of the significant evidence. */
export function evidenceLegend(s: TargetSignificance): string {
  if (s.significantChunks === 0) {
    return `Nothing is shown: no region changes "${s.target}" more than chance would at a false discovery rate of ${pct(s.q)}. More samples may reveal evidence.`;
  }
  return `Coloured: the regions the model needs for "${s.target}" more often than chance (false discovery rate ${pct(s.q)}); colour = z, standard deviations above chance. Uncoloured areas show no evidence either way.`;
}
