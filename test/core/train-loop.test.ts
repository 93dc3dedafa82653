/**
 * The training loop's bookkeeping, observed from outside: which rows make up
 * each batch (in order, shuffled or not), the mode each evaluation runs in,
 * the epoch record as the mean of the batch objectives, and what the result
 * holds when there is no validation data.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, fromRows, linearRegression, mlp, Rng, train, type Optimizer } from '../../src/core/index.js';
import { type Tensor } from '../../src/index.js';

/** An optimiser that records that it was called and changes nothing. */
function still(): Optimizer & { steps: number } {
  return {
    name: 'still',
    steps: 0,
    step() {
      this.steps++;
    },
    reset() {},
  };
}

const rows = (m: number): Tensor => fromRows(Array.from({ length: m }, (_, i) => [i]));

/** Trains with a corrupt hook that records the row ids (column 0) of every batch, per epoch. */
function batchesSeen(m: number, opts: { batchSize?: number; shuffle?: boolean; epochs?: number; seed?: number }): { x: Tensor; epochs: number[][][]; seenX: Tensor[] } {
  const x = rows(m);
  const epochs: number[][][] = [];
  const seenX: Tensor[] = [];
  let current: number[][] = [];
  train(linearRegression({ inputs: 1 }), x, rows(m), {
    optimizer: still(),
    epochs: opts.epochs ?? 3,
    ...(opts.batchSize === undefined ? {} : { batchSize: opts.batchSize }),
    ...(opts.shuffle === undefined ? {} : { shuffle: opts.shuffle }),
    seed: opts.seed ?? 5,
    onEpoch: () => {
      epochs.push(current);
      current = [];
    },
    corrupt: (xb) => {
      seenX.push(xb);
      current.push(Array.from(xb.data));
      return xb;
    },
  });
  return { x, epochs, seenX };
}

describe('train: batches', () => {
  it('without shuffling, takes the rows in order in batches of batchSize, the last one short', () => {
    const { epochs } = batchesSeen(5, { batchSize: 2, shuffle: false });
    expect(epochs).toHaveLength(3);
    for (const e of epochs) expect(e).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('shuffles by default: every epoch is a permutation of all rows, and the epochs differ', () => {
    const { epochs } = batchesSeen(8, { batchSize: 3, epochs: 4 });
    const orders = epochs.map((e) => e.flat());
    for (const o of orders) expect([...o].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(orders.map((o) => o.join(','))).size).toBeGreaterThan(1);
    expect(orders.some((o) => o.join(',') !== '0,1,2,3,4,5,6,7')).toBe(true);
  });

  it('a full batch is shuffled too, and without shuffling is the data itself (no copy)', () => {
    const shuffled = batchesSeen(8, { epochs: 4 });
    expect(shuffled.epochs.some((e) => e.flat().join(',') !== '0,1,2,3,4,5,6,7')).toBe(true);
    const plain = batchesSeen(8, { shuffle: false, epochs: 2 });
    for (const xb of plain.seenX) expect(xb).toBe(plain.x);
  });

  it('keeps each example with its own target when it shuffles a full batch', () => {
    // t = 2x + 1 exactly, and a model that predicts it: the objective is 0 unless pairs are mixed up.
    const x = fromRows([[1], [2], [3], [4], [5]]);
    const t = fromRows([[3], [5], [7], [9], [11]]);
    const model = linearRegression({ inputs: 1 });
    model.params.get('W')!.data[0] = 2;
    model.params.get('b')!.data[0] = 1;
    const r = train(model, x, t, { optimizer: still(), epochs: 3 });
    for (const h of r.history) expect(h.trainObjective).toBe(0);
  });
});

describe('train: modes and records', () => {
  const rng = new Rng(8);
  const x = fromRows(Array.from({ length: 6 }, () => [rng.normal(), rng.normal()]));
  const t = fromRows(Array.from({ length: 6 }, () => [rng.normal()]));

  it('the epoch record is the mean of its batches\' objectives', () => {
    const model = linearRegression({ inputs: 2 });
    model.params.get('W')!.data.set([0.5, -1]);
    const r = train(model, x, t, { optimizer: still(), epochs: 1, batchSize: 4, shuffle: false });
    const first = evaluate(model, fromRows([0, 1, 2, 3].map((i) => [x.data[2 * i]!, x.data[2 * i + 1]!])), fromRows([0, 1, 2, 3].map((i) => [t.data[i]!])));
    const second = evaluate(model, fromRows([4, 5].map((i) => [x.data[2 * i]!, x.data[2 * i + 1]!])), fromRows([4, 5].map((i) => [t.data[i]!])));
    expect(r.history[0]!.trainObjective).toBeCloseTo((first.objective + second.objective) / 2, 14);
  });

  it('trains in training mode (dropout on) and validates in inference mode (dropout off)', () => {
    const model = mlp({ sizes: [2, 16, 1], activation: 'tanh', dropoutKeep: 0.5, seed: 3 });
    const inference = evaluate(model, x, t, { training: false, backward: false }).objective;
    const r = train(model, x, t, { optimizer: still(), epochs: 2, validation: { x, t }, shuffle: false });
    for (const h of r.history) {
      expect(h.validationObjective).toBe(inference);
      expect(h.trainObjective).not.toBe(inference);
    }
  });

  it('tracks batch-norm running statistics while training, and keeps them when there is no validation', () => {
    const model = mlp({ sizes: [2, 3, 1], activation: 'tanh', batchNorm: true, seed: 2 });
    const bn = model.ops.find((op) => op.saveState !== undefined)!;
    const before = bn.saveState!() as { mean?: Float64Array };
    const r = train(model, x, t, { optimizer: still(), epochs: 2 });
    const after = bn.saveState!() as { mean?: Float64Array; variance?: Float64Array };
    expect(after.mean).toBeDefined();
    expect(Array.from(after.mean!)).not.toEqual(Array.from(before.mean ?? new Float64Array(3)));
    expect(after.variance!.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    expect('bestValidation' in r).toBe(false);
    expect(r.bestEpoch).toBe(2);
    expect(r.stoppedEarly).toBe(false);
  });

  it('runs every epoch without patience, and a stop that falls on the last epoch is not early', () => {
    const model = linearRegression({ inputs: 2 });
    const opt = still();
    const r = train(model, x, t, { optimizer: opt, epochs: 4, batchSize: 3 });
    expect(r.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
    expect(opt.steps).toBe(8);
    // A still optimiser never improves on epoch 1: patience 3 stops at epoch 4, which is the last.
    const last = train(linearRegression({ inputs: 2 }), x, t, { optimizer: still(), epochs: 4, validation: { x, t }, patience: 3 });
    expect(last.history).toHaveLength(4);
    expect(last.bestEpoch).toBe(1);
    expect(last.stoppedEarly).toBe(false);
    const early = train(linearRegression({ inputs: 2 }), x, t, { optimizer: still(), epochs: 6, validation: { x, t }, patience: 3 });
    expect(early.history).toHaveLength(4);
    expect(early.stoppedEarly).toBe(true);
  });
});
