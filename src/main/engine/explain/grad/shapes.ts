// Static shape inference for the ops the engine knows, with symbolic dims (e.g. a dynamic batch).
// Exported models often carry no value_info, and a few rules need sizes at build time.
import type { NodeProto, TypeProto, ValueInfoProto } from 'onnx-buf';
import { attrInt, attrInts, attrTensor } from './attrs';
import type { GraphIndex } from './graph';
import { tensorValue } from './proto';
import { axisPads, windowAttrs, windowOutput, type WindowAttrs } from './windows';

/** A dimension: a size, a symbol (dim_param or a derived name), or unknown. */
export type Dim = number | string | null;
export type Shape = Dim[];

function typeShape(t: TypeProto | undefined): Shape | undefined {
  if (t?.value.case !== 'tensorType' || !t.value.value.shape) return undefined;
  return t.value.value.shape.dim.map((d) =>
    d.value.case === 'dimValue' ? Number(d.value.value) : d.value.case === 'dimParam' ? d.value.value : null,
  );
}

export function valueInfoShape(v: ValueInfoProto): Shape | undefined {
  return typeShape(v.type);
}

const prod = (dims: Dim[]): Dim => dims.reduce<Dim>((a, b) => (typeof a === 'number' && typeof b === 'number' ? a * b : null), 1);
const isNum = (d: Dim): d is number => typeof d === 'number';

export function broadcastShapes(shapes: Shape[]): Shape {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Shape = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const e = s[s.length - rank + i] ?? 1;
      if (e === 1) continue;
      if (d === 1) d = e;
      else if (d !== e) d = isNum(d) ? d : isNum(e) ? e : null;
    }
    out.push(d);
  }
  return out;
}

const UNARY = new Set([
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Clip', 'Softmax', 'LogSoftmax', 'Identity', 'Dropout', 'Exp', 'Log',
  'Neg', 'Sqrt', 'Abs', 'Cast', 'Elu', 'HardSigmoid', 'Erf', 'Floor', 'Ceil', 'Round', 'Sign', 'Reciprocal',
  'BatchNormalization', 'InstanceNormalization', 'LRN', 'HardSwish', 'Selu', 'Softplus', 'Mish', 'Gelu', 'Not',
]);
const BROADCAST = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Sum', 'Max', 'Min', 'Mean', 'Where', 'Equal', 'Greater', 'Less',
  'GreaterOrEqual', 'LessOrEqual', 'And', 'Or', 'PRelu',
]);

/** Shapes and small integer values (Shape/Gather/Concat chains) of every tensor we can infer. */
export class ShapeInfo {
  readonly shapes = new Map<string, Shape>();
  /** Values of small int tensors (rank 0/1), possibly symbolic, to follow shape computations. */
  readonly values = new Map<string, Dim[]>();

  constructor(private readonly g: GraphIndex) {
    for (const v of [...g.graph.input, ...g.graph.valueInfo, ...g.graph.output]) {
      const s = valueInfoShape(v);
      if (s) this.shapes.set(v.name, s);
    }
    for (const [name, t] of g.initializers) this.shapes.set(name, t.dims.map(Number));
    for (const n of g.nodes) this.infer(n);
  }

  get(name: string): Shape | undefined {
    return this.shapes.get(name);
  }

  rank(name: string): number | undefined {
    return this.shapes.get(name)?.length;
  }

  /** Shape with every dim known, or undefined. */
  staticShape(name: string): number[] | undefined {
    const s = this.shapes.get(name);
    return s && s.every(isNum) ? (s as number[]) : undefined;
  }

  private ints(name: string): Dim[] | undefined {
    if (!name) return undefined;
    return this.values.get(name) ?? this.g.constInts(name);
  }

  private set(name: string, s: Shape | undefined): void {
    if (!name || !s) return;
    if (!this.shapes.has(name)) this.shapes.set(name, s);
  }

  private infer(n: NodeProto): void {
    if (n.domain !== '' && n.domain !== 'ai.onnx') return;
    const x = this.shapes.get(n.input[0] ?? '');
    const out = n.output[0];
    this.inferValues(n);
    if (n.opType === 'Constant') {
      const c = this.g.constant(out);
      this.set(out, c?.dims);
      return;
    }
    if (UNARY.has(n.opType)) {
      this.set(out, x);
      if (n.opType === 'Dropout' && n.output[1]) this.set(n.output[1], x);
      return;
    }
    if (BROADCAST.has(n.opType)) {
      const all = n.input.filter((i) => i).map((i) => this.shapes.get(i));
      if (all.every((s) => s)) this.set(out, broadcastShapes(all as Shape[]));
      return;
    }
    const f = SHAPE_RULES[n.opType];
    if (!f) return;
    const outs = f(n, this, x);
    if (!outs) return;
    outs.forEach((s, i) => this.set(n.output[i] ?? '', s));
  }

