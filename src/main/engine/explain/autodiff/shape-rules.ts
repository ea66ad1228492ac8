// Per-op output shapes for the ops the engine knows.
import type { NodeProto } from 'onnx-buf';
import { attrInt, attrInts } from './attrs';
import { broadcastShapes, isNum, prod, type Dim, type Shape } from './dims';
import { padSpec, sliceRange, sliceSpec } from './op-params';
import type { ShapeLookup } from './shapeLookup';
import { axisPads, windowAttrs, windowOutput, type WindowAttrs } from './windows';

export const UNARY = new Set([
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Clip', 'Softmax', 'LogSoftmax', 'Identity', 'Dropout', 'Exp', 'Log',
  'Neg', 'Sqrt', 'Abs', 'Cast', 'Elu', 'HardSigmoid', 'Erf', 'Floor', 'Ceil', 'Round', 'Sign', 'Reciprocal',
  'BatchNormalization', 'InstanceNormalization', 'LRN', 'HardSwish', 'Selu', 'Softplus', 'Mish', 'Gelu', 'Not',
]);
export const BROADCAST = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Sum', 'Max', 'Min', 'Mean', 'Where', 'Equal', 'Greater', 'Less',
  'GreaterOrEqual', 'LessOrEqual', 'And', 'Or', 'PRelu',
]);

export type ShapeRule = (n: NodeProto, si: ShapeLookup, x: Shape | undefined) => (Shape | undefined)[] | undefined;

function normAxis(a: number, rank: number): number {
  return a < 0 ? a + rank : a;
}

/** Axes from the attribute (older opsets) or the second input (newer ones). */
function axesOf(n: NodeProto, si: ShapeLookup, inputIndex: number): number[] | undefined {
  const fromInput = n.input[inputIndex] ? si.constIntsOrValues(n.input[inputIndex]) : undefined;
  if (fromInput) return fromInput.every(isNum) ? (fromInput as number[]) : undefined;
  return attrInts(n, 'axes');
}

function windowShape(n: NodeProto, x: Shape, channels: Dim, kernel: number[], transposed: boolean): Shape {
  const sp = x.length - 2;
  const w = windowAttrs(n, kernel);
  const out: Shape = [x[0], channels];
  for (let i = 0; i < sp; i++) {
    const len = x[i + 2];
    if (!isNum(len)) {
      out.push(null);
      continue;
    }
    if (transposed) {
      out.push(convTransposeLength(n, w, i, len));
      continue;
    }
    const p = axisPads(w, i, len);
    out.push(p ? windowOutput(len, kernel[i], w.strides[i], w.dilations[i], p[0], p[1], w.ceil) : null);
  }
  return out;
}

/** ConvTranspose output length: output_shape wins, else stride*(in-1) + output_padding + k_eff - pads. */
export function convTransposeLength(n: NodeProto, w: WindowAttrs, axis: number, len: number): number {
  const sp = w.kernel.length;
  const outShape = attrInts(n, 'output_shape');
  if (outShape) return outShape[outShape.length - sp + axis];
  if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') return len * w.strides[axis];
  const op = attrInts(n, 'output_padding')?.[axis] ?? 0;
  const full = w.strides[axis] * (len - 1) + op + (w.kernel[axis] - 1) * w.dilations[axis] + 1;
  return full - w.pads[axis] - w.pads[axis + sp];
}

