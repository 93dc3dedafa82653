import type { Problem } from '../core/problem.js';
import type { Rng } from '../core/rng.js';

/**
 * A scalar closed form as math.js expressions: `primal` differentiated with
 * respect to `wrt` (math.js `derivative`) must equal `derivative` wherever
 * the variables lie in their domains.
 */
export interface SymbolicForm {
  name: string;
  /** math.js expression of the primal, e.g. 'alpha/2 * w^2'. */
  primal: string;
  /** The variable differentiated. */
  wrt: string;
  /** math.js expression of the lecture's derivative, e.g. 'alpha * w'. */
  derivative: string;
  /** Every variable with its open interval of validity, e.g. { w: [-10, 10], alpha: [0, 5] }. */
  domains: Record<string, [number, number]>;
}

/**
 * A derivation as a gradient-check target for `gradproof check`: an
 * objective of named tensors and the derivation's closed-form gradient.
 */
export interface DerivationTarget {
  /** e.g. 'derivation/kl-sparsity/dOmega-dW' */
  name: string;
  description: string;
  make(rng: Rng): Problem;
}
