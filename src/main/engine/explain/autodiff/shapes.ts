// Static shape inference with symbolic dims (e.g. a dynamic batch): exported models often carry no
// value_info, and a few rules need sizes at build time.
import type { NodeProto } from 'onnx-buf';
import { broadcastShapes, isNum, prod, valueInfoShape, type Dim, type Shape } from './dims';
import type { GraphIndex } from './graph';
import { BROADCAST, SHAPE_RULES, UNARY } from './shape-rules';
import { inferValues } from './shape-values';
import type { ShapeLookup } from './shapeLookup';

export type { Dim, Shape } from './dims';

/** Shapes and small integer values (Shape/Gather/Concat chains) of every tensor we can infer. */
export class ShapeInfo implements ShapeLookup {
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
    const value = inferValues(n, this.g, this.shapes, (name) => this.ints(name));
    if (value && out) this.values.set(out, value);
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

