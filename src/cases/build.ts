import { createOp } from '../core/ops/registry.js';
import { cloneParams } from '../core/params.js';
import type { Model } from '../core/network.js';
import type { GradCase } from './types.js';

/** The case's network as a model of the training core (with its own copy of the parameters). */
export function buildModel(c: GradCase): Model {
  return {
    ops: c.network.map((op) => createOp(op, c.constants)),
    params: cloneParams(c.params),
    loss: c.loss,
    penalties: c.penalties,
  };
}
