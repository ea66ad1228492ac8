// Conv and ConvTranspose, gradient with respect to the data input only (weights are constants).
import { attrInt, attrInts } from '../attrs';
import type { ConstTensor } from '../proto';
import { convTransposeLength } from '../shape-rules';
import { axisPads, windowAttrs } from '../windows';
import { windowAdjoint } from './adjoint';
import type { GradRule, RuleContext } from './types';

function weightOf(c: RuleContext): ConstTensor {
  const w = c.g.constant(c.node.input[1]);
  if (!w) throw c.fail('the weight input is not a constant');
  if (!(w.data instanceof Float32Array)) throw c.fail('weights must be float32');
  return w;
}

/** Per-axis [begin, end] pads, resolving auto_pad from the static input size when needed. */
function resolvedPads(c: RuleContext, kernel: number[]): { begin: number[]; end: number[] } {
  const w = windowAttrs(c.node, kernel);
  const xs = c.shapes.get(c.node.input[0]);
  const begin: number[] = [];
  const end: number[] = [];
  kernel.forEach((_, i) => {
    const len = xs?.[i + 2];
    const p = axisPads(w, i, typeof len === 'number' ? len : null);
    if (!p) throw c.fail(`auto_pad ${w.autoPad} needs a static input size`);
    begin.push(p[0]);
    end.push(p[1]);
  });
  return { begin, end };
}

const conv: GradRule = {
  inputs: [0],
  frozen: [1, 2],
  backward: (c) => {
    const w = weightOf(c);
    const group = attrInt(c.node, 'group', 1);
    const kernel = attrInts(c.node, 'kernel_shape') ?? w.dims.slice(2);
    const attrs = windowAttrs(c.node, kernel);
    const pads = resolvedPads(c, kernel);
    const dx = windowAdjoint(c.e, c.dy[0]!, w, c.node.input[0], {
      strides: attrs.strides,
      dilations: attrs.dilations,
      padsBegin: pads.begin,
      padsEnd: pads.end,
      group,
    });
    return [dx];
  },
};

/** ConvTranspose is the adjoint of Conv: its input gradient is a Conv with the same weight. */
const convTranspose: GradRule = {
  inputs: [0],
  frozen: [1, 2],
  backward: (c) => {
    const e = c.e;
    const w = weightOf(c);
    const group = attrInt(c.node, 'group', 1);
    const kernel = attrInts(c.node, 'kernel_shape') ?? w.dims.slice(2);
    const attrs = windowAttrs(c.node, kernel);
    const sp = kernel.length;
    let pads = attrs.pads;
    const explicitShape = attrInts(c.node, 'output_shape') !== undefined;
    if (explicitShape || attrs.autoPad === 'SAME_UPPER' || attrs.autoPad === 'SAME_LOWER') {
      // Total padding follows from the requested output size; needs the static input size.
      const xs = c.shapes.get(c.node.input[0]);
      pads = new Array<number>(2 * sp).fill(0);
      for (let i = 0; i < sp; i++) {
        const len = xs?.[i + 2];
        if (typeof len !== 'number') throw c.fail('output_shape/auto_pad needs a static input size');
        const outLen = convTransposeLength(c.node, attrs, i, len);
        const op = attrInts(c.node, 'output_padding')?.[i] ?? 0;
        const total = Math.max(0, attrs.strides[i] * (len - 1) + op + (kernel[i] - 1) * attrs.dilations[i] + 1 - outLen);
        // Split as ORT 1.30 does (measured): SAME_UPPER puts the odd unit at the end, NOTSET and
        // SAME_LOWER at the beginning.
        const half = Math.floor(total / 2);
        const upper = attrs.autoPad === 'SAME_UPPER';
        pads[i] = upper ? half : total - half;
        pads[i + sp] = upper ? total - half : half;
      }
    } else if (attrs.autoPad === 'VALID') pads = new Array<number>(2 * sp).fill(0);
    const weight = c.node.input[1];
    let dx = e.node('Conv', [c.dy[0]!, weight], {
      dilations: { ints: attrs.dilations },
      group: { int: group },
      pads: { ints: pads },
      strides: { ints: attrs.strides },
    });
    if (explicitShape) dx = e.slice(dx, new Array<number>(sp).fill(0), e.shape(c.node.input[0], 2), Array.from({ length: sp }, (_, i) => i + 2));
    return [dx];
  },
};

export const convRules: Record<string, GradRule> = { Conv: conv, ConvTranspose: convTranspose };
