// Gradient of a sliding-window correlation (Conv, and AveragePool as a conv with a ones kernel)
// with respect to its input, as plain Convs (measured faster than ConvTranspose on CPU).
import type { Emitter } from '../emitter';
import { flipTranspose, polyphase, type Kernel } from './kernels';

export interface WindowSpec {
  strides: number[];
  dilations: number[];
  padsBegin: number[];
  padsEnd: number[];
  group: number;
}

/** dx for y = conv(x, w); `x` is the forward input, used only for its runtime spatial size. */
export function windowAdjoint(e: Emitter, dy: string, w: Kernel, x: string, s: WindowSpec): string {
  return s.strides.some((v) => v > 1) ? strided(e, dy, w, x, s) : unstrided(e, dy, w, s);
}

/** Stride 1: a full correlation with the flipped, channel-swapped kernel. */
function unstrided(e: Emitter, dy: string, w: Kernel, s: WindowSpec): string {
  const k = w.dims.slice(2);
  const sp = k.length;
  const flipped = flipTranspose(w, s.group);
  const weight = e.floats(flipped.dims, flipped.data, 'conv_grad_weight');
  const kEff = k.map((ki, i) => (ki - 1) * s.dilations[i] + 1);
  const pb = kEff.map((ki, i) => ki - 1 - s.padsBegin[i]);
  const pe = kEff.map((ki, i) => ki - 1 - s.padsEnd[i]);
  // Padding wider than the kernel makes these negative: crop the gradient instead (Pad accepts
  // negative amounts), so inputs no window reached get nothing.
  const negative = [...pb, ...pe].some((v) => v < 0);
  const zeros = new Array<number>(sp).fill(0);
  const input = negative ? e.pad(dy, [0, 0, ...pb, 0, 0, ...pe]) : dy;
  return e.node('Conv', [input, weight], {
    dilations: { ints: s.dilations },
    group: { int: s.group },
    pads: { ints: negative ? [...zeros, ...zeros] : [...pb, ...pe] },
  });
}

/**
 * Strided: zero-inserting dy would multiply mostly zeros (8x the work in 3D at stride 2), so one
 * stride-1 Conv computes all stride phases as extra channels, which are then interleaved
 * (pixel shuffle) and cropped to x: position p = i + pad_begin lies in phase p mod s, row p div s.
 */
function strided(e: Emitter, dy: string, w: Kernel, x: string, s: WindowSpec): string {
  const sp = w.dims.length - 2;
  const channels = s.group * w.dims[1];
  const pp = polyphase(w, s.group, s.strides, s.dilations);
  const weight = e.floats(pp.dims, pp.data, 'conv_grad_polyphase');
  const g = e.node('Conv', [dy, weight], {
    group: { int: s.group },
    pads: { ints: [...pp.taps.map((t) => t - 1), ...pp.taps] },
  });
  const shape = e.node('Shape', [g]);
  const batch = e.slice(shape, [0], [1], [0]);
  const rows = e.slice(shape, [2], [Number.MAX_SAFE_INTEGER], [0]);
  const concat = (parts: string[]) => e.node('Concat', parts, { axis: { int: 0 } });
  const split = e.reshape(g, concat([batch, e.ints([channels, ...s.strides]), rows]));
  const perm = [0, 1, ...Array.from({ length: sp }, (_, i) => [2 + sp + i, 2 + i]).flat()];
  const interleaved = e.reshape(e.transpose(split, perm), concat([batch, e.ints([channels]), e.node('Mul', [rows, e.ints(s.strides)])]));
  const begin = e.ints(s.padsBegin);
  const end = e.node('Add', [e.shape(x, 2), begin]);
  return e.node('Slice', [interleaved, begin, end, e.ints(Array.from({ length: sp }, (_, i) => i + 2))]);
}
