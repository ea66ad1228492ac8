// Pointwise activations and pass-through ops. Formulas follow torch's backward kernels.
import { attrFloat, attrInt } from '../attrs';
import { DT } from '../proto';
import type { GradRule, RuleContext } from './types';

const passThrough: GradRule = { inputs: [0], outputs: [0], backward: (c) => [c.dy[0]] };

function dy(c: RuleContext): string {
  return c.dy[0]!;
}

/** Softmax axis: -1 from opset 13, 1 before (and then it spans all trailing axes). */
function softmaxAxis(c: RuleContext): number {
  return attrInt(c.node, 'axis', c.e.opset >= 13 ? -1 : 1);
}

/**
 * Runs `f` on gradient/output viewed with the softmax axis as one axis; before opset 13 the op
 * coerces the input to 2D at `axis`, so flatten there and reshape the result back.
 */
function onSoftmaxAxes(c: RuleContext, f: (g: string, y: string, axis: number) => string): string {
  const e = c.e;
  const y = c.node.output[0];
  if (e.opset >= 13) return f(dy(c), y, softmaxAxis(c));
  const axis = softmaxAxis(c);
  const flat = (t: string) => e.node('Flatten', [t], { axis: { int: axis } });
  return e.reshape(f(flat(dy(c)), flat(y), 1), e.shape(y));
}

export const activationRules: Record<string, GradRule> = {
  Relu: {
    inputs: [0],
    backward: (c) => [c.e.node('Where', [c.e.node('Greater', [c.node.output[0], c.e.scalar(0)]), dy(c), c.e.scalar(0)])],
  },
  LeakyRelu: {
    inputs: [0],
    backward: (c) => {
      const e = c.e;
      const alpha = attrFloat(c.node, 'alpha', 0.01);
      const pos = e.node('Greater', [c.node.input[0], e.scalar(0)]);
      return [e.node('Where', [pos, dy(c), e.mul(dy(c), e.scalar(alpha))])];
    },
  },
  Sigmoid: {
    inputs: [0],
    backward: (c) => {
      const e = c.e;
      const y = c.node.output[0];
      return [e.mul(e.mul(dy(c), e.node('Sub', [e.scalar(1), y])), y)];
    },
  },
  Tanh: {
    inputs: [0],
    backward: (c) => {
      const e = c.e;
      const y = c.node.output[0];
      return [e.mul(dy(c), e.node('Sub', [e.scalar(1), e.mul(y, y)]))];
    },
  },
  Clip: {
    inputs: [0],
    frozen: [1, 2],
    backward: (c) => {
      // Gradient passes where min <= x <= max (torch.clamp's rule).
      const e = c.e;
      const n = c.node;
      const x = n.input[0];
      let lo: string | undefined;
      let hi: string | undefined;
      if (e.opset >= 11) {
        lo = n.input[1] || undefined;
        hi = n.input[2] || undefined;
      } else {
        const min = attrFloat(n, 'min', -Infinity);
        const max = attrFloat(n, 'max', Infinity);
        lo = Number.isFinite(min) ? e.scalar(min) : undefined;
        hi = Number.isFinite(max) ? e.scalar(max) : undefined;
      }
      const masks: string[] = [];
      if (lo) masks.push(e.node('Not', [e.node('Less', [x, lo])]));
      if (hi) masks.push(e.node('Not', [e.node('Greater', [x, hi])]));
      if (masks.length === 0) return [dy(c)];
      const mask = masks.length === 2 ? e.node('And', masks) : masks[0];
      return [e.node('Where', [mask, dy(c), e.scalar(0)])];
    },
  },
  Softmax: {
    inputs: [0],
    backward: (c) => [
      onSoftmaxAxes(c, (g, y, axis) => {
        const e = c.e;
        const s = e.reduceSum(e.mul(g, y), [axis], true);
        return e.mul(y, e.node('Sub', [g, s]));
      }),
    ],
  },
  LogSoftmax: {
    inputs: [0],
    backward: (c) => [
      onSoftmaxAxes(c, (g, y, axis) => {
        const e = c.e;
        const s = e.reduceSum(g, [axis], true);
        return e.node('Sub', [g, e.mul(e.node('Exp', [y]), s)]);
      }),
    ],
  },
  Identity: passThrough,
  Dropout: passThrough, // inference: identity; the mask output carries no gradient
  Cast: {
    inputs: [0],
    backward: (c) => {
      if (attrInt(c.node, 'to', 0) !== DT.FLOAT) throw c.fail('only float32 -> float32 casts are differentiated');
      return [dy(c)];
    },
  },
  Neg: { inputs: [0], backward: (c) => [c.e.node('Neg', [dy(c)])] },
  Exp: { inputs: [0], backward: (c) => [c.e.mul(dy(c), c.node.output[0])] },
  Log: { inputs: [0], backward: (c) => [c.e.node('Div', [dy(c), c.node.input[0]])] },
  Sqrt: {
    inputs: [0],
    backward: (c) => [c.e.node('Div', [dy(c), c.e.mul(c.node.output[0], c.e.scalar(2))])],
  },
};
