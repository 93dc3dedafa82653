import { describe, expect, it } from 'vitest';
import { addRowVector, batchNorm, colMeans, copyParamsInto, dense, dropout, evaluate, flattenParams, fromRows, gatherRows, mlp, paramCount, predict, rowSums, sumRowsInto, tensor, toRows, transpose, unflattenInto, validateModel, zeros, type Model, type Params } from '../../src/core/index.js';

/** One dense layer W [2, 2], b [2], no penalties: the model the validation cases add to. */
const base = (): Model => ({
  ops: [dense({ weight: 'W', bias: 'b' })],
  params: new Map([
    ['W', zeros([2, 2])],
    ['b', zeros([2])],
  ]),
  loss: { op: 'squared-error', reduction: 'sum' },
  penalties: [],
});

describe('tensor helpers', () => {
  it('checks that data fits the shape', () => {
    expect(() => tensor([2, 3], [1, 2, 3, 4, 5])).toThrow(RangeError);
    expect(() => zeros([2, -1])).toThrow(RangeError);
    expect(() => fromRows([[1, 2], [3]])).toThrow(RangeError);
    expect(zeros([2, 3]).data).toEqual(new Float64Array(6));
  });

  it('copies its data rather than aliasing it', () => {
    const src = [1, 2, 3];
    const t = tensor([3], src);
    src[0] = 99;
    expect(t.data[0]).toBe(1);
  });

  it('broadcasts a bias over rows, sums and averages columns, sums rows', () => {
    const x = fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    addRowVector(x, tensor([3], [10, 20, 30]));
    expect(toRows(x)).toEqual([
      [11, 22, 33],
      [14, 25, 36],
    ]);
    const acc = Float64Array.from([1, 1, 1]);
    sumRowsInto(x, acc);
    expect(Array.from(acc)).toEqual([26, 48, 70]);
    expect(Array.from(colMeans(x))).toEqual([12.5, 23.5, 34.5]);
    expect(Array.from(rowSums(x))).toEqual([66, 75]);
    expect(() => addRowVector(x, tensor([2], [1, 2]))).toThrow(RangeError);
  });

  it('gathers rows in the order given and transposes', () => {
    const x = fromRows([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(toRows(gatherRows(x, [2, 0, 2]))).toEqual([
      [5, 6],
      [1, 2],
      [5, 6],
    ]);
    expect(toRows(transpose(x))).toEqual([
      [1, 3, 5],
      [2, 4, 6],
    ]);
  });
});

describe('parameter helpers', () => {
  it('flatten in Map order and write back', () => {
    const p: Params = new Map([
      ['a', fromRows([[1, 2], [3, 4]])],
      ['b', tensor([1], [5])],
    ]);
    expect(paramCount(p)).toBe(5);
    expect(Array.from(flattenParams(p))).toEqual([1, 2, 3, 4, 5]);
    unflattenInto(p, [9, 8, 7, 6, 5.5]);
    expect(Array.from(p.get('a')!.data)).toEqual([9, 8, 7, 6]);
    expect(Array.from(p.get('b')!.data)).toEqual([5.5]);
    expect(() => unflattenInto(p, [1, 2])).toThrow(RangeError);
  });
});

describe('models', () => {
  it('validateModel names an unknown parameter and an out-of-range penalty op', () => {
    expect(() => validateModel(base())).not.toThrow();
    const m1 = base();
    m1.params.delete('b');
    expect(() => validateModel(m1)).toThrow(/'b'/);
    const m2 = base();
    m2.penalties.push({ op: 'l1-activity', alpha: 1, at: 1, reduction: 'sum' });
    expect(() => validateModel(m2)).toThrow(/at=1/);
    const m3 = base();
    m3.penalties.push({ op: 'l2', alpha: 1, params: ['V'] });
    expect(() => validateModel(m3)).toThrow(/'V'/);
  });

  it('accepts an activation penalty at an existing op and refuses negative or fractional positions', () => {
    const ok = base();
    ok.penalties.push({ op: 'l1-activity', alpha: 1, at: 0, reduction: 'sum' });
    expect(() => validateModel(ok)).not.toThrow();
    for (const at of [-1, 0.5, 1]) {
      const m = base();
      m.penalties.push({ op: 'l1-activity', alpha: 1, at, reduction: 'sum' });
      expect(() => validateModel(m), `at ${at}`).toThrow(new RegExp(`at=${at}, but the network has ops 0\\.\\.0`));
    }
  });

  it('accepts a weight penalty on existing parameters; copyParamsInto refuses a parameter the target lacks', () => {
    const ok = base();
    ok.penalties.push({ op: 'l2', alpha: 1, params: ['W', 'b'] });
    expect(() => validateModel(ok)).not.toThrow();
    const into = base().params;
    expect(() => copyParamsInto(into, new Map([['V', zeros([1])]]))).toThrow(/copyParamsInto: unknown parameter 'V'/);
    copyParamsInto(into, new Map([['b', tensor([2], [5, 6])]]));
    expect(Array.from(into.get('b')!.data)).toEqual([5, 6]);
  });

  it('mlp builds dense → activation layers with glorot weights, zero biases and an identity output', () => {
    const m = mlp({ sizes: [3, 4, 2], seed: 1 });
    expect(m.ops.map((o) => o.kind)).toEqual(['dense', 'relu', 'dense', 'identity']);
    expect(m.params.get('W1')!.shape).toEqual([3, 4]);
    expect(Array.from(m.params.get('b1')!.data)).toEqual([0, 0, 0, 0]);
    expect(m.penalties).toEqual([]);
    const bn = mlp({ sizes: [3, 4, 2], batchNorm: true, dropoutKeep: 0.5, weightDecay: 0.1 });
    expect(bn.ops.map((o) => o.kind)).toEqual(['dense', 'batchnorm', 'relu', 'dropout', 'dense', 'identity']);
    expect(bn.params.has('b1')).toBe(false);
    expect(bn.penalties).toEqual([{ op: 'l2', alpha: 0.1, params: ['W1', 'W2'] }]);
    expect(() => mlp({ sizes: [3] })).toThrow(RangeError);
  });

  it('predict runs in inference mode: no dropout, running batch-norm statistics', () => {
    const params: Params = new Map([
      ['g', tensor([1], [1])],
      ['b', tensor([1], [0])],
    ]);
    const model: Model = {
      ops: [batchNorm({ gamma: 'g', beta: 'b', eps: 0 }), dropout({ keep: 0.5, mask: fromRows([[0], [0]]) })],
      params,
      loss: { op: 'squared-error', reduction: 'sum' },
      penalties: [],
    };
    const x = fromRows([[1], [3]]);
    // before any tracked pass: running mean 0, variance 1 → y = x
    expect(Array.from(predict(model, x).data)).toEqual([1, 3]);
    // training mode with this mask drops everything
    expect(Array.from(evaluate(model, x, x).output.data).every((v) => v === 0)).toBe(true);
    // a tracked pass: running mean 0.1·2 = 0.2, running var 0.9 + 0.1·2 = 1.1
    evaluate(model, x, x, { trackStats: true });
    const y = predict(model, x).data;
    expect(y[0]).toBeCloseTo((1 - 0.2) / Math.sqrt(1.1), 14);
    expect(y[1]).toBeCloseTo((3 - 0.2) / Math.sqrt(1.1), 14);
  });

  it('evaluate reports the objective as the loss plus each penalty', () => {
    const m = mlp({ sizes: [2, 3, 1], weightDecay: 0.2, seed: 3 });
    m.penalties.push({ op: 'l1-activity', alpha: 0.1, at: 1, reduction: 'sum' });
    const x = fromRows([[1, -1], [0.5, 2]]);
    const t = fromRows([[1], [0]]);
    const r = evaluate(m, x, t);
    expect(r.penalties).toHaveLength(2);
    let w2 = 0;
    for (const name of ['W1', 'W2']) for (const v of m.params.get(name)!.data) w2 += v * v;
    expect(r.penalties[0]).toBeCloseTo(0.1 * w2, 14);
    expect(r.objective).toBeCloseTo(r.loss + r.penalties[0]! + r.penalties[1]!, 14);
  });
});
