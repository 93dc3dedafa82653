import type { Tensor } from './tensor.js';
import type { Rng } from './rng.js';

/**
 * A gradient-check problem: an objective of named tensors and its
 * hand-written gradient, at a starting point. Ops, losses, penalties,
 * models and derivations each describe theirs; the checker checks them.
 */
export interface Problem {
  params: Map<string, Tensor>;
  objective(p: Map<string, Tensor>): number;
  grad(p: Map<string, Tensor>): Map<string, Tensor>;
}

/** A named way of generating a problem from a seeded stream: one row of `gradproof check`. */
export interface ProblemMaker {
  /** e.g. 'op/leaky-relu', 'loss/squared-error/sum'. */
  name: string;
  description: string;
  make(rng: Rng): Problem;
}

/** Small random sizes for generated problems: a batch m, an input width d, an output width k. */
export function smallDims(rng: Rng): { m: number; d: number; k: number } {
  return { m: 1 + rng.int(5), d: 2 + rng.int(5), k: 2 + rng.int(4) };
}
