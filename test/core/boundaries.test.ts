/**
 * Boundaries of the core's ops that the gradient tests do not reach: the
 * edges of valid options, degenerate batches and exact zeros.
 */
import { describe, expect, it } from 'vitest';
import { batchNorm, dropout, dense, lossForward, bernoulliKl, paramPenalty, activationPenalty, Rng, zeros, fromRows } from '../../src/core/index.js';
import type { Env } from '../../src/core/index.js';

const env = (params: Map<string, ReturnType<typeof zeros>>, training = true, trackStats = false): Env => ({
  params,
  grads: new Map([...params].map(([k, v]) => [k, zeros([...v.shape])])),
  training,
  trackStats,
  rng: new Rng(1),
});

describe('batch norm at its edges', () => {
  const params = new Map([
    ['g', { shape: [2], data: Float64Array.from([1, 1]) }],
    ['b', { shape: [2], data: new Float64Array(2) }],
  ]);

  it('accepts momentum 0 and 1 and rejects values outside [0, 1]', () => {
    expect(() => batchNorm({ gamma: 'g', beta: 'b', momentum: 0 })).not.toThrow();
    expect(() => batchNorm({ gamma: 'g', beta: 'b', momentum: 1 })).not.toThrow();
    expect(() => batchNorm({ gamma: 'g', beta: 'b', momentum: -0.01 })).toThrow(/momentum/);
    expect(() => batchNorm({ gamma: 'g', beta: 'b', momentum: 1.01 })).toThrow(/momentum/);
  });

  it('with momentum 1 the running averages are exactly the last batch’s mean and unbiased variance', () => {
    const op = batchNorm({ gamma: 'g', beta: 'b', momentum: 1 });
    op.forward(fromRows([[1, 2], [3, 6]]), env(params, true, true));
    expect(Array.from(op.runningMean!)).toEqual([2, 4]);
    expect(Array.from(op.runningVar!)).toEqual([2, 8]); // biased 1 and 4, times m/(m − 1) = 2
  });

  it('a tracked batch of one leaves a finite running variance (no m/(m − 1) blow-up)', () => {
    const op = batchNorm({ gamma: 'g', beta: 'b', momentum: 0.5 });
    op.forward(fromRows([[1, 2]]), env(params, true, true));
    expect(Array.from(op.runningVar!)).toEqual([0.5, 0.5]);
    expect(Array.from(op.runningMean!)).toEqual([0.5, 1]);
  });

  it('rejects gamma or beta whose length differs from the input’s columns, naming both', () => {
    const op = batchNorm({ gamma: 'g', beta: 'b' });
    const short = new Map(params);
    short.set('b', { shape: [1], data: new Float64Array(1) });
    expect(() => op.forward(fromRows([[1, 2], [3, 4]]), env(short))).toThrow(/gamma has 2 and beta 1/);
    const shortG = new Map(params);
    shortG.set('g', { shape: [3], data: new Float64Array(3) });
    expect(() => op.forward(fromRows([[1, 2], [3, 4]]), env(shortG))).toThrow(/gamma has 3/);
  });

  it('save and load of its state restores the running averages exactly, and a fresh op has none', () => {
    const op = batchNorm({ gamma: 'g', beta: 'b' });
    expect(op.saveState!()).toEqual({ mean: undefined, variance: undefined });
    op.forward(fromRows([[1, 2], [3, 6]]), env(params, true, true));
    const saved = op.saveState!() as { mean: Float64Array; variance: Float64Array };
    op.forward(fromRows([[10, 20], [30, 60]]), env(params, true, true));
    op.loadState!(saved);
    expect(Array.from(op.runningMean!)).toEqual(Array.from(saved.mean));
    saved.mean[0] = 99; // a copy, not an alias
    expect(op.runningMean![0]).not.toBe(99);
  });
});

describe('dropout at its edges', () => {
  it('keep = 1 is allowed and keeps every unit unscaled; keep 0 is not', () => {
    const op = dropout({ keep: 1 });
    const x = fromRows([[1, -2, 3]]);
    expect(Array.from(op.forward(x, env(new Map())).y.data)).toEqual([1, -2, 3]);
    expect(() => dropout({ keep: 0 })).toThrow(/keep/);
  });

  it('a seeded mask keeps about `keep` of the units (never all, never none, for 2000 units)', () => {
    const op = dropout({ keep: 0.3 });
    const x = zeros([1, 2000]);
    x.data.fill(1);
    const kept = op.forward(x, env(new Map())).y.data.filter((v) => v !== 0).length;
    expect(kept).toBeGreaterThan(500);
    expect(kept).toBeLessThan(700);
  });
});

describe('losses and penalties at their edges', () => {
  it('rejects an unknown loss by name', () => {
    expect(() => lossForward({ op: 'hinge' as never, reduction: 'sum' }, fromRows([[1]]), fromRows([[1]]))).toThrow(/unknown loss 'hinge'/);
  });

  it('binary cross-entropy with targets exactly 0 and 1 ignores the log of the other side (finite at ŷ = 1 − 1e-300)', () => {
    const r = lossForward({ op: 'binary-cross-entropy', reduction: 'sum' }, fromRows([[0.25, 0.75]]), fromRows([[0, 1]]));
    expect(r.value).toBeCloseTo(-2 * Math.log(0.75), 14);
  });

  it('bernoulliKl is exactly 0 at ρ̂ = ρ and handles ρ = 0 and ρ = 1', () => {
    expect(bernoulliKl(0.3, 0.3)).toBe(0);
    expect(bernoulliKl(0, 0.2)).toBeCloseTo(-Math.log(0.8), 15);
    expect(bernoulliKl(1, 0.2)).toBeCloseTo(-Math.log(0.2), 15);
  });

  it('KL sparsity names the unit whose mean activation leaves (0, 1)', () => {
    expect(() => activationPenalty({ op: 'kl-sparsity', rho: 0.1, beta: 1, at: 0 }, fromRows([[0.5, 1], [0.5, 1]]))).toThrow(/unit 1/);
  });

  it('l1 of an exact zero weight contributes nothing and its subgradient is 0', () => {
    const params = new Map([['w', { shape: [3], data: Float64Array.from([0, -2, 3]) }]]);
    const grads = new Map([['w', zeros([3])]]);
    expect(paramPenalty({ op: 'l1', alpha: 0.5, params: ['w'] }, params, grads)).toBe(2.5);
    expect(Array.from(grads.get('w')!.data)).toEqual([0, -0.5, 0.5]);
  });

  it('dense rejects an input whose width does not fit the weight, transposed or not', () => {
    const params = new Map([['W', zeros([3, 2])]]);
    expect(() => dense({ weight: 'W' }).forward(zeros([1, 2]), env(params))).toThrow(/input has 2 columns but weight 'W' is \[3, 2\]/);
    expect(() => dense({ weight: 'W', transpose: true }).forward(zeros([1, 3]), env(params))).toThrow(/used transposed/);
  });
});
