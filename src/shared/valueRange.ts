// The smallest and largest value of a map or volume (NaN skipped), shared by the overlay colour
// scale, the report's key images, the Parametric Map's value mapping and the top-k% search.

/** [min, max] of `data`; [0, 0] when it holds no comparable value. */
export function valueRange(data: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}
