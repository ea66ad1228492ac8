// The reverse pass: finds the nodes between the wrt tensors and the output, then walks them in
// reverse topological order, asking each op's rule for its input gradients and summing fan-out.
import type { NodeProto } from 'onnx-buf';
import type { Emitter } from './emitter';
import { UnsupportedOpError } from './errors';
import type { GraphIndex } from './graph';
import { isNonDifferentiable, ruleFor } from './rules/index';
import type { GradRule, RuleContext } from './rules/types';
import type { ShapeInfo } from './shapes';

const diffInputs = (n: NodeProto, rule: GradRule | undefined): number[] =>
  rule && rule.inputs !== 'all' ? rule.inputs : n.input.map((_, i) => i);
const gradOutputs = (n: NodeProto, rule: GradRule | undefined): number[] => rule?.outputs ?? n.output.map((_, i) => i);

/** Tensors that depend differentiably on a wrt tensor (forward sweep). */
function activeTensors(g: GraphIndex, wrt: string[]): Set<string> {
  const active = new Set(wrt);
  for (const n of g.nodes) {
    if (isNonDifferentiable(n)) continue;
    const rule = ruleFor(n);
    const reach = [...diffInputs(n, rule), ...(rule?.frozen ?? [])].some((i) => active.has(n.input[i] ?? ''));
    if (!reach) continue;
    for (const o of gradOutputs(n, rule)) if (n.output[o]) active.add(n.output[o]);
  }
  return active;
}

export interface BackwardResult {
  /** wrt tensor -> name of its gradient (undefined: the output does not depend on it). */
  grads: Map<string, string | undefined>;
}

export function appendBackward(g: GraphIndex, shapes: ShapeInfo, e: Emitter, output: string, seed: string, wrt: string[]): BackwardResult {
  const active = activeTensors(g, wrt);
  const contributions = new Map<string, string[]>();
  const add = (t: string, grad: string) => {
    const list = contributions.get(t);
    if (list) list.push(grad);
    else contributions.set(t, [grad]);
  };
  add(output, seed);
  const summed = new Map<string, string>();
  const total = (t: string): string | undefined => {
    const list = contributions.get(t);
    if (!list) return undefined;
    let name = summed.get(t);
    if (!name) summed.set(t, (name = e.sum(list)));
    return name;
  };
  const wanted = new Set(wrt);
  // Reverse sweep: a node is on the path when a gradient reached one of its active outputs.
  for (const n of [...g.nodes].reverse()) {
    if (isNonDifferentiable(n)) continue;
    const rule = ruleFor(n);
    const outs = gradOutputs(n, rule);
    const reached = n.output.map((o, i) => outs.includes(i) && active.has(o) && contributions.has(o));
    if (!reached.some(Boolean)) continue;
    const ins = diffInputs(n, rule);
    const needs = n.input.map((x, i) => ins.includes(i) && x !== '' && active.has(x));
    const nodeName = n.name || `(unnamed, output ${n.output[0]})`;
    if (!rule) throw new UnsupportedOpError(n.opType, nodeName);
    for (const i of rule.frozen ?? []) {
      if (active.has(n.input[i] ?? '')) throw new UnsupportedOpError(n.opType, nodeName, `input ${i} (${n.input[i]}) is treated as a constant`);
    }
    if (!needs.some(Boolean)) continue;
    const ctx: RuleContext = {
      node: n,
      e,
      g,
      shapes,
      dy: n.output.map((o, i) => (reached[i] ? total(o) : undefined)),
      needs,
      fail: (detail: string) => new UnsupportedOpError(n.opType, nodeName, detail),
    };
    const grads = rule.backward(ctx);
    needs.forEach((need, i) => {
      const gi = grads[i];
      if (need && gi) add(n.input[i], gi);
    });
  }
  const grads = new Map<string, string | undefined>();
  for (const t of wanted) grads.set(t, total(t));
  return { grads };
}
