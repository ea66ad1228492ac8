// Ops that select or assemble parts of tensors: Concat <-> Split, Slice -> zero padding, Pad -> crop.
import { attrInt, attrString } from '../attrs';
import { sliceRange, sliceSpec } from '../op-params';
import type { GradRule, RuleContext } from './types';

const BIG = Number.MAX_SAFE_INTEGER;

function normAxis(c: RuleContext, axis: number, tensor: string): number {
  if (axis >= 0) return axis;
  const rank = c.shapes.rank(tensor);
  if (rank === undefined) throw c.fail('negative axis needs a known rank');
  return axis + rank;
}

/** Concat: each input's gradient is its part of the output gradient. */
const concat: GradRule = {
  inputs: 'all',
  backward: (c) => {
    const e = c.e;
    const ins = c.node.input;
    const axis = normAxis(c, attrInt(c.node, 'axis', 0), ins[0]);
    const sizes = ins.map((x) => c.shapes.get(x)?.[axis]);
    if (sizes.every((s): s is number => typeof s === 'number')) {
      const parts = e.split(c.dy[0]!, axis, sizes);
      return parts.map((p, i) => (c.needs[i] ? p : undefined));
    }
    // Sizes known only at run time: slice [offset, offset + size) for each input.
    let offset = e.ints([0]);
    return ins.map((x, i) => {
      const size = e.slice(e.node('Shape', [x]), [axis], [axis + 1], [0]);
      const end = e.node('Add', [offset, size]);
      const part = c.needs[i] ? e.node('Slice', [c.dy[0]!, offset, end, e.ints([axis])]) : undefined;
      offset = end;
      return part;
    });
  },
};

/** Split: concatenate the output gradients, zeros for outputs no gradient reached. */
const split: GradRule = {
  inputs: [0],
  backward: (c) => {
    const e = c.e;
    const parts = c.node.output.map((y, i) => c.dy[i] ?? e.zerosLike(y));
    return [e.node('Concat', parts, { axis: { int: attrInt(c.node, 'axis', 0) } })];
  },
};

/** Slice: put the gradient back at the taken positions (zeros elsewhere); steps need a static axis length. */
const slice: GradRule = {
  inputs: [0],
  backward: (c) => {
    const e = c.e;
    const x = c.node.input[0];
    const xs = c.shapes.get(x);
    if (!xs) throw c.fail('input shape unknown');
    const spec = sliceSpec(c.node, c.shapes, xs.length);
    if (!spec) throw c.fail('starts/ends/axes/steps must be constants');
    let g = c.dy[0]!;
    const pads = new Array<number>(2 * xs.length).fill(0);
    spec.axes.forEach((axis, k) => {
      const len = xs[axis];
      if (typeof len !== 'number') throw c.fail(`sliced axis ${axis} has no static length`);
      const step = spec.steps[k];
      const { first, count } = sliceRange(len, spec.starts[k], spec.ends[k], step);
      const stride = Math.abs(step);
      let lowest = first;
      if (step < 0) {
        g = e.slice(g, [-1], [-BIG], [axis], [-1]); // reverse so the gradient runs in index order
        lowest = first - (count - 1) * stride;
      }
      let span = count;
      if (stride > 1) {
        g = zeroInsertAxis(c, g, axis, stride, xs.length);
        span = count * stride;
      }
      pads[axis] = lowest;
      pads[axis + xs.length] = len - lowest - span; // negative trims the trailing inserted zeros
    });
    return [pads.every((p) => p === 0) ? g : e.pad(g, pads)];
  },
};

/** Interleaves stride-1 zeros after each element along `axis` (length L -> L*stride). */
function zeroInsertAxis(c: RuleContext, g: string, axis: number, stride: number, rank: number): string {
  const e = c.e;
  const u = e.unsqueeze(g, [axis + 1]);
  const pads = new Array<number>(2 * (rank + 1)).fill(0);
  pads[rank + 1 + axis + 1] = stride - 1;
  const padded = e.pad(u, pads);
  const factor = Array.from({ length: rank }, (_, i) => (i === axis ? stride : 1));
  return e.reshape(padded, e.node('Mul', [e.node('Shape', [g]), e.ints(factor)]));
}

/** Pad (constant mode): crop the gradient by the same amounts (negative pads zero-fill crops). */
const pad: GradRule = {
  inputs: [0],
  frozen: [2],
  backward: (c) => {
    const e = c.e;
    const n = c.node;
    const mode = attrString(n, 'mode', 'constant');
    if (mode !== 'constant') throw c.fail(`Pad mode "${mode}"`);
    if (e.opset < 11) throw c.fail('Pad before opset 11');
    const neg = e.node('Neg', [n.input[1]]);
    const inputs = [c.dy[0]!, neg, '', ...(n.input[3] ? [n.input[3]] : [])];
    while (inputs[inputs.length - 1] === '') inputs.pop();
    return [e.node('Pad', inputs)];
  },
};

export const slicingRules: Record<string, GradRule> = { Concat: concat, Split: split, Slice: slice, Pad: pad };
