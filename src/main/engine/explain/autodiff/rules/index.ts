// Registry: op type -> gradient rule, and the ops whose outputs never carry a gradient.
import type { NodeProto } from 'onnx-buf';
import { attrInt } from '../attrs';
import { DT } from '../proto';
import { activationRules } from './activations';
import { arithmeticRules } from './arithmetic';
import { convRules } from './conv';
import { linearRules } from './linear';
import { normRules } from './norm';
import { poolRules } from './pool';
import { reduceRules } from './reduce';
import { reshapingRules } from './reshaping';
import { resizeRules } from './resize';
import { slicingRules } from './slicing';
import type { GradRule } from './types';

export const RULES: Readonly<Record<string, GradRule>> = {
  ...activationRules,
  ...arithmeticRules,
  ...convRules,
  ...linearRules,
  ...normRules,
  ...poolRules,
  ...reduceRules,
  ...reshapingRules,
  ...resizeRules,
  ...slicingRules,
};

/** Shape computations, comparisons, index ops: piecewise constant or integer, zero gradient. */
const NON_DIFFERENTIABLE = new Set([
  'Constant', 'ConstantOfShape', 'Shape', 'Size', 'Range', 'EyeLike', 'NonZero', 'ArgMax', 'ArgMin',
  'Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'Not', 'And', 'Or', 'Xor',
  'IsNaN', 'IsInf', 'Floor', 'Ceil', 'Round', 'Sign', 'RandomNormal', 'RandomUniform',
  'RandomNormalLike', 'RandomUniformLike', 'Bernoulli', 'Multinomial',
]);

export function isNonDifferentiable(node: NodeProto): boolean {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return false;
  if (NON_DIFFERENTIABLE.has(node.opType)) return true;
  return node.opType === 'Cast' && attrInt(node, 'to', 0) !== DT.FLOAT;
}

export function ruleFor(node: NodeProto): GradRule | undefined {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return undefined;
  return RULES[node.opType];
}

/** Op types the engine can differentiate (or knows to carry no gradient). */
export function knownOp(opType: string): boolean {
  return opType in RULES || NON_DIFFERENTIABLE.has(opType);
}
