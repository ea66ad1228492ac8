// Resize (nearest and linear, every coordinate transformation): both are separable, so the
// gradient applies each axis's transposed interpolation matrix. Integer nearest upsampling
// (torch's Upsample) takes a cheaper path: sum each s x s block.
import { attrInt, attrInts, attrString } from '../attrs';
import type { GradRule, RuleContext } from './types';

const f = Math.fround;

/** Source coordinate of output index j, in float32 as ORT computes it (upsamplebase.h). */
function sourceCoord(mode: string, j: number, scale: number, lenIn: number, lenOut: number, c: RuleContext): number {
  switch (mode) {
    case 'half_pixel':
      return f(f(f(j + 0.5) / scale) - 0.5);
    case 'pytorch_half_pixel':
      return lenOut > 1 ? f(f(f(j + 0.5) / scale) - 0.5) : 0;
    case 'asymmetric':
      return f(j / scale);
    case 'tf_half_pixel_for_nn':
      return f(f(j + 0.5) / scale);
    case 'align_corners':
      return lenOut === 1 ? 0 : f(f(j * (lenIn - 1)) / (lenOut - 1));
    case 'half_pixel_symmetric': {
      const adjustment = f(lenOut / f(scale * lenIn));
      const offset = f(f(lenIn / 2) * f(1 - adjustment));
      return f(f(offset + f(f(j + 0.5) / scale)) - 0.5);
    }
    default:
      throw c.fail(`coordinate_transformation_mode "${mode}"`);
  }
}

/** std::round: halves away from zero. */
const roundAway = (v: number) => Math.sign(v) * Math.floor(Math.abs(v) + 0.5);

function nearestIndex(mode: string, x: number, c: RuleContext): number {
  const half = x === Math.trunc(x) + 0.5;
  switch (mode) {
    case 'round_prefer_floor':
      return half ? Math.floor(x) : roundAway(x);
    case 'round_prefer_ceil':
      return half ? Math.ceil(x) : roundAway(x);
    case 'floor':
      return Math.floor(x);
    case 'ceil':
      return Math.ceil(x);
    default:
      throw c.fail(`nearest_mode "${mode}"`);
  }
}

/** Interpolation matrix M[i][j]: weight of input i in output j, along one axis. */
function axisMatrix(c: RuleContext, lenIn: number, lenOut: number, scale: number): Float64Array {
  const n = c.node;
  const mode = attrString(n, 'mode', 'nearest');
  const coordMode = attrString(n, 'coordinate_transformation_mode', 'half_pixel');
  const m = new Float64Array(lenIn * lenOut);
  for (let j = 0; j < lenOut; j++) {
    if (mode === 'nearest') {
      const x = sourceCoord(coordMode, j, scale, lenIn, lenOut, c);
      const i = Math.min(Math.max(nearestIndex(attrString(n, 'nearest_mode', 'round_prefer_floor'), x, c), 0), lenIn - 1);
      m[i * lenOut + j] += 1;
    } else {
      // ORT's linear setup: clamp the coordinate, take floor/next, weights from the distances.
      let x = scale === 1 ? j : sourceCoord(coordMode, j, scale, lenIn, lenOut, c);
      x = Math.max(0, Math.min(x, lenIn - 1));
      const i1 = Math.min(Math.trunc(x), lenIn - 1);
      const i2 = Math.min(i1 + 1, lenIn - 1);
      let w1 = f(Math.abs(f(x - i2)));
      let w2 = f(Math.abs(f(x - i1)));
      if (i1 === i2) w1 = w2 = 0.5;
      m[i1 * lenOut + j] += w1;
      m[i2 * lenOut + j] += w2;
    }
  }
  return m;
}

interface AxisResize {
  axis: number;
  lenIn: number;
  lenOut: number;
  scale: number;
}

