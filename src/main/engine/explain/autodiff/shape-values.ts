// Values of small integer tensors (shape computations such as Shape -> Gather -> Concat -> Reshape,
// or torch's expand() idiom), possibly symbolic, so sizes computed at run time are known at build time.
import type { NodeProto } from 'onnx-buf';
import { attrInt, attrInts, attrTensor } from './attrs';
import { isNum, prod, type Dim, type Shape } from './dims';
import type { GraphIndex } from './graph';
import { tensorValue } from './proto';

/** The value `n` gives its first output, if it is a small int vector we can follow. */
export function inferValues(n: NodeProto, g: GraphIndex, shapes: Map<string, Shape>, ints: (name: string) => Dim[] | undefined): Dim[] | undefined {
  const v = (i: number) => ints(n.input[i] ?? '');
  let r: Dim[] | undefined;
  switch (n.opType) {
    case 'Shape': {
      const s = shapes.get(n.input[0]);
      if (s) {
        const start = attrInt(n, 'start', 0);
        const endAttr = attrInt(n, 'end', s.length);
        const norm = (k: number) => Math.min(Math.max(k < 0 ? k + s.length : k, 0), s.length);
        r = s.slice(norm(start), norm(endAttr));
      }
      break;
    }
    case 'Size': {
      const s = shapes.get(n.input[0]);
      if (s) r = [prod(s)];
      break;
    }
    case 'Gather': {
      const data = v(0);
      const idx = g.constant(n.input[1]);
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
      if (n.input.every((i) => ints(i))) r = n.input.flatMap((i) => ints(i)!);
      break;
    case 'Slice': {
      const data = v(0);
      const starts = g.constInts(n.input[1]) ?? attrInts(n, 'starts');
      const ends = g.constInts(n.input[2]) ?? attrInts(n, 'ends');
      const steps = n.input[4] ? g.constInts(n.input[4]) : [1];
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
  return r;
}
