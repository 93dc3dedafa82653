import type { Tensor } from '../tensor.js';
import { zeros } from '../tensor.js';
import { Rng } from '../rng.js';
import type { Params } from '../params.js';
import type { Problem, ProblemMaker } from '../problem.js';
import type { Fields, SpecReader, Words } from '../spec.js';
import type { Env, Op } from './op.js';

/** An op as the case format spells it: its kind and its fields. */
export interface OpSpecBase {
  op: string;
}

/**
 * Everything the project knows about one kind of op, in one place: how to
 * read it from a case file, how to build it, the gradient checks
 * `gradproof check` runs on it, and the words that name it in coverage.
 */
export interface OpEntry<S extends OpSpecBase = OpSpecBase> {
  readonly kind: S['op'];
  /** One line: what the op computes. */
  readonly summary: string;
  readonly fields: Fields;
  /** Reads and validates the fields (the reader has refused unknown and missing ones); returns the spec and the width after the op. */
  read(r: SpecReader): { spec: S; width: number };
  /** The op of the core for a validated spec; `constants` holds a case's named constants (dropout masks). */
  create(spec: S, constants: ReadonlyMap<string, Tensor>): Op;
  /** The checks of `gradproof check` (names start with `op/<kind>`). */
  readonly checks: readonly ProblemMaker[];
  /** How property titles name the op (default: its kind). */
  readonly words?: Words;
  /** The constructor's name, for finding the op in property code (none when the call does not say which op: `activation(name)`). */
  readonly constructorName?: string;
}

export const NO_FIELDS: Fields = { required: [], optional: [] };

/**
 * An op as an objective: J = Σ R ⊙ op(X) for a fixed random R, so dJ/dY = R
 * and the op's backward gives dJ/dX and dJ/dθ. `inputs` holds X and the
 * op's parameters.
 */
export function opProblem(make: () => Op, inputs: Map<string, Tensor>, r: Tensor, mode: { training: boolean; rng?: number } = { training: true }): Problem {
  const op = make();
  const run = (params: Map<string, Tensor>): { y: Tensor; back: () => Map<string, Tensor> } => {
    const grads: Params = new Map();
    for (const [k, v] of params) grads.set(k, zeros([...v.shape]));
    const env: Env = { params, grads, training: mode.training, trackStats: false, rng: new Rng(mode.rng ?? 0) };
    const step = op.forward(params.get('X')!, env);
    return {
      y: step.y,
      back: () => {
        const dx = step.backward(r);
        grads.get('X')!.data.set(dx.data);
        return grads;
      },
    };
  };
  return {
    params: inputs,
    objective: (p) => {
      const { y } = run(p);
      let s = 0;
      for (let i = 0; i < y.data.length; i++) s += y.data[i]! * r.data[i]!;
      return s;
    },
    grad: (p) => run(p).back(),
  };
}
