// Sums a broadcast gradient back to an operand's shape (residual adds, per-channel biases, ...).
import { int64Tensor } from '../proto';
import type { Dim, Shape } from '../shapes';
import type { RuleContext } from './types';

const sameDim = (a: Dim, b: Dim) => a !== null && a === b;

/**
 * `grad` has shape `gs` (the op's output shape, if known); returns it reduced to the shape of `target`.
 * Axes where the target has size 1 are summed (harmless when the output is 1 too); leading axes
 * the target lacks are summed away. `others` are the op's other operands. Unknown target dims fall back to a runtime axis computation.
 */
export function reduceToShape(c: RuleContext, grad: string, gs: Shape | undefined, target: string, others: string[] = []): string {
  const e = c.e;
  // Against scalars nothing was broadcast, whatever the (possibly unknown) target shape.
  if (others.length > 0 && others.every((o) => c.shapes.get(o)?.length === 0)) return grad;
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
  return reduceAtRuntime(c, grad, target);
}

/** Axes found at run time: where the (left-padded) target shape is 1. Needs ReduceSum's axes input. */
function reduceAtRuntime(c: RuleContext, grad: string, target: string): string {
  const e = c.e;
  if (e.opset < 13) throw c.fail(`cannot tell how operand "${target}" was broadcast (unknown shape)`);
  const gshape = e.node('Shape', [grad]);
  const tshape = e.node('Shape', [target]);
  // Leading axes the target lacks count as size 1.
  const missing = e.node('Sub', [e.node('Shape', [gshape]), e.node('Shape', [tshape])]);
  const ones = e.node('ConstantOfShape', [missing], { value: { tensor: int64Tensor('value', [1], [1]) } });
  const padded = e.node('Concat', [ones, tshape], { axis: { int: 0 } });
  const isOne = e.node('Equal', [padded, e.ints([1], true)]);
  const axes = e.reshape(e.node('NonZero', [isOne]), e.ints([-1]));
  const r = e.node('ReduceSum', [grad, axes], { keepdims: { int: 1 }, noop_with_empty_axes: { int: 1 } });
  return e.reshape(r, tshape);
}
