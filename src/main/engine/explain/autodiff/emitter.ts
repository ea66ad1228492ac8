// Appends backward nodes and constants to the graph, in the op forms the model's opset requires
// (axes/split/pads moved from attributes to inputs at opsets 13 and 18).
import { create } from '@bufbuild/protobuf';
import { NodeProtoSchema, type NodeProto } from 'onnx-buf';
import { makeAttr, type AttrValue } from './attrs';
import type { GraphIndex } from './graph';
import { floatTensor, int64Tensor } from './proto';

/** A Slice end past any axis length (int64 max would not survive the trip through a JS number). */
const END = Number.MAX_SAFE_INTEGER;

export class Emitter {
  readonly opset: number;
  private readonly cache = new Map<string, string>();
  private counter = 0;

  constructor(
    readonly g: GraphIndex,
    private readonly prefix = 'grad',
  ) {
    this.opset = g.opset;
  }

  /** Emits one node and returns its outputs. */
  nodeN(opType: string, inputs: string[], outputs: number, attrs: Record<string, AttrValue> = {}, hint = opType): string[] {
    const base = `${this.prefix}/${hint}_${this.counter++}`;
    const outs = Array.from({ length: outputs }, (_, i) => this.g.fresh(`${base}_out${i}`));
    const node: NodeProto = create(NodeProtoSchema, {
      name: this.g.fresh(base),
      opType,
      input: inputs,
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => makeAttr(k, v)),
    });
    this.g.graph.node.push(node);
    return outs;
  }

  /** Identity into a chosen (already reserved) name, for graph outputs. */
  identityTo(input: string, output: string): void {
    const node = create(NodeProtoSchema, {
      name: this.g.fresh(`${this.prefix}/expose_${this.counter++}`),
      opType: 'Identity',
      input: [input],
      output: [output],
    });
    this.g.graph.node.push(node);
  }

  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, hint = opType): string {
    return this.nodeN(opType, inputs, 1, attrs, hint)[0];
  }

  /** int64 initializer (cached by value, these are small). */
  ints(values: readonly number[], scalar = false): string {
    const key = `i:${scalar ? 's' : ''}${values.join(',')}`;
    let name = this.cache.get(key);
    if (!name) {
      name = this.g.fresh(`${this.prefix}/const_i64_${this.counter++}`);
      this.g.graph.initializer.push(int64Tensor(name, scalar ? [] : [values.length], values));
      this.cache.set(key, name);
    }
    return name;
  }

  /** float32 scalar initializer (cached). */
  scalar(value: number): string {
    const key = `f:${value}`;
    let name = this.cache.get(key);
    if (!name) {
      name = this.g.fresh(`${this.prefix}/const_f32_${this.counter++}`);
      this.g.graph.initializer.push(floatTensor(name, [], [value]));
      this.cache.set(key, name);
    }
    return name;
  }

  /** float32 initializer of any shape (weights precomputed at build time). */
  floats(dims: number[], data: ArrayLike<number>, hint = 'const_f32'): string {
    const name = this.g.fresh(`${this.prefix}/${hint}_${this.counter++}`);
    this.g.graph.initializer.push(floatTensor(name, dims, data));
    return name;
  }

  // ---- opset-aware op forms ----

  shape(x: string, start?: number): string {
    if (start === undefined) return this.node('Shape', [x]);
    if (this.opset >= 15) return this.node('Shape', [x], { start: { int: start } });
    return this.slice(this.node('Shape', [x]), [start], [END], [0]);
  }

  /** Slice with constant starts/axes; `ends` constant or a runtime int64 tensor name. */
  slice(x: string, starts: number[], ends: number[] | string, axes: number[], steps?: number[]): string {
    const inputs = [x, this.ints(starts), typeof ends === 'string' ? ends : this.ints(ends), this.ints(axes)];
    if (steps) inputs.push(this.ints(steps));
    return this.node('Slice', inputs);
  }

  unsqueeze(x: string, axes: number[]): string {
    if (this.opset >= 13) return this.node('Unsqueeze', [x, this.ints(axes)]);
    return this.node('Unsqueeze', [x], { axes: { ints: axes } });
  }

  /** ReduceSum over constant axes (attribute before opset 13, input after). */
  reduceSum(x: string, axes: number[], keepdims: boolean): string {
    const attrs: Record<string, AttrValue> = { keepdims: { int: keepdims ? 1 : 0 } };
    if (this.opset >= 13) return this.node('ReduceSum', [x, this.ints(axes)], attrs);
    return this.node('ReduceSum', [x], { ...attrs, axes: { ints: axes } });
  }

  split(x: string, axis: number, sizes: number[]): string[] {
    if (this.opset >= 13) return this.nodeN('Split', [x, this.ints(sizes)], sizes.length, { axis: { int: axis } });
    return this.nodeN('Split', [x], sizes.length, { axis: { int: axis }, split: { ints: sizes } });
  }

  /** Constant-mode zero padding with constant pads [begin..., end...] over all axes. */
  pad(x: string, pads: number[]): string {
    return this.node('Pad', [x, this.ints(pads)]);
  }

  reshape(x: string, shape: string): string {
    return this.node('Reshape', [x, shape]);
  }

  transpose(x: string, perm: number[]): string {
    return this.node('Transpose', [x], { perm: { ints: perm } });
  }

  /** Zeros shaped like x (float32). */
  zerosLike(x: string): string {
    return this.node('ConstantOfShape', [this.node('Shape', [x])]);
  }

  sum(terms: string[]): string {
    return terms.length === 1 ? terms[0] : this.node('Sum', terms);
  }

  mul(a: string, b: string): string {
    return this.node('Mul', [a, b]);
  }
}
