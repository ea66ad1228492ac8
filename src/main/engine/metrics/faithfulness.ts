// Faithfulness of a saliency map (RISE protocol, adapted to 3D and to landmark errors):
// deletion and insertion curves with their AUCs, and the prediction on the input that keeps only
// the top-q% salient voxels (MUPAX's claim: accuracy holds or improves).
import type { ExplainContext } from '../explain/method';
import type { Scorer } from './scorer';

export interface Curve {
  fractions: number[]; // of voxels removed (deletion) or inserted (insertion)
  scores: number[];
  auc: number; // trapezoid over fractions in [0, 1]
}

export interface FaithfulnessReport {
  scoreKind: Scorer['kind'];
  target: string;
  unmasked: number;
  deletion: Curve;
  insertion: Curve;
  keepTop: { fraction: number; score: number }[];
}

const auc = (x: number[], y: number[]) => y.slice(1).reduce((s, v, i) => s + ((v + y[i]) / 2) * (x[i + 1] - x[i]), 0);

/** Voxel indices by decreasing saliency (ties broken by index, for reproducibility). */
function order(map: Float32Array): Uint32Array {
  const idx = Uint32Array.from({ length: map.length }, (_, i) => i);
  return idx.sort((a, b) => map[b] - map[a] || a - b);
}

export async function faithfulness(
  ctx: ExplainContext,
  map: Float32Array,
  scorer: Scorer,
  opts: { steps?: number; baseline: number; keepTop?: number[] },
): Promise<FaithfulnessReport> {
  const steps = opts.steps ?? 20;
  const x = ctx.input.data;
  const ranked = order(map);
  const fractions = Array.from({ length: steps + 1 }, (_, i) => i / steps);
  const build = (fraction: number, deleting: boolean) => {
    const k = Math.round(fraction * ranked.length);
    const out = deleting ? Float32Array.from(x) : new Float32Array(x.length).fill(opts.baseline);
    for (let i = 0; i < k; i++) out[ranked[i]] = deleting ? opts.baseline : x[ranked[i]];
    return out;
  };
  // One input at a time keeps memory at a few volumes even for 3D models.
  const curve = async (deleting: boolean): Promise<Curve> => {
    const scores: number[] = [];
    for (const f of fractions) scores.push((await scorer.score([build(f, deleting)]))[0]);
    return { fractions, scores, auc: auc(fractions, scores) };
  };
  const keep = opts.keepTop ?? [0.1, 0.25, 0.5];
  const keepTop = [];
  for (const q of keep) keepTop.push({ fraction: q, score: (await scorer.score([build(q, false)]))[0] });
  return {
    scoreKind: scorer.kind,
    target: scorer.target,
    unmasked: (await scorer.score([x]))[0],
    deletion: await curve(true),
    insertion: await curve(false),
    keepTop,
  };
}
