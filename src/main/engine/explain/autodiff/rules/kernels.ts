// Weight rearrangements precomputed at build time for the Conv input gradient.

/** A forward conv kernel [M, C/group, k...] as float32. */
export interface Kernel {
  dims: number[];
  data: ArrayLike<number>;
}

/** Stride 1: W [M, C/g, k...] -> [C, M/g, k...] with every spatial axis reversed. */
export function flipTranspose(w: Kernel, group: number): { dims: number[]; data: Float32Array } {
  const [m, cg, ...k] = w.dims;
  const kvol = k.reduce((a, b) => a * b, 1);
  const mg = m / group;
  const out = new Float32Array(m * cg * kvol);
  for (let gi = 0; gi < group; gi++) {
    for (let mi = 0; mi < mg; mi++) {
      for (let ci = 0; ci < cg; ci++) {
        const src = ((gi * mg + mi) * cg + ci) * kvol;
        const dst = ((gi * cg + ci) * mg + mi) * kvol;
        for (let s = 0; s < kvol; s++) out[dst + kvol - 1 - s] = w.data[src + s];
      }
    }
  }
  return { dims: [group * cg, mg, ...k], data: out };
}

/**
 * Strided: one kernel per output phase (sub-pixel convolution). Output channel (c, phase) of the
 * result, for phase rho and tap t on each axis, holds W[m, c, e/d] at e = rho + s*(T-1-t) when the
 * dilation d divides e, so a stride-1 Conv of dy computes every phase of dx at once.
 */
export function polyphase(w: Kernel, group: number, strides: number[], dilations: number[]): { dims: number[]; data: Float32Array; taps: number[] } {
  const [m, cg, ...k] = w.dims;
  const sp = k.length;
  const mg = m / group;
  const taps = k.map((ki, i) => Math.ceil(((ki - 1) * dilations[i] + 1) / strides[i]));
  const phases = strides.reduce((a, b) => a * b, 1);
  const tvol = taps.reduce((a, b) => a * b, 1);
  const kvol = k.reduce((a, b) => a * b, 1);
  const out = new Float32Array(group * cg * phases * mg * tvol);
  const rho = new Array<number>(sp);
  const t = new Array<number>(sp);
  for (let ph = 0; ph < phases; ph++) {
    let rest = ph;
    for (let i = sp - 1; i >= 0; i--) {
      rho[i] = rest % strides[i];
      rest = Math.floor(rest / strides[i]);
    }
    for (let tap = 0; tap < tvol; tap++) {
      rest = tap;
      for (let i = sp - 1; i >= 0; i--) {
        t[i] = rest % taps[i];
        rest = Math.floor(rest / taps[i]);
      }
      // Flattened source tap index, or -1 where this phase has no tap.
      let src = 0;
      for (let i = 0; i < sp; i++) {
        const e = rho[i] + strides[i] * (taps[i] - 1 - t[i]);
        const ki = e / dilations[i];
        if (!Number.isInteger(ki) || ki >= k[i]) {
          src = -1;
          break;
        }
        src = src * k[i] + ki;
      }
      if (src < 0) continue;
      for (let gi = 0; gi < group; gi++) {
        for (let ci = 0; ci < cg; ci++) {
          const oc = (gi * cg + ci) * phases + ph;
          for (let mi = 0; mi < mg; mi++) {
            out[(oc * mg + mi) * tvol + tap] = w.data[((gi * mg + mi) * cg + ci) * kvol + src];
          }
        }
      }
    }
  }
  return { dims: [group * cg * phases, mg, ...taps], data: out, taps };
}
