// Deletion and insertion curves (Petsiuk et al. 2018, RISE) with a pluggable way of removing voxels:
// a constant baseline (the plain protocol) or an imputation from the kept neighbours (ROAD). Deletion
// removes the top-f most salient voxels; insertion removes all but the top-f, so both curves are one
// rule: "fill these voxels, score the result".
import { rankDescending } from './ranking';
import type { Scorer } from './scorer';

export interface Curve {
  fractions: number[]; // of voxels removed (deletion) or inserted (insertion)
  scores: number[];
  auc: number; // trapezoid over fractions in [0, 1]
}

/** Fills the voxels with removed[v] = 1; returns a new input (x is never changed). */
export type Remover = (x: Float32Array, removed: Uint8Array) => Float32Array;

export const auc = (x: number[], y: number[]): number => y.slice(1).reduce((s, v, i) => s + ((v + y[i]) / 2) * (x[i + 1] - x[i]), 0);

/**
 * Voxel indices by decreasing saliency (ties broken by index, for reproducibility). A radix sort
 * (ranking.ts): the comparator sort it replaces gave the same order in ~0.5 s on a CT's grid.
 */
export function order(map: Float32Array): Uint32Array {
  return rankDescending(map);
}

export const fractionsFor = (steps: number): number[] => Array.from({ length: steps + 1 }, (_, i) => i / steps);

/** The removal mask at one point of a curve. */
export function removedAt(ranked: Uint32Array, fraction: number, deleting: boolean): Uint8Array {
  const k = Math.round(fraction * ranked.length);
  const removed = new Uint8Array(ranked.length).fill(deleting ? 0 : 1);
  for (let i = 0; i < k; i++) removed[ranked[i]] = deleting ? 1 : 0;
  return removed;
}

/** One curve, one input at a time: memory stays at a few volumes even for 3D models. */
export async function curve(x: Float32Array, ranked: Uint32Array, scorer: Scorer, fractions: number[], deleting: boolean, remove: Remover): Promise<Curve> {
  const scores: number[] = [];
  for (const f of fractions) scores.push((await scorer.score([remove(x, removedAt(ranked, f, deleting))]))[0]);
  return { fractions, scores, auc: auc(fractions, scores) };
}

/** The plain protocol's remover: every removed voxel takes one constant value. */
export const constantFill =
  (value: number): Remover =>
  (x, removed) => {
    const out = Float32Array.from(x);
    for (let v = 0; v < out.length; v++) if (removed[v]) out[v] = value;
    return out;
  };
