// Indexed view of an ONNX graph: topological node order, producers, consumers, constants, names.
import type { GraphProto, ModelProto, NodeProto, TensorProto } from 'onnx-buf';
import { attrFloat, attrInt, attrInts, attrTensor, hasAttr } from './attrs';
import { GradientModelError } from './errors';
import { defaultOpset, DT, tensorValue, type ConstTensor } from './proto';

export interface Producer {
  node: NodeProto;
  index: number;
}

export class GraphIndex {
  readonly graph: GraphProto;
  readonly opset: number;
  /** Nodes in a topological order (stable with respect to the file order). */
  readonly nodes: NodeProto[];
  readonly producer = new Map<string, Producer>();
  readonly consumers = new Map<string, NodeProto[]>();
  readonly initializers = new Map<string, TensorProto>();
  private readonly names = new Set<string>();
  private readonly constCache = new Map<string, ConstTensor | null>();

  constructor(readonly model: ModelProto) {
    if (!model.graph) throw new GradientModelError('ONNX model has no graph');
    this.graph = model.graph;
    this.opset = defaultOpset(model);
    for (const t of this.graph.initializer) this.initializers.set(t.name, t);
    for (const v of [...this.graph.input, ...this.graph.output, ...this.graph.valueInfo]) this.names.add(v.name);
    for (const t of this.graph.initializer) this.names.add(t.name);
    for (const n of this.graph.node) {
      this.names.add(n.name);
      n.output.forEach((o, index) => {
        if (o) this.producer.set(o, { node: n, index });
        this.names.add(o);
      });
      for (const i of n.input) {
        if (!i) continue;
        this.names.add(i);
        const list = this.consumers.get(i);
        if (list) list.push(n);
        else this.consumers.set(i, [n]);
      }
    }
    this.nodes = this.topoSort();
  }

  /** Kahn's algorithm; exporters already emit nodes in order, this guards against hand-made files. */
  private topoSort(): NodeProto[] {
    const nodes = this.graph.node;
    const pending = new Map<NodeProto, number>();
    const ready: NodeProto[] = [];
    for (const n of nodes) {
      const deps = new Set(n.input.filter((i) => i && this.producer.has(i)).map((i) => this.producer.get(i)!.node));
      pending.set(n, deps.size);
      if (deps.size === 0) ready.push(n);
    }
    const order: NodeProto[] = [];
    const position = new Map(nodes.map((n, i) => [n, i]));
    while (ready.length > 0) {
      ready.sort((a, b) => position.get(a)! - position.get(b)!);
      const n = ready.shift()!;
      order.push(n);
      const seen = new Set<NodeProto>();
      for (const o of n.output) {
        for (const c of this.consumers.get(o) ?? []) {
          if (seen.has(c)) continue;
          seen.add(c);
          const left = pending.get(c)! - 1;
          pending.set(c, left);
          if (left === 0) ready.push(c);
        }
      }
    }
    if (order.length !== nodes.length) throw new GradientModelError('ONNX graph has a cycle');
    return order;
  }

  hasTensor(name: string): boolean {
    return this.names.has(name);
  }

  /** A fresh tensor/node name that collides with nothing in the graph. */
  fresh(hint: string): string {
    let name = hint;
    for (let i = 1; this.names.has(name); i++) name = `${hint}_${i}`;
    this.names.add(name);
    return name;
  }

  /** Value of an initializer or Constant-node output (through Identity), if known at build time. */
  constant(name: string): ConstTensor | undefined {
    if (!name) return undefined;
    const cached = this.constCache.get(name);
    if (cached !== undefined) return cached ?? undefined;
    const value = this.computeConstant(name);
    this.constCache.set(name, value ?? null);
    return value;
  }

  private computeConstant(name: string): ConstTensor | undefined {
    const init = this.initializers.get(name);
    if (init) return tensorValue(init);
    const p = this.producer.get(name);
    if (!p) return undefined;
    const n = p.node;
    if (n.opType === 'Identity') return this.constant(n.input[0]);
    if (n.opType !== 'Constant' || n.domain !== '') return undefined;
    const t = attrTensor(n, 'value');
    if (t) return tensorValue(t);
    if (hasAttr(n, 'value_float')) return { dims: [], dataType: DT.FLOAT, data: Float32Array.of(attrFloat(n, 'value_float', 0)) };
    if (hasAttr(n, 'value_int')) return { dims: [], dataType: DT.INT64, data: [attrInt(n, 'value_int', 0)] };
    const ints = attrInts(n, 'value_ints');
    if (ints) return { dims: [ints.length], dataType: DT.INT64, data: ints };
    const floats = n.attribute.find((a) => a.name === 'value_floats');
    if (floats) return { dims: [floats.floats.length], dataType: DT.FLOAT, data: Float32Array.from(floats.floats) };
    return undefined;
  }

  /** Integer constant as a list of numbers (shapes, axes, pads, ...). */
  constInts(name: string): number[] | undefined {
    const c = this.constant(name);
    return c ? Array.from(c.data, Number) : undefined;
  }
}