  /** Follows Shape -> Gather/Slice -> Unsqueeze -> Concat chains that feed Reshape/Expand. */
  private inferValues(n: NodeProto): void {
    const out = n.output[0];
    const v = (i: number) => this.ints(n.input[i] ?? '');
    let r: Dim[] | undefined;
    switch (n.opType) {
      case 'Shape': {
        const s = this.shapes.get(n.input[0]);
        if (s) {
          const start = attrInt(n, 'start', 0);
          const endAttr = attrInt(n, 'end', s.length);
          const norm = (k: number) => Math.min(Math.max(k < 0 ? k + s.length : k, 0), s.length);
          r = s.slice(norm(start), norm(endAttr));
        }
        break;
      }
      case 'Size': {
        const s = this.shapes.get(n.input[0]);
        if (s) r = [prod(s)];
        break;
      }
      case 'Gather': {
        const data = v(0);
        const idx = this.g.constant(n.input[1]);
        if (data && idx && attrInt(n, 'axis', 0) === 0) {
          r = Array.from(idx.data, (k) => data[Number(k) < 0 ? Number(k) + data.length : Number(k)] ?? null);
        }
        break;
      }
      case 'Unsqueeze':
      case 'Squeeze':
      case 'Identity':
      case 'Cast':
      case 'Reshape':
      case 'Flatten':
        r = v(0);
        break;
      case 'Concat':
        if (n.input.every((i) => this.ints(i))) r = n.input.flatMap((i) => this.ints(i)!);
        break;
      case 'Slice': {
        const data = v(0);
        const starts = this.g.constInts(n.input[1]) ?? attrInts(n, 'starts');
        const ends = this.g.constInts(n.input[2]) ?? attrInts(n, 'ends');
        const steps = n.input[4] ? this.g.constInts(n.input[4]) : [1];
        if (data && starts && ends && steps && steps[0] === 1) {
          const clamp = (k: number) => Math.min(Math.max(k < 0 ? k + data.length : k, 0), data.length);
          r = data.slice(clamp(starts[0]), clamp(ends[0]));
        }
        break;
      }
      case 'ConstantOfShape': {
        // torch's expand() idiom: Where(Equal(shape, -1), ConstantOfShape(...), shape).
        const dims = v(0);
        const fill = attrTensor(n, 'value');
        const fillValue = fill ? tensorValue(fill)?.data[0] : 0;
        if (dims && dims.length === 1 && isNum(dims[0]) && dims[0] <= 64 && fillValue !== undefined) {
          r = new Array<Dim>(dims[0]).fill(Number(fillValue));
        }
        break;
      }
      case 'Equal': {
        const a = v(0);
        const b = v(1);
        if (a && b && a.length === b.length && [...a, ...b].every(isNum)) r = a.map((p, i) => (p === b[i] ? 1 : 0));
        break;
      }
      case 'Where': {
        const cond = v(0);
        const a = v(1);
        const b = v(2);
        if (cond && a && b && cond.length === a.length && a.length === b.length && cond.every(isNum)) {
          r = cond.map((p, i) => (p ? a[i] : b[i]));
        }
        break;
      }
      case 'Mul':
      case 'Div':
      case 'Add':
      case 'Sub': {
        const a = v(0);
        const b = v(1);
        if (a && b && (a.length === b.length || a.length === 1 || b.length === 1)) {
          const len = Math.max(a.length, b.length);
          r = [];
          for (let i = 0; i < len; i++) {
            const p = a[a.length === 1 ? 0 : i];
            const q = b[b.length === 1 ? 0 : i];
            if (!isNum(p) || !isNum(q)) r.push(null);
            else r.push(n.opType === 'Mul' ? p * q : n.opType === 'Div' ? Math.trunc(p / q) : n.opType === 'Add' ? p + q : p - q);
          }
        }
        break;
      }
      default:
        break;
    }
    if (r && out) this.values.set(out, r);
  }

  /** Shape given by a Reshape-style shape tensor (handles 0 = copy and one -1). */
  reshapeTarget(input: Shape | undefined, target: Dim[], allowZero: boolean): Shape {
    const dims: Shape = target.map((d, i) => (d === 0 && !allowZero ? (input?.[i] ?? null) : d));
    const minus = dims.indexOf(-1);
    if (minus >= 0) {
      const total = input ? prod(input) : null;
      const rest = prod(dims.filter((_, i) => i !== minus));
      dims[minus] = isNum(total) && isNum(rest) && rest !== 0 ? total / rest : null;
    }
    return dims;
  }

  constIntsOrValues(name: string): Dim[] | undefined {
    return this.ints(name);
  }

  constFloats(name: string): number[] | undefined {
    const c = this.g.constant(name);
    return c ? Array.from(c.data, Number) : undefined;
  }
}

type ShapeRule = (n: NodeProto, si: ShapeInfo, x: Shape | undefined) => (Shape | undefined)[] | undefined;

function normAxis(a: number, rank: number): number {
  return a < 0 ? a + rank : a;
}

/** Axes from the attribute (older opsets) or the second input (newer ones). */
function axesOf(n: NodeProto, si: ShapeInfo, inputIndex: number): number[] | undefined {
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

const SHAPE_RULES: Record<string, ShapeRule> = {
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

function reduceShape(n: NodeProto, si: ShapeInfo, x: Shape | undefined): Shape[] | undefined {
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

export interface SliceSpec {
  starts: number[];
  ends: number[];
  axes: number[];
  steps: number[];
}

/** Slice parameters from attributes (opset < 10) or constant inputs. */
export function sliceSpec(n: NodeProto, si: ShapeInfo, rank: number): SliceSpec | undefined {
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
export function padSpec(n: NodeProto, si: ShapeInfo, rank: number): number[] | undefined {
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
