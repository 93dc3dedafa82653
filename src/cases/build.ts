import type { Op } from '../core/ops/op.js';
import { dense } from '../core/ops/dense.js';
import { activation, leakyRelu } from '../core/ops/activations.js';
import { softmax } from '../core/ops/softmax.js';
import { batchNorm } from '../core/ops/batchnorm.js';
import { dropout } from '../core/ops/dropout.js';
import { cloneParams } from '../core/params.js';
import type { Model } from '../core/network.js';
import type { CaseOp, GradCase } from './types.js';

function buildOp(op: CaseOp, c: GradCase): Op {
  switch (op.op) {
    case 'dense':
      return dense(op);
    case 'leaky-relu':
      return leakyRelu(op.slope);
    case 'softmax':
      return softmax();
    case 'batchnorm':
      return batchNorm({ gamma: op.gamma, beta: op.beta, eps: op.eps });
    case 'dropout':
      return dropout({ keep: op.keep, mask: c.constants.get(op.mask)! });
    default:
      return activation(op.op);
  }
}

/** The case's network as a model of the training core (with its own copy of the parameters). */
export function buildModel(c: GradCase): Model {
  return {
    ops: c.network.map((op) => buildOp(op, c)),
    params: cloneParams(c.params),
    loss: c.loss,
    penalties: c.penalties,
  };
}
