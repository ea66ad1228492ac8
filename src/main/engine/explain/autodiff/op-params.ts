// Parameters of Slice and Pad, from attributes (old opsets) or constant inputs (new ones).
import type { NodeProto } from 'onnx-buf';
import { attrInts } from './attrs';
import { isNum, type Dim } from './dims';
import type { ShapeLookup } from './shapeLookup';

const normAxis = (a: number, rank: number) => (a < 0 ? a + rank : a);

export interface SliceSpec {
  starts: number[];
  ends: number[];
  axes: number[];
  steps: number[];
}

/** Slice parameters from attributes (opset < 10) or constant inputs. */
export function sliceSpec(n: NodeProto, si: ShapeLookup, rank: number): SliceSpec | undefined {
  const c = (i: number) => (n.input[i] ? si.constIntsOrValues(n.input[i]) : undefined);
  const starts = (c(1) ?? attrInts(n, 'starts')) as number[] | undefined;
  const ends = (c(2) ?? attrInts(n, 'ends')) as number[] | undefined;
  if (!starts || !ends || !starts.every(isNum) || !ends.every(isNum)) return undefined;
  const axes = ((c(3) ?? attrInts(n, 'axes')) as number[] | undefined) ?? starts.map((_, i) => i);
  const steps = (c(4) as number[] | undefined) ?? starts.map(() => 1);
  if (!axes.every(isNum) || !steps.every(isNum)) return undefined;
  return { starts, ends, axes: axes.map((a) => normAxis(a, rank)), steps };
}

/** Which indices a Slice takes along one axis, as ONNX defines the clamping. */
export function sliceRange(len: number, start: number, end: number, step: number): { first: number; count: number } {
  const clampS = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + len : start;
  let e = end < 0 ? end + len : end;
  if (step > 0) {
    s = clampS(s, 0, len);
    e = clampS(e, 0, len);
    return { first: s, count: Math.max(0, Math.ceil((e - s) / step)) };
  }
  s = clampS(s, 0, len - 1);
  e = clampS(e, -1, len - 1);
  return { first: s, count: Math.max(0, Math.ceil((e - s) / step)) };
}

/** Pad amounts [begin..., end...] over all axes, from the attribute or constant inputs. */
export function padSpec(n: NodeProto, si: ShapeLookup, rank: number): number[] | undefined {
  const raw = (n.input[1] ? si.constIntsOrValues(n.input[1]) : attrInts(n, 'pads')) as Dim[] | undefined;
  if (!raw || !raw.every(isNum)) return undefined;
  const pads = raw as number[];
  const axesIn = n.input[3] ? si.constIntsOrValues(n.input[3]) : undefined;
  if (!axesIn) return pads.length === 2 * rank ? pads : undefined;
  const full = new Array<number>(2 * rank).fill(0);
  const axes = (axesIn as number[]).map((a) => normAxis(a, rank));
  axes.forEach((a, k) => {
    full[a] = pads[k];
    full[a + rank] = pads[k + axes.length];
  });
  return full;
}
