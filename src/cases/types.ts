import type { Tensor } from '../core/tensor.js';
import type { LossSpec } from '../core/losses.js';
import type { Penalty } from '../core/penalties.js';

/** One op of a case's network, as the case format spells it. */
export type CaseOp =
  | { op: 'dense'; weight: string; bias?: string; transpose?: boolean }
  | { op: 'sigmoid' | 'tanh' | 'relu' | 'softplus' | 'identity' | 'softmax' }
  | { op: 'leaky-relu'; slope: number }
  | { op: 'batchnorm'; gamma: string; beta: string; eps: number }
  | { op: 'dropout'; keep: number; mask: string };

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
