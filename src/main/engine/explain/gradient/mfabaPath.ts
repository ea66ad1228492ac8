// MFABA's arithmetic, apart from the model: one step of the adversarial path and one step's share
// of the attribution. With score s (the target's logit or heatmap peak, as IG) and loss L = -s, the
// path ascends L: x_{j+1} = clip(x_j - a * d(g_j)), g_j = ds/dx at x_j. Along it
//   s(x_j) - s(x_{j+1}) = g_j . (x_j - x_{j+1}) - 1/2 (x_{j+1} - x_j)^T H_j (x_{j+1} - x_j) + O(|dx|^3),
// and H_j (x_{j+1} - x_j) ~ g_{j+1} - g_j, so the second-order share of voxel v is
//   (g_j[v] + g_{j+1}[v]) / 2 * (x_j[v] - x_{j+1}[v]).
// Summed over the path the shares add up to s(x_0) - s(x_T): the score the input loses on its way
// to the boundary (the completeness-style property, checked on every run).

export type Direction = 'sign' | 'normalized';

export interface Box {
  /** Intensity bounds of the path (the input's own min and max: no intensity outside them). */
  lo: number;
  hi: number;
  /** Step per voxel (sign) or RMS step (normalized), in intensity units. */
  step: number;
  /** Largest |x_j[v] - x_0[v]| in intensity units. */
  radius: number;
}

/**
 * Writes x_{j+1} into `next` from x_j (`at`) and g_j; returns false when the gradient vanishes
 * (no direction to move in: the path ends there).
 */
export function stepAlongPath(x0: Float32Array, at: Float32Array, g: Float32Array, direction: Direction, box: Box, next: Float32Array): boolean {
  let scale = box.step;
  if (direction === 'normalized') {
    let sq = 0;
    for (let v = 0; v < g.length; v++) sq += g[v] * g[v];
    if (!(sq > 0)) return false;
    scale = box.step / Math.sqrt(sq / g.length);
  }
  let moved = false;
  for (let v = 0; v < g.length; v++) {
    const d = direction === 'sign' ? Math.sign(g[v]) : g[v];
    let y = at[v] - scale * d;
    y = Math.min(Math.max(y, x0[v] - box.radius), x0[v] + box.radius);
    y = Math.min(Math.max(y, box.lo), box.hi);
    next[v] = y;
    if (next[v] !== at[v]) moved = true;
  }
  return moved;
}

/** Adds one step's attribution to `acc`: first order g_j, second order (g_j + g_{j+1}) / 2, times x_j - x_{j+1}. */
export function accumulateStep(acc: Float64Array, at: Float32Array, next: Float32Array, g: Float32Array, gNext: Float32Array, order: 1 | 2): void {
  if (order === 1) for (let v = 0; v < acc.length; v++) acc[v] += g[v] * (at[v] - next[v]);
  else for (let v = 0; v < acc.length; v++) acc[v] += 0.5 * (g[v] + gNext[v]) * (at[v] - next[v]);
}
