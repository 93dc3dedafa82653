import { type Tensor, dims2, gatherRows } from './tensor.js';
import { cloneParams, copyParamsInto, type Params } from './params.js';
import { Rng } from './rng.js';
import type { Optimizer } from './optimizers.js';
import { type Model, evaluate } from './network.js';

export interface TrainOptions {
  optimizer: Optimizer;
  epochs: number;
  /** Examples per step; default the whole set (batch gradient descent); 1 is SGD. */
  batchSize?: number;
  /** Seeds the shuffling, dropout masks and input noise. Default 0. */
  seed?: number;
  /** Reshuffle the examples every epoch. Default true. */
  shuffle?: boolean;
  /** Held-out data: its objective is measured after every epoch (inference mode). */
  validation?: { x: Tensor; t: Tensor };
  /** Stop after this many epochs without a better validation objective; the best parameters are restored. */
  patience?: number;
  /** Corrupts each input batch (denoising); the target stays clean. */
  corrupt?: (x: Tensor, rng: Rng) => Tensor;
  onEpoch?: (record: EpochRecord) => void;
}

export interface EpochRecord {
  epoch: number;
  /** Mean objective over the epoch's batches. */
  trainObjective: number;
  validationObjective?: number;
}

export interface TrainResult {
  history: EpochRecord[];
  /** The epoch (1-based) whose parameters the model holds at the end. */
  bestEpoch: number;
  bestValidation?: number;
  stoppedEarly: boolean;
}

/**
 * Mini-batch training: shuffled batches, one optimiser step per batch. With
 * validation data, keeps the parameters of the best validation epoch and
 * restores them at the end (early stopping when `patience` is set).
 */
export function train(model: Model, x: Tensor, t: Tensor, opts: TrainOptions): TrainResult {
  const [m] = dims2(x, 'train: x');
  const [mt] = dims2(t, 'train: t');
  if (m !== mt) throw new RangeError(`train: x has ${m} rows but t has ${mt}`);
  if (!Number.isInteger(opts.epochs) || opts.epochs < 1) throw new RangeError(`train: epochs must be a positive integer, got ${opts.epochs}`);
  const batchSize = opts.batchSize ?? m;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`train: batchSize must be a positive integer, got ${batchSize}`);
  if (opts.patience !== undefined && !opts.validation) throw new RangeError('train: patience needs validation data');
  const rng = new Rng(opts.seed ?? 0);
  const shuffle = opts.shuffle ?? true;
  const history: EpochRecord[] = [];
  let best: Params | undefined;
  let bestState: unknown[] | undefined;
  let bestEpoch = opts.epochs;
  let bestValidation: number | undefined;
  let stoppedEarly = false;
  let order: Uint32Array = Uint32Array.from({ length: m }, (_, i) => i);

  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    if (shuffle) order = rng.permutation(m);
    let total = 0;
    let batches = 0;
    for (let s = 0; s < m; s += batchSize) {
      const idx = order.subarray(s, Math.min(m, s + batchSize));
      const xb0 = batchSize >= m && !shuffle ? x : gatherRows(x, idx);
      const tb = batchSize >= m && !shuffle ? t : gatherRows(t, idx);
      const xb = opts.corrupt ? opts.corrupt(xb0, rng) : xb0;
      const r = evaluate(model, xb, tb, { training: true, trackStats: true, rng });
      opts.optimizer.step(model.params, r.grads);
      total += r.objective;
      batches++;
    }
    const record: EpochRecord = { epoch, trainObjective: total / batches };
    if (opts.validation) {
      const v = evaluate(model, opts.validation.x, opts.validation.t, { training: false, backward: false }).objective;
      record.validationObjective = v;
      if (bestValidation === undefined || v < bestValidation) {
        bestValidation = v;
        bestEpoch = epoch;
        best = cloneParams(model.params);
        // Batch norm's running averages belong to the best epoch too.
        bestState = model.ops.map((op) => op.saveState?.());
      }
    }
    history.push(record);
    opts.onEpoch?.(record);
    if (opts.patience !== undefined && epoch - bestEpoch >= opts.patience) {
      stoppedEarly = epoch < opts.epochs;
      break;
    }
  }
  if (best) copyParamsInto(model.params, best);
  if (bestState) model.ops.forEach((op, i) => op.loadState?.(bestState![i]));
  return bestValidation === undefined ? { history, bestEpoch, stoppedEarly } : { history, bestEpoch, bestValidation, stoppedEarly };
}
