// The contract between the backward driver and the per-op gradient rules.
import type { NodeProto } from 'onnx-buf';
import type { Emitter } from '../emitter';
import type { GraphIndex } from '../graph';
import type { ShapeInfo } from '../shapes';

export interface RuleContext {
  node: NodeProto;
  e: Emitter;
  g: GraphIndex;
  shapes: ShapeInfo;
  /** Gradient flowing into each output; undefined where none reaches it. */
  dy: (string | undefined)[];
  /** Whether the gradient of input i is wanted. */
  needs: boolean[];
  /** An UnsupportedOpError for this node with a reason (a form we cannot handle); callers throw it. */
  fail(detail: string): Error;
}

export interface GradRule {
  /** Inputs the rule differentiates; others (shapes, axes, scales) carry no gradient. */
  inputs: number[] | 'all';
  /** Float inputs the rule treats as constants (weights): an error if they depend on a wrt tensor. */
  frozen?: number[];
  /** Outputs that carry gradient (default: all); e.g. MaxPool's Indices and Dropout's mask do not. */
  outputs?: number[];
  /** Gradient of each input (undefined where not needed or zero). */
  backward(ctx: RuleContext): (string | undefined)[];
}
