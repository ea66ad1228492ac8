// Pooling: MaxPool routes the gradient to the argmax (its Indices output + MaxUnpool, torch's
// tie-breaking), AveragePool spreads it over each window, GlobalAveragePool over the whole plane.
import { attrInt, attrInts } from '../attrs';
import { axisPads, windowAttrs, windowOutput } from '../windows';
import { windowAdjoint } from './adjoint';
import type { GradRule, RuleContext } from './types';

const BIG = Number.MAX_SAFE_INTEGER;

/** Makes the forward MaxPool also emit its Indices, if the model does not already use them. */
function indicesOutput(c: RuleContext): string {
  const n = c.node;
  if (n.output[1]) return n.output[1];
  const name = c.g.fresh(`${n.output[0]}_indices`);
  if (n.output.length < 2) n.output.push(name);
  else n.output[1] = name;
  return name;
}

const maxPool: GradRule = {
  inputs: [0],
  outputs: [0],
  backward: (c) => {
    const e = c.e;
    const n = c.node;
    if (attrInt(n, 'storage_order', 0) !== 0) throw c.fail('storage_order=1');
    const kernel = attrInts(n, 'kernel_shape');
    if (!kernel) throw c.fail('missing kernel_shape');
    const w = windowAttrs(n, kernel);
    const indices = indicesOutput(c);
    const xShape = e.node('Shape', [n.input[0]]);
    const unpoolAttrs = { kernel_shape: { ints: kernel }, strides: { ints: w.strides } };
    // MaxUnpool assigns (last write wins), so overlapping windows would lose gradient: unpool each
    // class of windows that cannot overlap (every m-th window per axis) separately, then add.
    const m = kernel.map((k, i) => Math.ceil(((k - 1) * w.dilations[i] + 1) / w.strides[i]));
    const sp = kernel.length;
    const axes = Array.from({ length: sp }, (_, i) => i + 2);
    const parts: string[] = [];
    const total = m.reduce((a, b) => a * b, 1);
    for (let cls = 0; cls < total; cls++) {
      let rest = cls;
      const starts = m.map((mi) => {
        const s = rest % mi;
        rest = Math.floor(rest / mi);
        return s;
      });
      const pick = (t: string) => (total === 1 ? t : e.slice(t, starts, new Array<number>(sp).fill(BIG), axes, m));
      parts.push(e.node('MaxUnpool', [pick(c.dy[0]!), pick(indices), xShape], unpoolAttrs));
    }
    return [e.sum(parts)];
  },
};

/** Divisor of every output position along one axis, counted as ORT and torch count it. */
function axisWeights(len: number, k: number, s: number, pb: number, pe: number, out: number, includePad: boolean): number[] {
  const wts: number[] = [];
  for (let o = 0; o < out; o++) {
    const start = o * s - pb;
    const end = Math.min(start + k, len + pe);
    const inside = Math.min(end, len) - Math.max(start, 0);
    wts.push(includePad ? end - start : inside);
  }
  return wts;
}

const averagePool: GradRule = {
  inputs: [0],
  backward: (c) => {
    const e = c.e;
    const n = c.node;
    const x = n.input[0];
    const kernel = attrInts(n, 'kernel_shape');
    if (!kernel) throw c.fail('missing kernel_shape');
    const w = windowAttrs(n, kernel);
    if (w.dilations.some((d) => d !== 1)) throw c.fail('dilated AveragePool');
    const xs = c.shapes.get(x);
    const spatial = xs?.slice(2);
    if (!spatial || spatial.length !== kernel.length || !spatial.every((d): d is number => typeof d === 'number')) {
      throw c.fail('AveragePool needs static spatial input sizes');
    }
    const includePad = attrInt(n, 'count_include_pad', 0) === 1;
    const begin: number[] = [];
    const end: number[] = [];
    const outs: number[] = [];
    const counts = spatial.map((len, i) => {
      const p = axisPads(w, i, len)!;
      begin.push(p[0]);
      end.push(p[1]);
      const out = windowOutput(len, kernel[i], w.strides[i], 1, p[0], p[1], w.ceil);
      outs.push(out);
      return axisWeights(len, kernel[i], w.strides[i], p[0], p[1], out, includePad);
    });
    // Outer product of the per-axis divisors -> weight 1/count per output position.
    let weights = [1];
    for (const cnt of counts) weights = weights.flatMap((a) => cnt.map((b) => a * b));
    const scale = e.floats([1, 1, ...outs], weights.map((d) => 1 / d), 'avgpool_scale');
    const sp = kernel.length;
    // Channels fold into the batch so one ones-kernel serves any channel count.
    const flatShape = e.node('Concat', [e.ints([-1, 1]), e.shape(c.dy[0]!, 2)], { axis: { int: 0 } });
    const g = e.reshape(e.mul(c.dy[0]!, scale), flatShape);
    const ones = { dims: [1, 1, ...kernel], data: new Float32Array(kernel.reduce((a, b) => a * b, 1)).fill(1) };
    const dx = windowAdjoint(e, g, ones, x, {
      strides: w.strides,
      dilations: new Array<number>(sp).fill(1),
      padsBegin: begin,
      padsEnd: end,
      group: 1,
    });
    return [e.reshape(dx, e.node('Shape', [x]))];
  },
};

const globalAveragePool: GradRule = {
  inputs: [0],
  backward: (c) => {
    const e = c.e;
    const x = c.node.input[0];
    const area = e.node('Cast', [e.node('ReduceProd', [e.shape(x, 2)], { keepdims: { int: 0 } })], { to: { int: 1 } });
    return [e.node('Expand', [e.node('Div', [c.dy[0]!, area]), e.node('Shape', [x])])];
  },
};

export const poolRules: Record<string, GradRule> = {
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalAveragePool,
};
