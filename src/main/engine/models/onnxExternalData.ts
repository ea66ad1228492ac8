// Finds tensors that an ONNX model keeps outside model.onnx ("external data"). ONNX Runtime resolves
// such a tensor's location against the working directory (for an app started from a desktop
// launcher, "/"), so a package could make it read any file: packages must be self-contained.
// A minimal protobuf walk over the fields that can hold tensors (graph initializers, sparse
// initializers, node attributes with tensors or subgraphs at any depth, functions, training info);
// raw tensor bytes are skipped, never copied, so a 2 GB model is checked in milliseconds.

/** Field numbers from onnx.proto, by message: which fields are messages we must descend into. */
type Kind = 'model' | 'graph' | 'node' | 'attribute' | 'tensor' | 'sparse' | 'function' | 'training';
const CHILDREN: Record<Kind, Record<number, Kind>> = {
  model: { 7: 'graph', 20: 'training', 25: 'function' },
  graph: { 1: 'node', 5: 'tensor', 15: 'sparse' },
  node: { 5: 'attribute' },
  attribute: { 5: 'tensor', 6: 'graph', 10: 'tensor', 11: 'graph', 22: 'sparse', 23: 'sparse' },
  sparse: { 1: 'tensor', 2: 'tensor' },
  function: { 7: 'node', 11: 'attribute' },
  training: { 1: 'graph', 2: 'graph' },
  tensor: {},
};
const TENSOR_NAME = 8;
const TENSOR_EXTERNAL_DATA = 13;
const TENSOR_DATA_LOCATION = 14;
const DATA_LOCATION_EXTERNAL = 1;
/** Real models nest subgraphs a few levels deep; a deeper nest is a crafted file. */
const MAX_DEPTH = 64;

export class OnnxStructureError extends Error {}

function varint(b: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (at + i >= b.length) throw new OnnxStructureError('a field is cut off');
    const byte = b[at + i];
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) return [value, at + i + 1];
  }
  throw new OnnxStructureError('a varint is too long');
}

/** Names of the tensors stored as external data (empty when the model is self-contained). */
export function externalDataTensors(model: Uint8Array): string[] {
  const found: string[] = [];
  const stack: { kind: Kind; start: number; end: number; depth: number }[] = [{ kind: 'model', start: 0, end: model.length, depth: 0 }];
  while (stack.length) {
    const { kind, start, end, depth } = stack.pop()!;
    if (depth > MAX_DEPTH) throw new OnnxStructureError(`subgraphs are nested more than ${MAX_DEPTH} levels deep`);
    let at = start;
    let name = '';
    let external = false;
    while (at < end) {
      const [key, afterKey] = varint(model, at);
      const field = Math.floor(key / 8);
      const wire = key % 8;
      at = afterKey;
      if (wire === 0) {
        const [value, next] = varint(model, at);
        if (kind === 'tensor' && field === TENSOR_DATA_LOCATION && value === DATA_LOCATION_EXTERNAL) external = true;
        at = next;
      } else if (wire === 1) at += 8;
      else if (wire === 5) at += 4;
      else if (wire === 2) {
        const [length, next] = varint(model, at);
        if (next + length > end) throw new OnnxStructureError('a field runs past the end of its message');
        const child = CHILDREN[kind][field];
        if (child) stack.push({ kind: child, start: next, end: next + length, depth: depth + 1 });
        if (kind === 'tensor' && field === TENSOR_NAME) name = new TextDecoder().decode(model.subarray(next, next + Math.min(length, 64)));
        if (kind === 'tensor' && field === TENSOR_EXTERNAL_DATA) external = true;
        at = next + length;
      } else throw new OnnxStructureError(`unsupported protobuf wire type ${wire}`);
      if (at > end) throw new OnnxStructureError('a field runs past the end of its message');
    }
    if (external) found.push(name.replace(/[^\x20-\x7e]/g, '?') || '(unnamed)');
  }
  return found;
}
