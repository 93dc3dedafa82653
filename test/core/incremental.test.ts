import { describe, expect, it } from 'vitest';
import { autoencoder, cloneParams, createOp, dense, entryObjective, evaluate, flattenParams, mlp, Rng, tensor, type Model, type Tensor } from '../../src/core/index.js';

const batch = (rng: Rng, rows: number, cols: number, positive = false): Tensor =>
  tensor([rows, cols], positive ? Float64Array.from(rng.normals(rows * cols), (v) => 1 / (1 + Math.exp(-v))) : rng.normals(rows * cols));

/** evaluate's objective with flat entry i of the model's parameters set to v (a fresh copy of them). */
function fullAt(model: Model, x: Tensor, t: Tensor, i: number, v: number, training = true): number {
  const params = cloneParams(model.params);
  let at = i;
  for (const p of params.values()) {
    if (at < p.data.length) {
      p.data[at] = v;
      break;
    }
    at -= p.data.length;
  }
  return evaluate({ ...model, params }, x, t, { training, backward: false }).objective;
}

/** Every entry moved by a step that changes it (a power of two of its size), and back. */
function expectEveryEntryExact(model: Model, x: Tensor, t: Tensor, training = true): void {
  const inc = entryObjective(model, x, t, { training });
  expect(inc).toBeDefined();
  const point = flattenParams(model.params);
  expect(inc!.base).toBe(evaluate(model, x, t, { training, backward: false }).objective);
  for (let i = 0; i < point.length; i++) {
    for (const step of [2 ** -9, -(2 ** -20)]) {
      const v = point[i]! + step * Math.max(1, Math.abs(point[i]!));
      expect(Object.is(inc!.at(i, v), fullAt(model, x, t, i, v, training)), `entry ${i} at ${v}`).toBe(true);
    }
  }
  // every call put its changes back: the base value again, and the model untouched
  expect(inc!.at(0, point[0]!)).toBe(inc!.base);
  expect(flattenParams(model.params)).toEqual(point);
}

describe('the objective one entry at a time (incremental evaluation)', () => {
  it('is, bit for bit, evaluate at the changed point, for every entry of a sparse autoencoder with weight decay', () => {
    const rng = new Rng(1);
    const model = autoencoder({ input: 6, hidden: [4], sparse: { rho: 0.1, beta: 3 }, weightDecay: 1e-3, seed: 2 });
    const x = batch(rng, 5, 6, true);
    expectEveryEntryExact(model, x, x);
  });

  it('is so for a stacked, tied autoencoder (one matrix read by two ops) with tanh', () => {
    const rng = new Rng(3);
    const model = autoencoder({ input: 5, hidden: [4, 3], tied: true, activation: 'tanh', weightDecay: 1e-2, seed: 4 });
    const x = batch(rng, 4, 5);
    expectEveryEntryExact(model, x, x);
  });

  it('is so where an op without column structure (batch norm) recomputes its whole output, and with an activity penalty', () => {
    const rng = new Rng(5);
    const model = mlp({ sizes: [4, 5, 3], batchNorm: true, activation: 'leaky-relu', weightDecay: 1e-2, seed: 6 });
    model.penalties.push({ op: 'l1-activity', alpha: 0.1, at: 2, reduction: 'batch-mean' });
    expectEveryEntryExact(model, batch(rng, 6, 4), batch(rng, 6, 3));
    expectEveryEntryExact(model, batch(rng, 6, 4), batch(rng, 6, 3), false);
  });

  it('is so with a fixed dropout mask, and with a dense layer used transposed', () => {
    const rng = new Rng(7);
    const mask = tensor([3, 4], [1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1]);
    const model: Model = {
      ops: [dense({ weight: 'W', bias: 'b', transpose: true }), createOp({ op: 'sigmoid' }), createOp({ op: 'dropout', keep: 0.75, mask: 'M' }, new Map([['M', mask]])), dense({ weight: 'V' })],
      params: new Map([
        ['W', batch(rng, 4, 2)],
        ['b', batch(rng, 1, 4)],
        ['V', batch(rng, 4, 2)],
      ]),
      loss: { op: 'squared-error', reduction: 'sum' },
      penalties: [],
    };
    model.params.set('b', tensor([4], model.params.get('b')!.data));
    expectEveryEntryExact(model, batch(rng, 3, 2), batch(rng, 3, 2));
  });

  it('is not offered when an op draws its dropout mask in training (its masks depend on the ops before it), but is at inference', () => {
    const rng = new Rng(8);
    const model = mlp({ sizes: [3, 4, 2], dropoutKeep: 0.5, seed: 9 });
    const x = batch(rng, 4, 3);
    const t = batch(rng, 4, 2);
    expect(entryObjective(model, x, t)).toBeUndefined();
    expectEveryEntryExact(model, x, t, false);
  });

  it('names an index outside the parameters', () => {
    const rng = new Rng(10);
    const model = mlp({ sizes: [2, 2], seed: 11 });
    const inc = entryObjective(model, batch(rng, 2, 2), batch(rng, 2, 2))!;
    expect(() => inc.at(6, 1)).toThrow(/index 6 is not one of 0..5/);
    expect(() => inc.at(-1, 1)).toThrow(RangeError);
  });
});