function resizedAxes(c: RuleContext): AxisResize[] {
  const n = c.node;
  const xs = c.shapes.get(n.input[0]);
  if (!xs) throw c.fail('input shape unknown');
  const rank = xs.length;
  const scales = n.input[2] ? c.g.constant(n.input[2]) : undefined;
  // Sizes may be computed from Shape(x) (torch does so); ShapeInfo follows such chains.
  const sizes = n.input[3] ? c.shapes.constIntsOrValues(n.input[3]) : undefined;
  if (n.input[2] && !scales) throw c.fail('scales must be a constant');
  if (n.input[3] && !sizes) throw c.fail('sizes must be known at build time');
  const axes = (attrInts(n, 'axes') ?? Array.from({ length: rank }, (_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  const useSizes = sizes !== undefined && sizes.length > 0;
  if (useSizes && attrString(n, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch') throw c.fail('keep_aspect_ratio_policy');
  const out: AxisResize[] = [];
  axes.forEach((axis, k) => {
    const lenIn = xs[axis];
    const size = useSizes ? sizes[k] : undefined;
    if (useSizes ? size === lenIn && lenIn !== null : Number(scales!.data[k]) === 1) return; // axis untouched
    if (typeof lenIn !== 'number') throw c.fail(`resized axis ${axis} has no static length`);
    if (useSizes && typeof size !== 'number') throw c.fail(`output size of axis ${axis} unknown`);
    const lenOut = useSizes ? (size as number) : Math.floor(lenIn * Number(scales!.data[k]));
    const scale = useSizes ? f(lenOut / lenIn) : f(Number(scales!.data[k]));
    if (lenIn === lenOut && scale === 1) return;
    out.push({ axis, lenIn, lenOut, scale });
  });
  return out;
}

/** True when every axis maps output j to input floor(j / s) for an integer s (torch nearest upsampling). */
function integerNearest(c: RuleContext, axes: AxisResize[]): boolean {
  if (attrString(c.node, 'mode', 'nearest') !== 'nearest') return false;
  return axes.every((a) => {
    const s = a.lenOut / a.lenIn;
    if (!Number.isInteger(s)) return false;
    const m = axisMatrix(c, a.lenIn, a.lenOut, a.scale);
    for (let j = 0; j < a.lenOut; j++) if (m[Math.floor(j / s) * a.lenOut + j] !== 1) return false;
    return true;
  });
}

const resize: GradRule = {
  inputs: [0],
  backward: (c) => {
    const e = c.e;
    const n = c.node;
    const x = n.input[0];
    const mode = attrString(n, 'mode', 'nearest');
    if (mode !== 'nearest' && mode !== 'linear') throw c.fail(`mode "${mode}"`);
    if (attrInt(n, 'antialias', 0) !== 0) throw c.fail('antialias=1');
    const coordMode = attrString(n, 'coordinate_transformation_mode', 'half_pixel');
    if (coordMode === 'tf_crop_and_resize') throw c.fail('tf_crop_and_resize');
    const axes = resizedAxes(c);
    let g = c.dy[0]!;
    if (axes.length === 0) return [g];
    const rank = c.shapes.get(x)!.length;
    if (integerNearest(c, axes) && rank >= 3 && axes.every((a) => a.axis >= 2)) {
      // Each input element was copied to an s x s block: sum the block. AveragePool x block size is
      // faster than ReduceSum here (and exact for power-of-two scales).
      const factor = axes.map((a) => a.lenOut / a.lenIn);
      const kernel = Array.from({ length: rank - 2 }, (_, i) => axes.find((a) => a.axis === i + 2) ? factor[axes.findIndex((a) => a.axis === i + 2)] : 1);
      const pooled = e.node('AveragePool', [g], { kernel_shape: { ints: kernel }, strides: { ints: kernel } });
      return [e.mul(pooled, e.scalar(kernel.reduce((p, q) => p * q, 1)))];
    }
    // General case: contract each resized axis with its interpolation matrix, last axis first.
    for (const a of [...axes].sort((p, q) => q.axis - p.axis)) {
      const m = axisMatrix(c, a.lenIn, a.lenOut, a.scale);
      if (a.axis === rank - 1) {
        const mt = new Float64Array(m.length); // [out, in]
        for (let i = 0; i < a.lenIn; i++) for (let j = 0; j < a.lenOut; j++) mt[j * a.lenIn + i] = m[i * a.lenOut + j];
        g = e.node('MatMul', [g, e.floats([a.lenOut, a.lenIn], mt, 'resize_matrix')]);
        continue;
      }
      // View as [.., out, rest], multiply by M [in, out] from the left, restore the trailing dims.
      const shape = e.node('Shape', [g]);
      const lead = e.slice(shape, [0], [a.axis], [0]);
      const tail = e.slice(shape, [a.axis + 1], [Number.MAX_SAFE_INTEGER], [0]);
      const as2d = e.reshape(g, e.node('Concat', [lead, e.ints([a.lenOut, -1])], { axis: { int: 0 } }));
      const prod = e.node('MatMul', [e.floats([a.lenIn, a.lenOut], m, 'resize_matrix'), as2d]);
      g = e.reshape(prod, e.node('Concat', [lead, e.ints([a.lenIn]), tail], { axis: { int: 0 } }));
    }
    return [g];
  },
};

export const resizeRules: Record<string, GradRule> = { Resize: resize };
