import type { Tensor } from '../core/tensor.js';
import type { LossSpec } from '../core/losses.js';
import type { Penalty } from '../core/penalties.js';
import type { OpSpec } from '../core/ops/registry.js';

/** One op of a case's network, as the case format spells it: a spec of the core's op registry. */
export type CaseOp = OpSpec;

/** A validated `gradcase/1` document. */
export interface GradCase {
  format: 'gradcase/1';
  name: string;
  description?: string;
  source?: string;
  network: CaseOp[];
  loss: LossSpec;
  penalties: Penalty[];
  params: Map<string, Tensor>;
  constants: Map<string, Tensor>;
  input: Tensor;
  target: Tensor;
  expected: { loss: number; grads: Map<string, Float64Array> };
}

/** A case that could not be read: `key` is the JSON path of the problem. */
export class CaseError extends Error {
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`${key}: ${problem}`);
    this.name = 'CaseError';
  }
}
