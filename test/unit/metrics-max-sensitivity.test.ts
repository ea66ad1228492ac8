// Max-sensitivity (Yeh et al. 2019) with explainers whose answer is known: a constant map never
// moves, the identity moves by exactly the noise, and the noise stays within its radius.
import { describe, expect, it } from 'vitest';
import { l2, maxSensitivity, perturbed } from '../../src/main/engine/metrics/maxSensitivity';

const x = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 10]); // range 10
const o = { perturbations: 3, radiusFraction: 0.02, seed: 5 };

describe('max-sensitivity', () => {
  it('is 0 for a map that ignores the input', async () => {
    const r = await maxSensitivity(x, new Float32Array(10).fill(1), async () => new Float32Array(10).fill(1), o);
    expect(r.value).toBe(0);
    expect(r.perDraw).toEqual([0, 0, 0]);
  });

  it('is max ||noise|| / ||x|| for the identity, the noise within 2% of the range', async () => {
    const expected = Math.max(
      ...[0, 1, 2].map((d) => {
        const p = perturbed(x, 0.2, 5, d);
        expect(Math.max(...p.map((v, i) => Math.abs(v - x[i])))).toBeLessThanOrEqual(0.2);
        return l2(p.map((v, i) => v - x[i])) / l2(x);
      }),
    );
    const r = await maxSensitivity(x, x, async (input) => Float32Array.from(input), o);
    expect(r.value).toBeCloseTo(expected, 6);
    expect(r.value).toBeGreaterThan(0);
  });

  it('a map twice as sensitive scores twice as high, and an all-zero map has no value', async () => {
    const twice = await maxSensitivity(x, x, async (input) => input.map((v, i) => x[i] + 2 * (v - x[i])), o);
    const once = await maxSensitivity(x, x, async (input) => Float32Array.from(input), o);
    expect(twice.value! / once.value!).toBeCloseTo(2, 5);
    expect((await maxSensitivity(x, new Float32Array(10), async () => new Float32Array(10), o)).value).toBeNull();
  });
});
