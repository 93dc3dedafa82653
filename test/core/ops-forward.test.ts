import { describe, expect, it } from 'vitest';
import { activation, batchNorm, dense, dropout, fromRows, leakyRelu, Rng, softmax, softmaxRows, tensor, toRows, zeroGrads, type Env, type Op, type Params } from '../../src/core/index.js';
import { type Tensor } from '../../src/index.js';

function env(params: Params = new Map(), opts: Partial<Pick<Env, 'training' | 'trackStats' | 'rng'>> = {}): Env {
  return {
    params,
    grads: zeroGrads(params),
    training: opts.training ?? true,
    trackStats: opts.trackStats ?? false,
    rng: opts.rng ?? new Rng(0),
  };
}

function run(op: Op, x: Tensor, e: Env = env()): number[] {
  return Array.from(op.forward(x, e).y.data);
}

function expectClose(got: ArrayLike<number>, want: readonly number[], tol = 1e-14): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const scale = Math.max(1, Math.abs(want[i]!));
    expect(Math.abs(got[i]! - want[i]!), `entry ${i}: got ${got[i]}, want ${want[i]}`).toBeLessThanOrEqual(tol * scale);
  }
}

describe('elementwise activations', () => {
  it('maps sigmoid(0) to 1/2 and sigmoid(±ln 3) to 3/4 and 1/4', () => {
    const x = tensor([1, 3], [0, Math.log(3), -Math.log(3)]);
    expectClose(run(activation('sigmoid'), x), [0.5, 0.75, 0.25]);
  });

  it('keeps sigmoid finite and saturated for very large |h|', () => {
    const y = run(activation('sigmoid'), tensor([1, 2], [-800, 800]));
    expect(y).toEqual([0, 1]);
  });

  it('computes tanh(ln 2) = 3/5 and is odd', () => {
    // tanh(ln 2) = (2 − 1/2)/(2 + 1/2) = 3/5
    expectClose(run(activation('tanh'), tensor([1, 3], [Math.log(2), -Math.log(2), 0])), [0.6, -0.6, 0]);
  });

  it('zeroes negative inputs in relu and passes positive ones through', () => {
    expect(run(activation('relu'), tensor([2, 2], [-1, 0, 2, -0.5]))).toEqual([0, 0, 2, 0]);
  });

  it('scales negative inputs of leaky-relu by its slope', () => {
    expectClose(run(leakyRelu(0.1), tensor([1, 4], [-2, 3, 0, -0.5])), [-0.2, 3, 0, -0.05]);
  });

  it('rejects a non-finite leaky-relu slope', () => {
    expect(() => leakyRelu(NaN)).toThrow(RangeError);
  });

  it('gives softplus(0) = ln 2 and softplus(ln 3) = ln 4, without overflow at large h', () => {
    const y = run(activation('softplus'), tensor([1, 4], [0, Math.log(3), 800, -800]));
    expectClose(y.slice(0, 2), [Math.LN2, Math.log(4)]);
    expect(y[2]).toBe(800);
    expect(y[3]).toBeGreaterThanOrEqual(0);
    expect(y[3]).toBeLessThan(1e-300);
  });

  it('returns its input unchanged for identity', () => {
    expect(run(activation('identity'), tensor([2, 2], [-3, 0.25, 7, -1e-9]))).toEqual([-3, 0.25, 7, -1e-9]);
  });
});

describe('softmax', () => {
  it('turns the row [0, ln 2] into [1/3, 2/3]', () => {
    expectClose(run(softmax(), tensor([1, 2], [0, Math.log(2)])), [1 / 3, 2 / 3]);
  });

  it('normalises each row separately and survives huge logits', () => {
    const x = fromRows([
      [1000, 1000 + Math.log(2)],
      [-5, -5],
    ]);
    // 1000 + ln 2 is only representable to ~1e-13, hence the looser tolerance
    expectClose(run(softmax(), x), [1 / 3, 2 / 3, 0.5, 0.5], 1e-12);
    expectClose(softmaxRows(fromRows([[Math.log(3), 0, Math.log(4)]])).data, [3 / 8, 1 / 8, 4 / 8]);
  });
});

