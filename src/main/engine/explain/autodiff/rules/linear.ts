// Gemm and MatMul: the gradient of a matrix product is a matrix product with the other operand.
import { attrFloat, attrInt } from '../attrs';
import { reduceToShape } from './broadcast';
import { broadcastShapes } from '../dims';
import type { GradRule, RuleContext } from './types';

const gemm: GradRule = {
  inputs: [0, 1, 2],
  backward: (c) => {
    // Y = alpha * op(A) op(B) + beta * C, op = optional transpose.
    const e = c.e;
    const n = c.node;
    const [a, b, cIn] = n.input;
    const g = c.dy[0]!;
    const alpha = attrFloat(n, 'alpha', 1);
    const beta = attrFloat(n, 'beta', 1);
    const tA = attrInt(n, 'transA', 0);
    const tB = attrInt(n, 'transB', 0);
    const al = { alpha: { float: alpha } };
    const da = c.needs[0]
      ? tA
        ? e.node('Gemm', [b, g], { ...al, transA: { int: tB }, transB: { int: 1 } })
        : e.node('Gemm', [g, b], { ...al, transB: { int: tB ? 0 : 1 } })
      : undefined;
    const db = c.needs[1]
      ? tB
        ? e.node('Gemm', [g, a], { ...al, transA: { int: 1 }, transB: { int: tA } })
        : e.node('Gemm', [a, g], { ...al, transA: { int: tA ? 0 : 1 } })
      : undefined;
    let dc: string | undefined;
    if (c.needs[2] && cIn) dc = reduceToShape(c, beta === 1 ? g : e.mul(g, e.scalar(beta)), c.shapes.get(n.output[0]), cIn);
    return [da, db, dc];
  },
};

function swapLast(c: RuleContext, t: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return c.e.transpose(t, perm);
}

const matMul: GradRule = {
  inputs: [0, 1],
  backward: (c) => {
    const e = c.e;
    const [a, b] = c.node.input;
    const as = c.shapes.get(a);
    const bs = c.shapes.get(b);
    if (!as || !bs) throw c.fail('MatMul needs known operand ranks');
    // 1-D operands are promoted to matrices (and the gradient with them), as numpy.matmul does.
    let g = c.dy[0]!;
    const a2s = as.length === 1 ? [1, as[0]] : as;
    const b2s = bs.length === 1 ? [bs[0], 1] : bs;
    const a2 = as.length === 1 ? e.unsqueeze(a, [0]) : a;
    const b2 = bs.length === 1 ? e.unsqueeze(b, [1]) : b;
    if (as.length === 1) g = e.unsqueeze(g, [-2]);
    if (bs.length === 1) g = e.unsqueeze(g, [-1]);
    const batch = broadcastShapes([a2s.slice(0, -2), b2s.slice(0, -2)]);
    // Products have the broadcast batch shape; reduceToShape sums batch axes an operand lacked.
    const da = c.needs[0] ? e.node('MatMul', [g, swapLast(c, b2, b2s.length)]) : undefined;
    const db = c.needs[1] ? e.node('MatMul', [swapLast(c, a2, a2s.length), g]) : undefined;
    return [
      da && reduceToShape(c, da, [...batch, ...a2s.slice(-2)], a),
      db && reduceToShape(c, db, [...batch, ...b2s.slice(-2)], b),
    ];
  },
};

export const linearRules: Record<string, GradRule> = { Gemm: gemm, MatMul: matMul };
