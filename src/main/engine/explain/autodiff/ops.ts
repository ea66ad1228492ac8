// Which ops a model uses, and which of them the gradient engine cannot differentiate.
import { GraphIndex } from './graph';
import { decodeModel } from './proto';
import { knownOp } from './rules/index';

function opName(domain: string, opType: string): string {
  return domain === '' || domain === 'ai.onnx' ? opType : `${domain}:${opType}`;
}

/** Distinct op types of the main graph, sorted (custom domains as "domain:Op"). */
export function listOps(onnx: Uint8Array): string[] {
  const g = new GraphIndex(decodeModel(onnx));
  return [...new Set(g.nodes.map((n) => opName(n.domain, n.opType)))].sort();
}

/** Ops of the model without a gradient rule (they only matter if they lie on a differentiated path). */
export function unsupportedOps(onnx: Uint8Array): string[] {
  return listOps(onnx).filter((op) => op.includes(':') || !knownOp(op));
}