describe('dense', () => {
  const x = fromRows([
    [1, 2],
    [0, -1],
  ]);
  const W = fromRows([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const b = tensor([3], [10, 20, 30]);

  it('computes X·W + b', () => {
    const p: Params = new Map([['W', W], ['b', b]]);
    // row 1: [1+8, 2+10, 3+12] + b;  row 2: [−4, −5, −6] + b
    expect(toRows(dense({ weight: 'W', bias: 'b' }).forward(x, env(p)).y)).toEqual([
      [19, 32, 45],
      [6, 15, 24],
    ]);
  });

  it('computes X·W with no bias when none is named', () => {
    const p: Params = new Map([['W', W]]);
    const op = dense({ weight: 'W' });
    expect(op.paramNames).toEqual(['W']);
    expect(toRows(op.forward(x, env(p)).y)).toEqual([
      [9, 12, 15],
      [-4, -5, -6],
    ]);
  });

  it('computes X·Wᵀ + b with transpose, W stored as [out, in]', () => {
    const Wt = fromRows([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    const p: Params = new Map([['W', Wt], ['b', b]]);
    expect(toRows(dense({ weight: 'W', bias: 'b', transpose: true }).forward(x, env(p)).y)).toEqual([
      [19, 32, 45],
      [6, 15, 24],
    ]);
  });

  it('rejects a weight whose shape does not fit the input', () => {
    const p: Params = new Map([['W', W]]);
    expect(() => dense({ weight: 'W', transpose: true }).forward(x, env(p))).toThrow(RangeError);
    expect(() => dense({ weight: 'V' }).forward(x, env(p))).toThrow(/unknown parameter 'V'/);
  });
});

describe('batch norm', () => {
  const eps = 1e-5;

  it('normalises the column [1, 3] to ±γ/sqrt(1 + eps) + β in training mode', () => {
    const gamma = 2;
    const beta = 0.5;
    const p: Params = new Map([
      ['g', tensor([1], [gamma])],
      ['b', tensor([1], [beta])],
    ]);
    // μ = 2, σ² (biased) = 1
    const s = 1 / Math.sqrt(1 + eps);
    expectClose(run(batchNorm({ gamma: 'g', beta: 'b', eps }), tensor([2, 1], [1, 3]), env(p)), [-gamma * s + beta, gamma * s + beta]);
  });

  it('uses each column’s own batch statistics', () => {
    const p: Params = new Map([
      ['g', tensor([2], [1, 1])],
      ['b', tensor([2], [0, 0])],
    ]);
    // column 0: [0, 2, 4] → μ 2, σ² 8/3;  column 1: [5, 5, 5] → μ 5, σ² 0
    const x = fromRows([
      [0, 5],
      [2, 5],
      [4, 5],
    ]);
    const y = run(batchNorm({ gamma: 'g', beta: 'b', eps }), x, env(p));
    const s = 1 / Math.sqrt(8 / 3 + eps);
    expectClose(y, [-2 * s, 0, 0, 0, 2 * s, 0]);
  });

  it('updates running averages with momentum 0.1 and the unbiased variance, then uses them at inference', () => {
    const p: Params = new Map([
      ['g', tensor([2], [1.5, -1])],
      ['b', tensor([2], [0.25, 2])],
    ]);
    const bn = batchNorm({ gamma: 'g', beta: 'b', eps });
    expect(bn.runningMean).toBeUndefined();
    // A pass without trackStats must leave the statistics alone.
    bn.forward(fromRows([[1, 2], [3, 6]]), env(p, { trackStats: false }));
    expect(bn.runningMean).toBeUndefined();

    // batch 1: col 0 [1, 3, 5] → μ 3, unbiased var 4; col 1 [2, 2, 8] → μ 4, unbiased var 12
    bn.forward(fromRows([[1, 2], [3, 2], [5, 8]]), env(p, { trackStats: true }));
    let rm = [0.9 * 0 + 0.1 * 3, 0.9 * 0 + 0.1 * 4];
    let rv = [0.9 * 1 + 0.1 * 4, 0.9 * 1 + 0.1 * 12];
    expectClose(bn.runningMean!, rm);
    expectClose(bn.runningVar!, rv);

    // batch 2: col 0 [0, 10] → μ 5, unbiased var 50; col 1 [−1, 1] → μ 0, unbiased var 2
    bn.forward(fromRows([[0, -1], [10, 1]]), env(p, { trackStats: true }));
    rm = [0.9 * rm[0]! + 0.1 * 5, 0.9 * rm[1]! + 0.1 * 0];
    rv = [0.9 * rv[0]! + 0.1 * 50, 0.9 * rv[1]! + 0.1 * 2];
    expectClose(bn.runningMean!, rm);
    expectClose(bn.runningVar!, rv);

    // inference: y = γ (x − running mean)/sqrt(running var + eps) + β, independent of the batch
    const x = fromRows([[2, 3]]);
    const y = run(bn, x, env(p, { training: false }));
    expectClose(y, [
      (1.5 * (2 - rm[0]!)) / Math.sqrt(rv[0]! + eps) + 0.25,
      (-1 * (3 - rm[1]!)) / Math.sqrt(rv[1]! + eps) + 2,
    ]);
    // inference does not move the running statistics
    expectClose(bn.runningMean!, rm);
  });

  it('uses mean 0 and variance 1 at inference before any tracked pass', () => {
    const p: Params = new Map([
      ['g', tensor([1], [2])],
      ['b', tensor([1], [1])],
    ]);
    const y = run(batchNorm({ gamma: 'g', beta: 'b', eps }), tensor([2, 1], [1, 3]), env(p, { training: false }));
    expectClose(y, [2 / Math.sqrt(1 + eps) + 1, 6 / Math.sqrt(1 + eps) + 1]);
  });

  it('rejects a negative eps and a momentum outside [0, 1]', () => {
    expect(() => batchNorm({ gamma: 'g', beta: 'b', eps: -1 })).toThrow(RangeError);
    expect(() => batchNorm({ gamma: 'g', beta: 'b', momentum: 1.5 })).toThrow(RangeError);
  });
});

describe('dropout', () => {
  const x = fromRows([
    [1, -2, 3],
    [4, 5, -6],
  ]);

  it('computes X ⊙ M / keep with a fixed mask', () => {
    const mask = fromRows([
      [1, 0, 1],
      [0, 1, 1],
    ]);
    expectClose(run(dropout({ keep: 0.8, mask }), x), [1 / 0.8, 0, 3 / 0.8, 0, 5 / 0.8, -6 / 0.8]);
  });

  it('is the identity in inference mode', () => {
    const mask = fromRows([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(run(dropout({ keep: 0.5, mask }), x, env(new Map(), { training: false }))).toEqual([1, -2, 3, 4, 5, -6]);
    expect(run(dropout({ keep: 0.5 }), x, env(new Map(), { training: false }))).toEqual([1, -2, 3, 4, 5, -6]);
  });

  it('draws the same mask from the same seed and a different one from another seed', () => {
    const big = tensor([20, 20], Array.from({ length: 400 }, (_, i) => i + 1));
    const op = dropout({ keep: 0.5 });
    const a = run(op, big, env(new Map(), { rng: new Rng(7) }));
    const b = run(op, big, env(new Map(), { rng: new Rng(7) }));
    const c = run(op, big, env(new Map(), { rng: new Rng(8) }));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    // every entry is either dropped or scaled by 1/keep, and about half are kept
    let kept = 0;
    a.forEach((v, i) => {
      if (v !== 0) {
        kept++;
        expect(v).toBe((i + 1) / 0.5);
      }
    });
    expect(kept).toBeGreaterThan(150);
    expect(kept).toBeLessThan(250);
  });

  it('rejects masks that are not 0/1, masks of the wrong shape and keep outside (0, 1]', () => {
    expect(() => dropout({ keep: 0.5, mask: fromRows([[1, 0.5, 0]]) })).toThrow(RangeError);
    expect(() => dropout({ keep: 0.5, mask: fromRows([[1, 0, 1]]) }).forward(x, env())).toThrow(/mask/);
    expect(() => dropout({ keep: 0 })).toThrow(RangeError);
    expect(() => dropout({ keep: 1.2 })).toThrow(RangeError);
  });
});
