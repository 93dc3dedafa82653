import type { Tensor } from '../tensor.js';
import type { Params } from '../params.js';
import type { Rng } from '../rng.js';

/** What an op sees during one forward pass. */
export interface Env {
  readonly params: Params;
  /** Gradients accumulate here (`+=`), so a parameter used twice sums its paths. */
  readonly grads: Params;
  /** Training mode: batch statistics in batch norm, masks in dropout. */
  readonly training: boolean;
  /** Update batch norm's running averages during this pass. */
  readonly trackStats: boolean;
  /** Source of dropout masks when an op has no fixed mask. */
  readonly rng: Rng;
}

/** The result of a forward call: the output, and the backward pass that belongs to it. */
export interface Step {
  readonly y: Tensor;
  /** Given dJ/dY, accumulates parameter gradients into env.grads and returns dJ/dX. */
  backward(dy: Tensor): Tensor;
}

export interface Op {
  /** The op's name in the case format (`dense`, `sigmoid`, …). */
  readonly kind: string;
  /** Names of the parameters this op reads. */
  readonly paramNames: readonly string[];
  forward(x: Tensor, env: Env): Step;
  /**
   * The spec and constants the op was created from (createOp sets it): plain data, from which
   * another thread builds the same op. Absent for ops built by hand.
   */
  readonly source?: { readonly spec: { readonly op: string }; readonly constants: ReadonlyMap<string, Tensor> };
  /** Column structure, for incremental evaluation (core/incremental.ts); without it a change recomputes the whole output. */
  readonly columns?: Columns;
  /** The op draws from env.rng (dropout without a fixed mask): its output cannot be recomputed alone. */
  readonly random?: boolean;
  /** Non-parameter state (batch norm's running averages), for early stopping to save and restore. */
  saveState?(): unknown;
  loadState?(state: unknown): void;
}

/**
 * How an op on [rows, columns] activations maps columns: which output columns a change reaches,
 * and their recomputation alone, bit for bit what `forward` writes there.
 */
export interface Columns {
  /** A changed input column reaches every output column (dense); otherwise only the same column (elementwise). */
  readonly mixes: boolean;
  /** The output column that entry `index` of parameter `name` reaches (ops with parameters). */
  ofParam?(name: string, index: number, env: Env): number;
  /** Writes columns `cols` (or all) of the output for input x into y, allocating nothing (the rest of y is left as it is). */
  recompute(x: Tensor, env: Env, cols: readonly number[] | 'all', y: Tensor): void;
}
