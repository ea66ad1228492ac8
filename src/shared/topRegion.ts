// The top-k% region of a saliency map (the report's SEG, the viewer's outline mode): the voxels whose value is at or above the (100 - k)th
// percentile. Found with a histogram pass and a sort of one bin, so a 100 M voxel map needs no
// full sort (or copy) of its values.
import { valueRange } from './valueRange';

const BINS = 4096;

/** The smallest value among the `count` largest of `data` (count >= 1). */
export function kthLargest(data: ArrayLike<number>, count: number, [lo, hi] = valueRange(data)): number {
  if (!(hi > lo)) return lo;
  const scale = BINS / (hi - lo);
  const counts = new Float64Array(BINS);
  for (let i = 0; i < data.length; i++) counts[Math.min(BINS - 1, ((data[i] - lo) * scale) | 0)]++;
  let above = 0;
  let b = BINS - 1;
  for (; b > 0 && above + counts[b] < count; b--) above += counts[b];
  const inBin: number[] = [];
  for (let i = 0; i < data.length; i++) if (Math.min(BINS - 1, ((data[i] - lo) * scale) | 0) === b) inBin.push(data[i]);
  inBin.sort((x, y) => y - x);
  return inBin[Math.min(inBin.length - 1, count - above - 1)];
}

/**
 * 1 where the map is in its top `percent`% (ties at the threshold included), else 0. Voxels at the
 * map's minimum never count, so a flat map has an empty region rather than a full one.
 */
export function topRegion(data: ArrayLike<number>, percent: number): Uint8Array {
  if (!(percent > 0 && percent <= 100)) throw new RangeError(`the top region must be a percentage in (0, 100], got ${percent}`);
  const mask = new Uint8Array(data.length);
  if (data.length === 0) return mask;
  const range = valueRange(data);
  const threshold = kthLargest(data, Math.max(1, Math.round((data.length * percent) / 100)), range);
  for (let i = 0; i < data.length; i++) if (data[i] >= threshold && data[i] > range[0]) mask[i] = 1;
  return mask;
}
