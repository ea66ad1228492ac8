// Sums a broadcast gradient back to an operand's shape (residual adds, per-channel biases, ...).
import type { Dim, Shape } from '../shapes';
import type { RuleContext } from './types';

const sameDim = (a: Dim, b: Dim) => a !== null && a === b;

/**
 * `grad` has shape `gs` (the op's output shape, if known); returns it reduced to the shape of `target`.
 * Axes where the target has size 1 are summed (harmless when the output is 1 too); leading axes
 * the target lacks are summed away. Unknown target dims fall back to a runtime axis computation.
 */
export function reduceToShape(c: RuleContext, grad: string, gs: Shape | undefined, target: string): string {
  const e = c.e;
  const ts: Shape | undefined = c.shapes.get(target);
  if (gs && ts && gs.length === ts.length && gs.every((d, i) => sameDim(d, ts[i]))) return grad;
  if (gs && ts && gs.length >= ts.length) {
    const lead = gs.length - ts.length;
    const known = ts.every((d, i) => d === 1 || sameDim(d, gs[lead + i]) || (typeof d === 'number' && d > 1));
    if (known) {
      const axes: number[] = [];
      for (let i = 0; i < gs.length; i++) {
        if (i < lead || (ts[i - lead] === 1 && gs[i] !== 1)) axes.push(i);
      }
      if (axes.length === 0) return lead === 0 ? grad : e.reshape(grad, e.shape(target));
      const r = e.reduceSum(grad, axes, true);
      return lead === 0 ? r : e.reshape(r, e.shape(target));
    }
  }
  return reduceAtRuntime(c, grad, gs?.length, target, ts?.length);
}

/** Axes found at run time: where the (left-padded) target shape is 1. Needs ReduceSum's axes input. */
function reduceAtRuntime(c: RuleContext, grad: string, gradRank: number | undefined, target: string, targetRank: number | undefined): string {
  const e = c.e;
  if (e.opset < 13 || gradRank === undefined || targetRank === undefined) {
    throw c.fail(`cannot tell how operand "${target}" was broadcast (unknown shape)`);
  }
  let tshape = e.shape(target);
  if (gradRank > targetRank) tshape = e.node('Concat', [e.ints(new Array<number>(gradRank - targetRank).fill(1)), tshape], { axis: { int: 0 } });
  const isOne = e.node('Equal', [tshape, e.ints([1], true)]);
  const axes = e.reshape(e.node('NonZero', [isOne]), e.ints([-1]));
  const r = e.node('ReduceSum', [grad, axes], { keepdims: { int: 1 }, noop_with_empty_axes: { int: 1 } });
  return e.reshape(r, e.shape(target));
}
