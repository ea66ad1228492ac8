// What a map explains, in words, the same wherever the map appears (job list, compare boxes, row
// titles, plot legend, overlay legend): two Grad-CAM maps of different classes must never read
// alike, and a map of a class the model did not predict must say so.
import type { JobStatus, PredictionResult } from '../shared/api';
import { methodDescriptor } from '../shared/explainMethods';
import { significanceOf } from '../shared/significanceText';
import { methodLabel } from './methods';

export interface MapDescription {
  method: string;
  /** '"nodule" (p = 0.36)', 'landmark "Gonion"', 'all landmarks'; null while a job has not said yet. */
  target: string | null;
  /** Set when the explained class is not the one the model's finding refers to, or was not predicted. */
  caveat: string | null;
  /** '1024 samples', '32 steps'. */
  amount: string | null;
  /** 'significant at q = 0.05' for MUPAX, RISE and the regression. */
  significance: string | null;
}

/** The target the job was asked for, known before its result (a running job). */
export interface RequestedTarget {
  name: string;
}

type Classification = NonNullable<PredictionResult['classification']>;

interface ResultTarget {
  label?: string;
  kind?: 'class' | 'landmark' | 'landmarks';
  index?: number | null;
  chosenBy?: string;
}

const probability = (p: number) => `p = ${p < 0.01 ? p.toPrecision(1) : p.toFixed(2)}`;

/** Class names that say "no finding" ("no nodule", "normal", "background", "negative"). */
const NEGATIVE_NAME = /^(no[ _-]|non[ _-]?|not[ _-])|^(normal|negative|background|none|healthy|absent)$/i;

/**
 * The class a finding refers to: the model manifest's `positiveClass`, else, for two classes of
 * which exactly one is named as an absence ("no nodule"), the other one; else unknown (null).
 */
export function positiveClassOf(c: Pick<Classification, 'classes' | 'positiveClass'>): number | null {
  if (c.positiveClass !== undefined && c.positiveClass < c.classes.length) return c.positiveClass;
  if (c.classes.length !== 2) return null;
  const negative = c.classes.map((name) => NEGATIVE_NAME.test(name.trim()));
  return negative[0] !== negative[1] ? negative.indexOf(false) : null;
}

/** Why a class map may mislead: it explains the absence of the finding, or a class that lost. */
function classCaveat(index: number, c: Classification): string | null {
  const positive = positiveClassOf(c);
  if (positive !== null && index !== positive)
    return `explains "${c.classes[index]}", the negative class: evidence for no finding (the finding is "${c.classes[positive]}")`;
  if (index !== c.predicted) return `"${c.classes[index]}" is not the predicted class ("${c.classes[c.predicted]}")`;
  return null;
}

/**
 * Describes the map of `job` for target number `targetIndex` of its result (the last, the method's
 * main target, when omitted). `prediction` is the model's result on the job's series (for the
 * class probability); `requested` what the job was started with, for a job still running.
 */
export function describeMap(job: JobStatus, prediction: PredictionResult | null, targetIndex?: number, requested?: RequestedTarget): MapDescription {
  const details = job.result?.details ?? {};
  const targets = job.result?.targets ?? [];
  const t = Math.max(0, Math.min(targetIndex ?? targets.length - 1, targets.length - 1));
  const resolved = details.target as ResultTarget | undefined;
  const classification = prediction && prediction.modelId === job.modelId ? (prediction.classification ?? null) : null;

  let target: string | null = null;
  let caveat: string | null = null;
  if (resolved?.kind === 'class' && typeof resolved.index === 'number') {
    const name = resolved.label ?? targets[t] ?? `class ${resolved.index}`;
    const p = classification?.probabilities[resolved.index];
    target = `"${name}"${p === undefined ? '' : ` (${probability(p)})`}`;
    if (classification) caveat = classCaveat(resolved.index, classification);
  } else if (targets.length) {
    // Landmark methods may carry one map per landmark plus a joint one: the shown map's name.
    const name = targets[t];
    target = /^(all landmarks|any landmark|mean landmark error)$/i.test(name) ? name : `landmark "${name}"`;
  } else if (requested) {
    target = requested.name;
  }

  const params = (details.parameters ?? {}) as Record<string, unknown>;
  const samples = typeof details.samplesUsed === 'number' ? details.samplesUsed : null;
  // Path methods (IG, PS-IG) take all their steps; MFABA's path ends at the decision boundary.
  const stepped = ['path', 'boundary'].includes(methodDescriptor(job.method)?.options ?? '');
  const steps = typeof params.steps === 'number' && stepped ? params.steps : null;
  const walked = (details as { path?: { steps?: unknown } }).path?.steps;
  const stepText = typeof walked === 'number' && steps !== null && walked !== steps ? `${walked} of ${steps} steps` : `${steps} steps`;
  const unit = stepped ? 'steps' : 'samples';
  const amount =
    samples !== null ? `${samples} samples` : steps !== null ? stepText : job.state === 'running' && job.total > 1 ? `${job.total} ${unit}` : null;

  const sig = significanceOf(details);
  const q = sig?.[Math.min(t, sig.length - 1)]?.q;
  const significance = typeof q === 'number' ? `significant at q = ${Number(q.toPrecision(3))}` : null;

  return { method: methodLabel(job.method), target, caveat, amount, significance };
}

/** One line: 'Grad-CAM · "nodule" (p = 0.36)' plus samples/steps and significance when there are any. */
export function mapLabel(d: MapDescription): string {
  return [d.method, d.target ?? 'target pending', d.amount, d.significance].filter(Boolean).join(' · ');
}

/** A short form for tight places (plot legend, row titles): method and target only. */
export function mapShortLabel(d: MapDescription): string {
  return `${d.method} · ${d.target ?? 'target pending'}`;
}
