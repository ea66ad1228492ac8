// Elementwise binary ops with numpy broadcasting; each operand's gradient is summed back to its shape.
import type { Shape } from '../shapes';
import { reduceToShape } from './broadcast';
import type { GradRule, RuleContext } from './types';

function operands(c: RuleContext): { a: string; b: string; g: string; out: Shape | undefined } {
  return { a: c.node.input[0], b: c.node.input[1], g: c.dy[0]!, out: c.shapes.get(c.node.output[0]) };
}

export const arithmeticRules: Record<string, GradRule> = {
  Add: {
    inputs: [0, 1],
    backward: (c) => {
      const { a, b, g, out } = operands(c);
      return [c.needs[0] ? reduceToShape(c, g, out, a, [b]) : undefined, c.needs[1] ? reduceToShape(c, g, out, b, [a]) : undefined];
    },
  },
  Sub: {
    inputs: [0, 1],
    backward: (c) => {
      const { a, b, g, out } = operands(c);
      return [
        c.needs[0] ? reduceToShape(c, g, out, a, [b]) : undefined,
        c.needs[1] ? reduceToShape(c, c.e.node('Neg', [g]), out, b, [a]) : undefined,
      ];
    },
  },
  Mul: {
    inputs: [0, 1],
    backward: (c) => {
      const { a, b, g, out } = operands(c);
      return [
        c.needs[0] ? reduceToShape(c, c.e.mul(g, b), out, a, [b]) : undefined,
        c.needs[1] ? reduceToShape(c, c.e.mul(g, a), out, b, [a]) : undefined,
      ];
    },
  },
  Div: {
    inputs: [0, 1],
    backward: (c) => {
      // d(a/b)/db = -a/b^2, computed as torch does: -g * ((a / b) / b).
      const { a, b, g, out } = operands(c);
      const e = c.e;
      return [
        c.needs[0] ? reduceToShape(c, e.node('Div', [g, b]), out, a, [b]) : undefined,
        c.needs[1] ? reduceToShape(c, e.mul(e.node('Neg', [g]), e.node('Div', [e.node('Div', [a, b]), b])), out, b, [a]) : undefined,
      ];
    },
  },
  Sum: {
    inputs: 'all',
    backward: (c) => c.node.input.map((x, i) => (c.needs[i] ? reduceToShape(c, c.dy[0]!, c.shapes.get(c.node.output[0]), x) : undefined)),
  },
};
