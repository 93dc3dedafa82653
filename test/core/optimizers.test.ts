import { describe, expect, it } from 'vitest';
import { adagrad, adam, momentum, nesterov, rmsprop, sgd, tensor, type Optimizer, type Params } from '../../src/core/index.js';

function near(got: number, want: number, tol = 1e-14): void {
  expect(Math.abs(got - want), `got ${got}, want ${want}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want)));
}

function expectClose(got: ArrayLike<number>, want: readonly number[], tol = 1e-14): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) near(got[i]!, want[i]!, tol);
}

const w0 = [1, -2];
const g1 = [0.5, -3];
const g2 = [-1, 2];

/** Two steps of an optimiser on a 2-entry parameter with the given gradients, returning w after each step. */
function twoSteps(opt: Optimizer, shape: number[] = [2]): [number[], number[]] {
  const params: Params = new Map([['w', tensor(shape, w0)]]);
  const w = params.get('w')!.data;
  opt.step(params, new Map([['w', tensor(shape, g1)]]));
  const after1 = Array.from(w);
  opt.step(params, new Map([['w', tensor(shape, g2)]]));
  return [after1, Array.from(w)];
}

describe('one and two steps of each optimiser match its update rule worked by hand', () => {
  const lr = 0.1;

  it('sgd: w ← w − ε·g', () => {
    const [a, b] = twoSteps(sgd({ lr }));
    const e1 = w0.map((w, i) => w - lr * g1[i]!);
    expectClose(a, e1);
    expectClose(b, e1.map((w, i) => w - lr * g2[i]!));
  });

  it('momentum: v ← μ·v − ε·g; w ← w + v', () => {
    const mu = 0.9;
    const [a, b] = twoSteps(momentum({ lr, momentum: mu }));
    const v1 = g1.map((g) => -lr * g);
    const e1 = w0.map((w, i) => w + v1[i]!);
    expectClose(a, e1);
    const v2 = v1.map((v, i) => mu * v - lr * g2[i]!);
    expectClose(b, e1.map((w, i) => w + v2[i]!));
  });

  it('nesterov: v′ ← μ·v − ε·g; w ← w + v′ + μ·(v′ − v)  (= PyTorch’s nesterov SGD)', () => {
    const mu = 0.8;
    const [a, b] = twoSteps(nesterov({ lr, momentum: mu }));
    // PyTorch: buf ← μ·buf + g;  w ← w − ε·(g + μ·buf)
    const buf1 = g1.slice();
    const e1 = w0.map((w, i) => w - lr * (g1[i]! + mu * buf1[i]!));
    expectClose(a, e1);
    const buf2 = buf1.map((v, i) => mu * v + g2[i]!);
    expectClose(b, e1.map((w, i) => w - lr * (g2[i]! + mu * buf2[i]!)));
  });

  it('adagrad: r ← r + g²; w ← w − ε·g/(√r + δ)', () => {
    const eps = 1e-10;
    const [a, b] = twoSteps(adagrad({ lr }));
    const r1 = g1.map((g) => g * g);
    // first step: every entry moves by exactly ε·sign(g) (up to δ)
    const e1 = w0.map((w, i) => w - (lr * g1[i]!) / (Math.sqrt(r1[i]!) + eps));
    expectClose(a, e1);
    expectClose(a, [1 - lr, -2 + lr], 1e-9);
    const r2 = r1.map((r, i) => r + g2[i]! * g2[i]!);
    expectClose(b, e1.map((w, i) => w - (lr * g2[i]!) / (Math.sqrt(r2[i]!) + eps)));
  });

  it('rmsprop: r ← ρ·r + (1 − ρ)·g²; w ← w − ε·g/(√r + δ)', () => {
    const rho = 0.9;
    const eps = 1e-8;
    const [a, b] = twoSteps(rmsprop({ lr, rho }));
    const r1 = g1.map((g) => (1 - rho) * g * g);
    const e1 = w0.map((w, i) => w - (lr * g1[i]!) / (Math.sqrt(r1[i]!) + eps));
    expectClose(a, e1);
    const r2 = r1.map((r, i) => rho * r + (1 - rho) * g2[i]! * g2[i]!);
    expectClose(b, e1.map((w, i) => w - (lr * g2[i]!) / (Math.sqrt(r2[i]!) + eps)));
  });

  it('adam: bias-corrected first and second moments, w ← w − ε·m̂/(√v̂ + δ)', () => {
    const b1 = 0.9;
    const b2 = 0.999;
    const eps = 1e-8;
    const [a, b] = twoSteps(adam({ lr }));
    const m1 = g1.map((g) => (1 - b1) * g);
    const v1 = g1.map((g) => (1 - b2) * g * g);
    const e1 = w0.map((w, i) => w - (lr * (m1[i]! / (1 - b1))) / (Math.sqrt(v1[i]! / (1 - b2)) + eps));
    expectClose(a, e1);
    // the bias correction makes the first step ε·sign(g) (up to δ/|g|)
    expectClose(a, [1 - lr, -2 + lr], 1e-7);
    const m2 = m1.map((m, i) => b1 * m + (1 - b1) * g2[i]!);
    const v2 = v1.map((v, i) => b2 * v + (1 - b2) * g2[i]! * g2[i]!);
    const c1 = 1 - b1 ** 2;
    const c2 = 1 - b2 ** 2;
    expectClose(b, e1.map((w, i) => w - (lr * (m2[i]! / c1)) / (Math.sqrt(v2[i]! / c2) + eps)));
  });

  it('adam with decoupled weight decay (AdamW): w ← (1 − ε·λ)·w, then the Adam step on the raw gradient', () => {
    const wd = 0.5;
    const opt = adam({ lr, weightDecay: wd, decoupled: true, decay: ['w'] });
    expect(opt.name).toBe('adamw');
    const [a, b] = twoSteps(opt);
    const b1 = 0.9;
    const b2 = 0.999;
    const eps = 1e-8;
    const m1 = g1.map((g) => (1 - b1) * g);
    const v1 = g1.map((g) => (1 - b2) * g * g);
    const e1 = w0.map((w, i) => (1 - lr * wd) * w - (lr * (m1[i]! / (1 - b1))) / (Math.sqrt(v1[i]! / (1 - b2)) + eps));
    expectClose(a, e1);
    const m2 = m1.map((m, i) => b1 * m + (1 - b1) * g2[i]!);
    const v2 = v1.map((v, i) => b2 * v + (1 - b2) * g2[i]! * g2[i]!);
    expectClose(b, e1.map((w, i) => (1 - lr * wd) * w - (lr * (m2[i]! / (1 - b1 ** 2))) / (Math.sqrt(v2[i]! / (1 - b2 ** 2)) + eps)));
  });

  it('coupled weight decay adds λ·w to the gradient before the rule', () => {
    const wd = 0.5;
    const [a] = twoSteps(sgd({ lr, weightDecay: wd, decay: ['w'] }));
    expectClose(a, w0.map((w, i) => w - lr * (g1[i]! + wd * w)));
  });

  it('decays matrices but not vectors by default', () => {
    const wd = 0.5;
    const [vec] = twoSteps(sgd({ lr, weightDecay: wd }), [2]);
    expectClose(vec, w0.map((w, i) => w - lr * g1[i]!));
    const [mat] = twoSteps(sgd({ lr, weightDecay: wd }), [1, 2]);
    expectClose(mat, w0.map((w, i) => w - lr * (g1[i]! + wd * w)));
    const [matW] = twoSteps(adam({ lr, weightDecay: wd, decoupled: true }), [1, 2]);
    const [vecW] = twoSteps(adam({ lr, weightDecay: wd, decoupled: true }), [2]);
    const [plain] = twoSteps(adam({ lr }), [2]);
    expectClose(vecW, plain);
    expect(matW).not.toEqual(plain);
  });

  it('reset forgets the state so the next step is a first step again', () => {
    const opt = momentum({ lr, momentum: 0.9 });
    twoSteps(opt);
    opt.reset();
    const [a] = twoSteps(opt);
    expectClose(a, w0.map((w, i) => w - lr * g1[i]!));
  });

  it('rejects a missing gradient, a gradient of the wrong size and a non-positive learning rate', () => {
    const params: Params = new Map([['w', tensor([2], w0)]]);
    expect(() => sgd({ lr }).step(params, new Map())).toThrow(/w/);
    expect(() => sgd({ lr }).step(params, new Map([['w', tensor([3], [1, 2, 3])]]))).toThrow(RangeError);
    expect(() => sgd({ lr: 0 })).toThrow(RangeError);
    expect(() => adam({ lr: -1 })).toThrow(RangeError);
    expect(() => rmsprop({ lr, rho: 1 })).toThrow(RangeError);
  });
});

describe('every optimiser decreases a convex quadratic', () => {
  // f(w) = ½ wᵀ A w − bᵀ w with A = [[3, 1], [1, 2]] (positive definite); ∇f = A w − b
  const A = [
    [3, 1],
    [1, 2],
  ];
  const bv = [1, -1];
  const f = (w: Float64Array): number =>
    0.5 * (w[0]! * (A[0]![0]! * w[0]! + A[0]![1]! * w[1]!) + w[1]! * (A[1]![0]! * w[0]! + A[1]![1]! * w[1]!)) - bv[0]! * w[0]! - bv[1]! * w[1]!;
  const grad = (w: Float64Array): Float64Array =>
    Float64Array.from([A[0]![0]! * w[0]! + A[0]![1]! * w[1]! - bv[0]!, A[1]![0]! * w[0]! + A[1]![1]! * w[1]! - bv[1]!]);
  // minimiser A⁻¹ b = [3/5, −4/5], minimum −½ bᵀ A⁻¹ b = −7/10
  const fmin = -0.7;

  const optimisers: [string, () => Optimizer][] = [
    ['sgd', () => sgd({ lr: 0.1 })],
    ['momentum', () => momentum({ lr: 0.05, momentum: 0.9 })],
    ['nesterov', () => nesterov({ lr: 0.05, momentum: 0.9 })],
    ['adagrad', () => adagrad({ lr: 0.5 })],
    ['rmsprop', () => rmsprop({ lr: 0.05 })],
    ['adam', () => adam({ lr: 0.05 })],
    ['adamw', () => adam({ lr: 0.05, weightDecay: 0.01, decoupled: true, decay: ['w'] })],
  ];
  it.each(optimisers)('%s', (_name, make) => {
    const opt = make();
    const params: Params = new Map([['w', tensor([2], [4, 3])]]);
    const w = params.get('w')!.data;
    const gap0 = f(w) - fmin;
    for (let k = 0; k < 300; k++) opt.step(params, new Map([['w', tensor([2], grad(w))]]));
    const gap = f(w) - fmin;
    expect(gap).toBeLessThan(1e-2 * gap0);
    expect(Math.hypot(w[0]! - 0.6, w[1]! + 0.8)).toBeLessThan(0.15);
  });
});
