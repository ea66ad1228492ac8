// Faithfulness correlation (Bhatt et al. 2020, "Evaluating and aggregating feature-based model
// explanations"): remove random subsets of the input and correlate, over the subsets, the drop in
// the score with the sum of the map over each subset. A faithful map's sums predict the drops.
// Subsets are random sets of patches, not of single voxels: removing scattered voxels from a 1M-voxel
// CT changes no score, so every subset's drop would be noise.
import { createRng } from '../random';
import type { Remover } from './curves';
import type { Scorer } from './scorer';

export interface FaithfulnessCorrelation {
  /** Pearson correlation of drops and attribution sums; null when either does not vary. */
  correlation: number | null;
  runs: number;
  /** Share of the patches each subset removes, and the patch grid [x, y, z]. */
  subsetFraction: number;
  patches: [number, number, number];
}

export function pearson(a: number[], b: number[]): number | null {
  const n = a.length;
  if (n < 2 || b.length !== n) return null;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : null;
}

/** The patch grid: about 16 patches along each in-plane axis, 8 through the slices (fewer on small grids). */
export function patchGrid(dims: readonly [number, number, number]): [number, number, number] {
  return [Math.min(16, dims[0]), Math.min(16, dims[1]), Math.min(8, dims[2])];
}

/** `runs` seeded subsets, each a voxel mask of round(fraction x patch count) random patches. */
export function randomPatchSubsets(dims: readonly [number, number, number], runs: number, fraction: number, seed: number): Uint8Array[] {
  return [...patchSubsets(dims, runs, fraction, seed)];
}

/**
 * The same subsets one at a time (the same draws in the same order): on a CT the 32 masks of 1M
 * voxels took ~0.1 s in one piece and held 32 MB; drawn as each is scored, each is its own step.
 */
export function* patchSubsets(dims: readonly [number, number, number], runs: number, fraction: number, seed: number): Generator<Uint8Array> {
  const grid = patchGrid(dims);
  const count = grid[0] * grid[1] * grid[2];
  const pick = Math.max(1, Math.round(fraction * count));
  const rng = createRng(`faithfulness-correlation:${seed}`);
  const patchOf = new Uint32Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0, v = 0; k < dims[2]; k++) {
    const pk = Math.floor((k * grid[2]) / dims[2]);
    for (let j = 0; j < dims[1]; j++) {
      const row = (pk * grid[1] + Math.floor((j * grid[1]) / dims[1])) * grid[0];
      for (let i = 0; i < dims[0]; i++, v++) patchOf[v] = row + Math.floor((i * grid[0]) / dims[0]);
    }
  }
  for (let run = 0; run < runs; run++) {
    // A partial Fisher-Yates shuffle draws `pick` distinct patches.
    const ids = Uint32Array.from({ length: count }, (_, i) => i);
    for (let i = 0; i < pick; i++) {
      const j = rng.int(i, count - 1);
      [ids[i], ids[j]] = [ids[j], ids[i]];
    }
    const chosen = new Uint8Array(count);
    for (let i = 0; i < pick; i++) chosen[ids[i]] = 1;
    const mask = new Uint8Array(patchOf.length);
    for (let v = 0; v < mask.length; v++) mask[v] = chosen[patchOf[v]];
    yield mask;
  }
}

/**
 * The correlation over the given subsets (voxel masks). The drop is oriented so that "the subset
 * mattered" is positive for both score kinds: probability lost, or landmark error gained.
 */
export async function faithfulnessCorrelation(
  x: Float32Array,
  map: Float32Array,
  scorer: Scorer,
  subsets: Iterable<Uint8Array>,
  remove: Remover,
): Promise<Pick<FaithfulnessCorrelation, 'correlation' | 'runs'> & { drops: number[]; sums: number[] }> {
  const unmasked = (await scorer.score([x]))[0];
  const drops: number[] = [];
  const sums: number[] = [];
  for (const s of subsets) {
    const score = (await scorer.score([remove(x, s)]))[0];
    drops.push(scorer.kind === 'probability' ? unmasked - score : score - unmasked);
    let sum = 0;
    for (let v = 0; v < map.length; v++) if (s[v]) sum += map[v];
    sums.push(sum);
  }
  return { correlation: pearson(sums, drops), runs: drops.length, drops, sums };
}
