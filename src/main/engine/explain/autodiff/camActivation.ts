// Picks the activation Grad-CAM should weight: the input of the global pooling of a classifier,
// or, for fully convolutional heatmap models, the input of the final convolution.
import type { NodeProto } from 'onnx-buf';
import { attrInt, attrInts } from './attrs';
import { GraphIndex } from './graph';
import { decodeModel } from './proto';
import { ShapeInfo } from './shapes';

/** Nodes from which some graph output can be reached. */
function feedingOutputs(g: GraphIndex): Set<NodeProto> {
  const needed = new Set(g.graph.output.map((o) => o.name));
  const nodes = new Set<NodeProto>();
  for (const n of [...g.nodes].reverse()) {
    if (!n.output.some((o) => needed.has(o))) continue;
    nodes.add(n);
    for (const i of n.input) if (i) needed.add(i);
  }
  return nodes;
}

/** Follows single-input reshaping ops down to a Gemm/MatMul (the classifier head). */
function feedsDense(g: GraphIndex, tensor: string, depth = 0): boolean {
  if (depth > 4) return false;
  return (g.consumers.get(tensor) ?? []).some((c) => {
    if (c.opType === 'Gemm' || c.opType === 'MatMul') return true;
    if (['Flatten', 'Reshape', 'Squeeze', 'Identity', 'Dropout'].includes(c.opType)) return feedsDense(g, c.output[0], depth + 1);
    return false;
  });
}

function isGlobalPool(g: GraphIndex, si: ShapeInfo, n: NodeProto): boolean {
  const rank = si.rank(n.input[0]);
  if (rank !== undefined && rank < 4) return false;
  switch (n.opType) {
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
      return true;
    case 'ReduceMean':
    case 'ReduceMax': {
      if (rank === undefined) return false;
      const axes = (attrInts(n, 'axes') ?? (n.input[1] ? g.constInts(n.input[1]) : undefined))?.map((a) => (a < 0 ? a + rank : a));
      if (!axes) return false;
      return Array.from({ length: rank - 2 }, (_, i) => i + 2).every((a) => axes.includes(a)) && !axes.includes(1);
    }
    case 'AveragePool':
    case 'MaxPool': {
      // A pool that leaves a 1x1 map and feeds the dense head through Flatten/Reshape.
      const out = si.get(n.output[0]);
      const spatialOne = out ? out.slice(2).every((d) => d === 1) : attrInt(n, 'ceil_mode', 0) === 0;
      return spatialOne && feedsDense(g, n.output[0]);
    }
    default:
      return false;
  }
}

export function findCamActivation(onnx: Uint8Array): string | null {
  const g = new GraphIndex(decodeModel(onnx));
  const si = new ShapeInfo(g);
  const live = feedingOutputs(g);
  const order = g.nodes.filter((n) => live.has(n));
  const spatial = (t: string) => {
    const r = si.rank(t);
    return r === undefined || r >= 4;
  };
  for (const n of [...order].reverse()) {
    if (isGlobalPool(g, si, n) && spatial(n.input[0])) return n.input[0];
  }
  // VGG-style heads flatten a (pooled) map straight into the dense layer.
  for (const n of [...order].reverse()) {
    if ((n.opType === 'Flatten' || n.opType === 'Reshape') && si.rank(n.input[0]) !== undefined && spatial(n.input[0]) && feedsDense(g, n.output[0])) {
      const p = g.producer.get(n.input[0])?.node;
      return p && (p.opType === 'MaxPool' || p.opType === 'AveragePool') ? p.input[0] : n.input[0];
    }
  }
  // Fully convolutional (heatmap) models: the activation entering the final convolution.
  for (const n of [...order].reverse()) {
    if ((n.opType === 'Conv' || n.opType === 'ConvTranspose') && spatial(n.input[0])) return n.input[0];
  }
  return null;
}
