// Max-sensitivity (Yeh et al. 2019, "On the (in)fidelity and sensitivity of explanations"): the
// largest change of the map when the input moves by a little noise, relative to the map's size.
// A map that jumps under noise a radiologist would never notice explains the noise. It reruns the
// method once per perturbation, so it is a budgeted measure: a few seeded draws, never in the app's
// default path.
import { valueRange } from '../../../shared/valueRange';
import { createRng } from '../random';

export interface MaxSensitivity {
  /** max over draws of ||map(x + d) - map(x)|| / ||map(x)||; null when the map is all zero. */
  value: number | null;
  perDraw: number[];
  /** Noise: uniform in [-radius, radius] per voxel, radius = this fraction of the input's range. */
  radiusFraction: number;
  perturbations: number;
  seed: number;
}

export interface SensitivityOptions {
  perturbations: number;
  radiusFraction: number;
  seed: number;
}

export const l2 = (a: Float32Array): number => Math.sqrt(a.reduce((s, v) => s + v * v, 0));

/** The perturbed input of draw `d` (seeded by seed and draw). */
export function perturbed(x: Float32Array, radius: number, seed: number, d: number): Float32Array {
  const rng = createRng(`max-sensitivity:${seed}:${d}`);
  return Float32Array.from(x, (v) => v + rng.uniform(-radius, radius));
}

export async function maxSensitivity(
  x: Float32Array,
  map: Float32Array,
  explain: (input: Float32Array) => Promise<Float32Array>,
  o: SensitivityOptions,
): Promise<MaxSensitivity> {
  const [lo, hi] = valueRange(x);
  const radius = o.radiusFraction * (hi - lo);
  const norm = l2(map);
  const perDraw: number[] = [];
  for (let d = 0; d < o.perturbations; d++) {
    const other = await explain(perturbed(x, radius, o.seed, d));
    if (other.length !== map.length) throw new Error(`max-sensitivity: the rerun gave ${other.length} values, the map has ${map.length}`);
    let s = 0;
    for (let v = 0; v < map.length; v++) s += (other[v] - map[v]) ** 2;
    perDraw.push(norm > 0 ? Math.sqrt(s) / norm : NaN);
  }
  return {
    value: norm > 0 ? Math.max(...perDraw) : null,
    perDraw: norm > 0 ? perDraw : [],
    radiusFraction: o.radiusFraction,
    perturbations: o.perturbations,
    seed: o.seed,
  };
}
