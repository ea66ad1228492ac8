// Reading node attributes, and building new ones for emitted nodes.
import { create } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType as AT,
  type AttributeProto,
  type NodeProto,
  type TensorProto,
} from 'onnx-buf';

function find(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}

export function attrInt(node: NodeProto, name: string, dflt: number): number {
  const a = find(node, name);
  return a ? Number(a.i) : dflt;
}

export function attrFloat(node: NodeProto, name: string, dflt: number): number {
  const a = find(node, name);
  return a ? a.f : dflt;
}

export function attrInts(node: NodeProto, name: string): number[] | undefined {
  const a = find(node, name);
  return a ? a.ints.map(Number) : undefined;
}

export function attrString(node: NodeProto, name: string, dflt: string): string {
  const a = find(node, name);
  return a ? new TextDecoder().decode(a.s) : dflt;
}

export function attrTensor(node: NodeProto, name: string): TensorProto | undefined {
  return find(node, name)?.t;
}

export function hasAttr(node: NodeProto, name: string): boolean {
  return find(node, name) !== undefined;
}

/** Attribute values for emitted nodes, tagged because ONNX distinguishes int from float. */
export type AttrValue =
  | { int: number }
  | { float: number }
  | { ints: readonly number[] }
  | { str: string }
  | { tensor: TensorProto };

export function makeAttr(name: string, v: AttrValue): AttributeProto {
  if ('int' in v) return create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(v.int) });
  if ('float' in v) return create(AttributeProtoSchema, { name, type: AT.FLOAT, f: v.float });
  if ('ints' in v) return create(AttributeProtoSchema, { name, type: AT.INTS, ints: v.ints.map(BigInt) });
  if ('str' in v) return create(AttributeProtoSchema, { name, type: AT.STRING, s: new TextEncoder().encode(v.str) });
  return create(AttributeProtoSchema, { name, type: AT.TENSOR, t: v.tensor });
}
