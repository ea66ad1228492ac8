// ReduceSum / ReduceMean: broadcast the gradient back over the reduced axes (divided by the count for mean).
import type { NodeProto } from 'onnx-buf';
import { attrInt, attrInts } from '../attrs';
import type { GradRule, RuleContext } from './types';

/** Axes from the attribute, or from the second input (ReduceSum since opset 13, the others since 18). */
function reduceAxes(c: RuleContext, n: NodeProto): number[] | undefined {
  const since = n.opType === 'ReduceSum' ? 13 : 18;
  if (c.e.opset >= since) {
    if (!n.input[1]) return undefined;
    const v = c.g.constInts(n.input[1]);
    if (!v) throw c.fail('axes input must be a constant');
    return v;
  }
  return attrInts(n, 'axes');
}

function reduceRule(mean: boolean): GradRule {
  return {
    inputs: [0],
    backward: (c) => {
      const e = c.e;
      const n = c.node;
      const x = n.input[0];
      const axes = reduceAxes(c, n);
      let g = c.dy[0]!;
      if (axes && axes.length === 0 && attrInt(n, 'noop_with_empty_axes', 0) === 1) return [g];
      // keepdims=0 removed the reduced axes; negative axes stay valid because the rank is x's again.
      if (attrInt(n, 'keepdims', 1) === 0 && axes && axes.length > 0) g = e.unsqueeze(g, axes);
      if (mean) {
        const count = e.node('Div', [
          e.node('Cast', [e.node('Size', [x])], { to: { int: 1 } }),
          e.node('Cast', [e.node('Size', [n.output[0]])], { to: { int: 1 } }),
        ]);
        g = e.node('Div', [g, count]);
      }
      return [e.node('Expand', [g, e.node('Shape', [x])])];
    },
  };
}

export const reduceRules: Record<string, GradRule> = {
  ReduceSum: reduceRule(false),
  ReduceMean: reduceRule(true),
};
