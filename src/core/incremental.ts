import { type Tensor, clone } from './tensor.js';
import { cloneParams } from './params.js';
import { TensorLayout } from './layout.js';
import { Rng } from './rng.js';
import type { Columns, Env } from './ops/op.js';
import { forwardAll, type Model } from './network.js';
import { lossValue } from './losses.js';
import { type Penalty, activationPenalty, isActivationPenalty, paramPenalty } from './penalties.js';

/**
 * The objective of a batch after one parameter entry changes, recomputing only what the entry
 * reaches. Ops before the first that reads the parameter keep their outputs; an op with column
 * structure (dense, elementwise) recomputes only the columns the change reaches, until an op mixes
 * them; penalties and the loss that see nothing changed keep their values. Every sum that is done
 * is evaluate's, in its order, so the value is bit for bit `evaluate(…).objective` at the changed
 * point (tests hold it): a gradient check through it checks the same f, and a check of a dense
 * layer's entries stops paying a whole forward pass per call.
 */
export interface EntryObjective {
  /** J with flat entry `index` (in TensorLayout.of(model.params) order) set to `value`, every other at the base point (a plain function: it can be passed on its own). */
  readonly at: (index: number, value: number) => number;
  /** J at the base point. */
  readonly base: number;
}

/** Unchanged, these columns changed, or all of the tensor. */
type Change = undefined | readonly number[] | 'all';

/** The columns of an op's output (with column structure) that a change reaches. */
function columnsReached(c: Columns, input: Change, param: { name: string; index: number } | undefined, env: Env): number[] | 'all' {
  if (input === 'all' || (input && c.mixes)) return 'all';
  const cols = input ? [...input] : [];
  if (param) {
    if (!c.ofParam) return 'all';
    const j = c.ofParam(param.name, param.index, env);
    if (!cols.includes(j)) cols.push(j);
  }
  return cols;
}

/**
 * The model's objective on (x, t) one entry at a time, from the model's current parameters (copied:
 * later changes to the model do not reach it; the base pass runs at the first call). Undefined when an op draws from the rng in this mode
 * (dropout without a fixed mask): its masks depend on every op before it.
 */
export function entryObjective(model: Model, x: Tensor, t: Tensor, opts: { training?: boolean } = {}): EntryObjective | undefined {
  const training = opts.training ?? true;
  if (training && model.ops.some((op) => op.random)) return undefined;
  const layout = TensorLayout.of(model.params);
  const params = cloneParams(model.params);
  // a forward-only pass: no gradient store, no running statistics, evaluate's rng
  const env: Env = { params, grads: new Map(), training, trackStats: false, rng: new Rng(0) };
  const outputAt = (outs: readonly Tensor[], at: number): Tensor => {
    const h = outs[at];
    if (!h) throw new RangeError(`penalty: at=${at} is not an op of the network`);
    return h;
  };
  const lossOf = (outs: readonly Tensor[]): number => lossValue(model.loss, outs.length ? outs[outs.length - 1]! : x, t);
  const penaltyOf = (p: Penalty, outs: readonly Tensor[]): number =>
    isActivationPenalty(p) ? activationPenalty(p, outputAt(outs, p.at), false).value : paramPenalty(p, params);
  const sum = (loss: number, penalties: number[]): number => loss + penalties.reduce((a, b) => a + b, 0);
  // The base pass runs at the first call: creating one costs nothing until it is used.
  let made: { base: Tensor[]; work: Tensor[]; baseLoss: number; basePenalties: number[] } | undefined;
  const state = (): NonNullable<typeof made> => {
    if (made) return made;
    const base = forwardAll(model.ops, x, env).outputs;
    // work copies of the outputs, whose recomputed columns are put back after every call
    made = { base, work: base.map((y) => clone(y)), baseLoss: lossOf(base), basePenalties: model.penalties.map((p) => penaltyOf(p, base)) };
    return made;
  };

  return {
    get base() {
      const { baseLoss, basePenalties } = state();
      return sum(baseLoss, basePenalties);
    },
    at: (index, value) => {
      const { base, work, baseLoss, basePenalties } = state();
      const where = layout.locate(index);
      if (!where) throw new RangeError(`entryObjective: index ${index} is not one of 0..${layout.size - 1}`);
      const name = where.slot.name;
      const w = params.get(name)!.data;
      const old = w[where.local]!;
      w[where.local] = value;
      const outs: Tensor[] = [];
      const changes: Change[] = [];
      // the work copies written and what was written there, to put back (noted before the write: a throw part way still puts it back)
      const written: [number, readonly number[] | 'all'][] = [];
      try {
        let h = x;
        let change: Change;
        for (const [k, op] of model.ops.entries()) {
          const reads = op.paramNames.includes(name);
          const c = op.columns;
          if (!change && !reads) {
            h = base[k]!;
          } else if (c && base[k]!.shape.length === 2) {
            const cols = columnsReached(c, change, reads ? { name, index: where.local } : undefined, env);
            written.push([k, cols]);
            c.recompute(h, env, cols, work[k]!);
            change = cols;
            h = work[k]!;
          } else {
            change = 'all';
            h = op.forward(h, env).y;
          }
          outs.push(h);
          changes[k] = change;
        }
        const loss = change ? lossOf(outs) : baseLoss;
        const penalties = model.penalties.map((p, j) => {
          const seen = isActivationPenalty(p) ? changes[p.at] !== undefined : p.params.includes(name);
          return seen ? penaltyOf(p, outs) : basePenalties[j]!;
        });
        return sum(loss, penalties);
      } finally {
        w[where.local] = old;
        for (const [k, c] of written) {
          const from = base[k]!.data;
          const to = work[k]!.data;
          if (c === 'all') {
            to.set(from);
            continue;
          }
          const n = base[k]!.shape[1]!;
          for (const j of c) for (let i = j; i < to.length; i += n) to[i] = from[i]!;
        }
      }
    },
  };
}
