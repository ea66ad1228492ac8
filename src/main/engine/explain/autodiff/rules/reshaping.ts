// Ops that only rearrange elements: the gradient is rearranged back.
import { attrInts } from '../attrs';
import { reduceToShape } from './broadcast';
import type { GradRule, RuleContext } from './types';

/** Reshape the gradient to the input's runtime shape: right for any op that keeps element order. */
const reshapeBack: GradRule = {
  inputs: [0],
  backward: (c: RuleContext) => [c.e.reshape(c.dy[0]!, c.e.shape(c.node.input[0]))],
};

export const reshapingRules: Record<string, GradRule> = {
  Reshape: reshapeBack,
  Flatten: reshapeBack,
  Squeeze: reshapeBack,
  Unsqueeze: reshapeBack,
  Transpose: {
    inputs: [0],
    backward: (c) => {
      let perm = attrInts(c.node, 'perm');
      if (!perm) {
        const rank = c.shapes.rank(c.node.input[0]);
        if (rank === undefined) throw c.fail('Transpose without perm needs a known rank');
        perm = Array.from({ length: rank }, (_, i) => rank - 1 - i);
      }
      const inverse = new Array<number>(perm.length);
      perm.forEach((p, i) => (inverse[p] = i));
      return [c.e.transpose(c.dy[0]!, inverse)];
    },
  },
  Expand: {
    inputs: [0],
    backward: (c) => [reduceToShape(c, c.dy[0]!, c.shapes.get(c.node.output[0]), c.node.input[0])],
  },
};
