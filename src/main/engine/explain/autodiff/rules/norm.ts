// BatchNormalization in inference mode is a per-channel affine map: dx = dy * scale / sqrt(var + eps).
import { attrFloat, attrInt } from '../attrs';
import type { GradRule } from './types';

const batchNorm: GradRule = {
  inputs: [0],
  frozen: [1, 2, 3, 4],
  outputs: [0],
  backward: (c) => {
    const e = c.e;
    const n = c.node;
    if (attrInt(n, 'training_mode', 0) !== 0) throw c.fail('training_mode=1');
    // The same op with zero bias and zero mean applies exactly the forward's channel scaling.
    const zeros = e.zerosLike(n.input[2]);
    return [
      e.node('BatchNormalization', [c.dy[0]!, n.input[1], zeros, zeros, n.input[4]], {
        epsilon: { float: attrFloat(n, 'epsilon', 1e-5) },
      }),
    ];
  },
};

export const normRules: Record<string, GradRule> = { BatchNormalization: batchNorm };