export const SHAPE_RULES: Record<string, ShapeRule> = {
  Conv: (n, si, x) => {
    const w = si.get(n.input[1]);
    if (!x || !w) return undefined;
    return [windowShape(n, x, w[0], (attrInts(n, 'kernel_shape') ?? w.slice(2)) as number[], false)];
  },
  ConvTranspose: (n, si, x) => {
    const w = si.get(n.input[1]);
    if (!x || !w) return undefined;
    const m = isNum(w[1]) ? w[1] * attrInt(n, 'group', 1) : null;
    return [windowShape(n, x, m, (attrInts(n, 'kernel_shape') ?? w.slice(2)) as number[], true)];
  },
  MaxPool: (n, _si, x) => {
    if (!x) return undefined;
    const s = windowShape(n, x, x[1], attrInts(n, 'kernel_shape') ?? [], false);
    return [s, s];
  },
  AveragePool: (n, _si, x) => (x ? [windowShape(n, x, x[1], attrInts(n, 'kernel_shape') ?? [], false)] : undefined),
  GlobalAveragePool: (_n, _si, x) => (x ? [[x[0], x[1], ...x.slice(2).map(() => 1)]] : undefined),
  GlobalMaxPool: (_n, _si, x) => (x ? [[x[0], x[1], ...x.slice(2).map(() => 1)]] : undefined),
  Gemm: (n, si, a) => {
    const b = si.get(n.input[1]);
    if (!a || !b) return undefined;
    return [[attrInt(n, 'transA', 0) ? a[1] : a[0], attrInt(n, 'transB', 0) ? b[0] : b[1]]];
  },
  MatMul: (n, si, a) => {
    const b = si.get(n.input[1]);
    if (!a || !b) return undefined;
    const a2 = a.length === 1 ? [1, a[0]] : a;
    const b2 = b.length === 1 ? [b[0], 1] : b;
    const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)]);
    const out = [...batch, a2[a2.length - 2], b2[b2.length - 1]];
    if (b.length === 1) out.pop();
    if (a.length === 1) out.splice(out.length - (b.length === 1 ? 1 : 2), 1);
    return [out];
  },
  Flatten: (n, _si, x) => {
    if (!x) return undefined;
    const axis = normAxis(attrInt(n, 'axis', 1), x.length);
    return [[prod(x.slice(0, axis)), prod(x.slice(axis))]];
  },
  Reshape: (n, si, x) => {
    const t = si.constIntsOrValues(n.input[1]);
    return t ? [si.reshapeTarget(x, t, attrInt(n, 'allowzero', 0) === 1)] : undefined;
  },
  Expand: (n, si, x) => {
    const t = si.constIntsOrValues(n.input[1]);
    return x && t ? [broadcastShapes([x, t])] : undefined;
  },
  Transpose: (n, _si, x) => {
    if (!x) return undefined;
    const perm = attrInts(n, 'perm') ?? x.map((_, i) => x.length - 1 - i);
    return [perm.map((p) => x[p])];
  },
  Squeeze: (n, si, x) => {
    if (!x) return undefined;
    const axes = axesOf(n, si, 1);
    if (!axes) return [x.some((d) => d === null || typeof d === 'string') ? undefined : x.filter((d) => d !== 1)];
    const drop = new Set(axes.map((a) => normAxis(a, x.length)));
    return [x.filter((_, i) => !drop.has(i))];
  },
  Unsqueeze: (n, si, x) => {
    const axes = axesOf(n, si, 1);
    if (!x || !axes) return undefined;
    const rank = x.length + axes.length;
    const ins = new Set(axes.map((a) => normAxis(a, rank)));
    const out: Shape = [];
    let k = 0;
    for (let i = 0; i < rank; i++) out.push(ins.has(i) ? 1 : x[k++]);
    return [out];
  },
  Concat: (n, si) => {
    const all = n.input.map((i) => si.get(i));
    if (!all.every((s) => s)) return undefined;
    const shapes = all as Shape[];
    const axis = normAxis(attrInt(n, 'axis', 0), shapes[0].length);
    const out = [...shapes[0]];
    out[axis] = shapes.every((s) => isNum(s[axis])) ? shapes.reduce((a, s) => a + (s[axis] as number), 0) : null;
    return [out];
  },
  Split: (n, si, x) => {
    if (!x) return undefined;
    const axis = normAxis(attrInt(n, 'axis', 0), x.length);
    const sizes = (n.input[1] ? si.constIntsOrValues(n.input[1]) : undefined) ?? attrInts(n, 'split');
    const count = n.output.length;
    const len = x[axis];
    let parts: Dim[];
    if (sizes) parts = sizes;
    else if (isNum(len)) {
      const chunk = Math.ceil(len / count);
      parts = Array.from({ length: count }, (_, i) => Math.max(0, Math.min(chunk, len - i * chunk)));
    } else parts = new Array<Dim>(count).fill(null);
    return parts.map((p) => x.map((d, i) => (i === axis ? p : d)));
  },
  Slice: (n, si, x) => {
    if (!x) return undefined;
    const spec = sliceSpec(n, si, x.length);
    if (!spec) return undefined;
    const out = [...x];
    spec.axes.forEach((a, k) => {
      const len = x[a];
      out[a] = isNum(len) ? sliceRange(len, spec.starts[k], spec.ends[k], spec.steps[k]).count : null;
    });
    return [out];
  },
  Pad: (n, si, x) => {
    if (!x) return undefined;
    const pads = padSpec(n, si, x.length);
    if (!pads) return undefined;
    return [x.map((d, i) => (isNum(d) ? d + pads[i] + pads[i + x.length] : d))];
  },
  Resize: (n, si, x) => {
    if (!x) return undefined;
    const sizes = n.input[3] ? si.constIntsOrValues(n.input[3]) : undefined;
    const scales = n.input[2] ? si.constFloats(n.input[2]) : undefined;
    const axes = attrInts(n, 'axes') ?? x.map((_, i) => i);
    const out = [...x];
    axes.forEach((a, k) => {
      const ax = normAxis(a, x.length);
      const len = x[ax];
      if (sizes && sizes.length > 0) out[ax] = sizes[k];
      else if (scales && scales.length > 0 && isNum(len)) out[ax] = Math.floor(len * scales[k]);
      else out[ax] = null;
    });
    return [out];
  },
  ReduceMean: reduceShape,
  ReduceSum: reduceShape,
  ReduceMax: reduceShape,
  Shape: (n, si) => {
    const v = si.values.get(n.output[0]);
    return v ? [[v.length]] : undefined;
  },
  Size: () => [[]],
  ConstantOfShape: (n, si) => {
    const v = si.constIntsOrValues(n.input[0]);
    return v ? [v] : undefined;
  },
};

function reduceShape(n: NodeProto, si: ShapeLookup, x: Shape | undefined): Shape[] | undefined {
  if (!x) return undefined;
  const axes = axesOf(n, si, 1);
  const keep = attrInt(n, 'keepdims', 1) === 1;
  if (!axes || axes.length === 0) {
    if (attrInt(n, 'noop_with_empty_axes', 0) === 1 && axes) return [x];
    return [keep ? x.map(() => 1) : []];
  }
  const red = new Set(axes.map((a) => normAxis(a, x.length)));
  return [keep ? x.map((d, i) => (red.has(i) ? 1 : d)) : x.filter((_, i) => !red.has(i))];
}

