import { describe, expect, it } from 'vitest';
import { activationPenalty, bernoulliKl, fromRows, isActivationPenalty, LOSS_REDUCTIONS, lossForward, paramPenalty, tensor, type Params, type Reduction } from '../../src/core/index.js';

function expectClose(got: ArrayLike<number>, want: readonly number[], tol = 1e-14): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const scale = Math.max(1, Math.abs(want[i]!));
    expect(Math.abs(got[i]! - want[i]!), `entry ${i}: got ${got[i]}, want ${want[i]}`).toBeLessThanOrEqual(tol * scale);
  }
}

function near(got: number, want: number, tol = 1e-14): void {
  expect(Math.abs(got - want), `got ${got}, want ${want}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want)));
}

// m = 2 rows, n = 2 columns everywhere below, so the three divisors 1, m, m·n are 1, 2, 4.
const divisors: [Reduction, number][] = [
  ['sum', 1],
  ['batch-mean', 2],
  ['mean', 4],
];

describe('squared-error loss', () => {
  // residuals ŷ − t: 1, 0, 2, −3 → Σ r² = 14
  const yhat = fromRows([
    [1, 2],
    [3, -2],
  ]);
  const t = fromRows([
    [0, 2],
    [1, 1],
  ]);
  it.each(divisors)('with reduction %s divides Σ(ŷ − t)² = 14 by %d and has gradient 2(ŷ − t)/div', (reduction, div) => {
    const r = lossForward({ op: 'squared-error', reduction }, yhat, t);
    near(r.value, 14 / div);
    expectClose(r.grad.data, [2, 0, 4, -6].map((v) => v / div));
    expect(r.grad.shape).toEqual([2, 2]);
  });
});

describe('binary cross-entropy loss', () => {
  const yhat = fromRows([
    [0.5, 0.25],
    [0.8, 0.9],
  ]);
  const t = fromRows([
    [1, 0],
    [0, 1],
  ]);
  // −ln 0.5 − ln 0.75 − ln 0.2 − ln 0.9
  const total = Math.log(2) + Math.log(4 / 3) + Math.log(5) + Math.log(10 / 9);
  // (ŷ − t)/(ŷ(1 − ŷ)): −1/0.5 = −2, 0.25/0.1875 = 4/3, 0.8/0.16 = 5, −0.1/0.09 = −10/9
  const grad = [-2, 4 / 3, 5, -10 / 9];
  it.each(divisors)('with reduction %s divides the summed cross-entropy by %d', (reduction, div) => {
    const r = lossForward({ op: 'binary-cross-entropy', reduction }, yhat, t);
    near(r.value, total / div);
    expectClose(r.grad.data, grad.map((g) => g / div), 1e-13);
  });

  it('handles soft targets: t = 0.5 at ŷ = 0.5 costs ln 2 and has zero gradient', () => {
    const r = lossForward({ op: 'binary-cross-entropy', reduction: 'sum' }, fromRows([[0.5]]), fromRows([[0.5]]));
    near(r.value, Math.LN2);
    expect(r.grad.data[0]).toBe(0);
  });
});

describe('softmax cross-entropy loss', () => {
  // row 1: softmax([0, ln 2]) = [1/3, 2/3], t = [0, 1] → −ln(2/3)
  // row 2: softmax([ln 3, 0]) = [3/4, 1/4], t = [1/2, 1/2] → −(ln(3/4) + ln(1/4))/2
  const logits = fromRows([
    [0, Math.log(2)],
    [Math.log(3), 0],
  ]);
  const t = fromRows([
    [0, 1],
    [0.5, 0.5],
  ]);
  const total = -Math.log(2 / 3) - 0.5 * (Math.log(3 / 4) + Math.log(1 / 4));
  const grad = [1 / 3, 2 / 3 - 1, 3 / 4 - 0.5, 1 / 4 - 0.5]; // s − t

  it.each(divisors.slice(0, 2))('with reduction %s divides Σ_i −Σ_j t log s by %d and has gradient (s − t)/div', (reduction, div) => {
    const r = lossForward({ op: 'softmax-cross-entropy', reduction }, logits, t);
    near(r.value, total / div);
    expectClose(r.grad.data, grad.map((g) => g / div));
  });

  it('rejects the mean reduction, which has no meaning for a per-row loss', () => {
    expect(LOSS_REDUCTIONS['softmax-cross-entropy']).not.toContain('mean');
    expect(() => lossForward({ op: 'softmax-cross-entropy', reduction: 'mean' }, logits, t)).toThrow(RangeError);
    expect(() => lossForward({ op: 'softmax-cross-entropy', reduction: 'mean' }, logits, t)).toThrow(/mean/);
  });

  it('stays finite for huge logits', () => {
    const r = lossForward({ op: 'softmax-cross-entropy', reduction: 'sum' }, fromRows([[1000, 1000 + Math.log(2)]]), fromRows([[1, 0]]));
    near(r.value, Math.log(3), 1e-12);
  });
});

describe('loss argument checks', () => {
  it('rejects predictions and targets of different shapes', () => {
    expect(() => lossForward({ op: 'squared-error', reduction: 'sum' }, fromRows([[1, 2]]), fromRows([[1], [2]]))).toThrow(RangeError);
  });
});

function params(): Params {
  return new Map([
    ['w', tensor([3], [1, -2, 3])],
    ['v', fromRows([[0, 0.5]])],
  ]);
}

function grads(): Params {
  // non-zero starting gradients: penalties must add, not overwrite
  return new Map([
    ['w', tensor([3], [10, 10, 10])],
    ['v', fromRows([[10, 10]])],
  ]);
}

describe('parameter penalties', () => {
  it('l2 is α/2·‖w‖² with gradient α·w added to the existing gradient', () => {
    const g = grads();
    const value = paramPenalty({ op: 'l2', alpha: 0.5, params: ['w'] }, params(), g);
    near(value, 0.25 * 14);
    expectClose(g.get('w')!.data, [10.5, 9, 11.5]);
    expectClose(g.get('v')!.data, [10, 10]); // not named, not touched
  });

  it('l2-lambda is λ‖θ‖² with gradient 2λ·θ', () => {
    const g = grads();
    const value = paramPenalty({ op: 'l2-lambda', lambda: 0.1, params: ['w', 'v'] }, params(), g);
    near(value, 0.1 * (14 + 0.25));
    expectClose(g.get('w')!.data, [10.2, 9.6, 10.6]);
    expectClose(g.get('v')!.data, [10, 10.1]);
  });

  it('l1 is α·Σ|w| with subgradient α·sign(w), zero at zero', () => {
    const g = grads();
    const value = paramPenalty({ op: 'l1', alpha: 0.3, params: ['w', 'v'] }, params(), g);
    near(value, 0.3 * (6 + 0.5));
    expectClose(g.get('w')!.data, [10.3, 9.7, 10.3]);
    expectClose(g.get('v')!.data, [10, 10.3]);
  });

  it('rejects a penalty on an unknown parameter', () => {
    expect(() => paramPenalty({ op: 'l2', alpha: 1, params: ['nope'] }, params(), grads())).toThrow(/nope/);
  });

  it('tells activation penalties from parameter penalties', () => {
    expect(isActivationPenalty({ op: 'kl-sparsity', rho: 0.1, beta: 1, at: 0 })).toBe(true);
    expect(isActivationPenalty({ op: 'l1-activity', alpha: 1, at: 0, reduction: 'sum' })).toBe(true);
    expect(isActivationPenalty({ op: 'l2', alpha: 1, params: [] })).toBe(false);
  });
});

describe('activation penalties', () => {
  it('kl-sparsity is β·Σ_j KL(ρ‖ρ̂_j) with ρ̂ the column means, gradient β/m·(−ρ/ρ̂ + (1−ρ)/(1−ρ̂))', () => {
    const h = fromRows([
      [0.2, 0.5],
      [0.4, 0.5],
    ]);
    const rho = 0.1;
    const beta = 2;
    // ρ̂ = [0.3, 0.5]
    const kl = (r: number): number => rho * Math.log(rho / r) + (1 - rho) * Math.log((1 - rho) / (1 - r));
    const r = activationPenalty({ op: 'kl-sparsity', rho, beta, at: 0 }, h);
    near(r.value, beta * (kl(0.3) + kl(0.5)));
    const d = (rh: number): number => (beta / 2) * (-rho / rh + (1 - rho) / (1 - rh));
    expectClose(r.grad.data, [d(0.3), d(0.5), d(0.3), d(0.5)]);
    near(bernoulliKl(rho, 0.3), kl(0.3));
    expect(bernoulliKl(0.25, 0.25)).toBe(0);
  });

  it('kl-sparsity throws a RangeError naming ρ̂ when a mean activation is 0 or 1 or beyond', () => {
    const p = { op: 'kl-sparsity', rho: 0.1, beta: 1, at: 2 } as const;
    expect(() => activationPenalty(p, fromRows([[0.5, 0], [0.5, 0]]))).toThrow(RangeError);
    expect(() => activationPenalty(p, fromRows([[0.5, 0], [0.5, 0]]))).toThrow(/ρ̂/);
    expect(() => activationPenalty(p, fromRows([[1, 0.5], [1, 0.5]]))).toThrow(/ρ̂/);
    expect(() => activationPenalty(p, fromRows([[1.5, 0.5], [0.7, 0.5]]))).toThrow(/ρ̂/);
  });

  const h = fromRows([
    [1, -2],
    [0, 3],
  ]);
  it.each([
    ['sum', 1],
    ['batch-mean', 2],
  ] as const)('l1-activity with reduction %s is α·Σ|h| / %d with gradient α·sign(h) divided likewise', (reduction, div) => {
    const r = activationPenalty({ op: 'l1-activity', alpha: 0.5, at: 0, reduction }, h);
    near(r.value, (0.5 * 6) / div);
    expectClose(r.grad.data, [0.5, -0.5, 0, 0.5].map((v) => v / div));
  });
});
