// Sliding-window attributes shared by Conv, ConvTranspose and the pools: strides, dilations,
// explicit or automatic padding, and the output-size formula (with ceil_mode).
import type { NodeProto } from 'onnx-buf';
import { attrInt, attrInts, attrString } from './attrs';

export interface WindowAttrs {
  kernel: number[];
  strides: number[];
  dilations: number[];
  autoPad: string;
  /** Explicit pads [begin..., end...] (zeros when auto_pad decides). */
  pads: number[];
  ceil: boolean;
}

export function windowAttrs(n: NodeProto, kernel: number[]): WindowAttrs {
  const sp = kernel.length;
  return {
    kernel,
    strides: attrInts(n, 'strides') ?? new Array<number>(sp).fill(1),
    dilations: attrInts(n, 'dilations') ?? new Array<number>(sp).fill(1),
    autoPad: attrString(n, 'auto_pad', 'NOTSET'),
    pads: attrInts(n, 'pads') ?? new Array<number>(2 * sp).fill(0),
    ceil: attrInt(n, 'ceil_mode', 0) === 1,
  };
}

/** [begin, end] padding of one spatial axis; SAME_* needs the input length (undefined if unknown). */
export function axisPads(w: WindowAttrs, axis: number, len: number | null): [number, number] | undefined {
  const sp = w.kernel.length;
  if (w.autoPad === 'VALID') return [0, 0];
  if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') {
    if (len === null) return undefined;
    const s = w.strides[axis];
    const kEff = (w.kernel[axis] - 1) * w.dilations[axis] + 1;
    const total = Math.max(0, (Math.ceil(len / s) - 1) * s + kEff - len);
    const small = Math.floor(total / 2);
    return w.autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
  }
  return [w.pads[axis], w.pads[axis + sp]];
}

/** Output length of a window op along one axis (floor, or ceil_mode as torch and ORT define it). */
export function windowOutput(len: number, k: number, s: number, d: number, pb: number, pe: number, ceil: boolean): number {
  const span = len + pb + pe - ((k - 1) * d + 1);
  if (!ceil) return Math.floor(span / s) + 1;
  let out = Math.ceil(span / s) + 1;
  // The last window must start inside the input or its begin padding.
  if ((out - 1) * s >= len + pb) out--;
  return out;
}
