import { describe, expect, it } from 'vitest';
import { activation, activationPenalty, autoencoder, batchNorm, dense, dropout, evaluate, leakyRelu, lossForward, mlp, paramPenalty, Rng, softmax, tensor, zeroGrads, type ActivationPenalty, type Env, type LossSpec, type Model, type Op, type ParamPenalty, type Params } from '../../src/core/index.js';
import { type Tensor } from '../../src/index.js';

// ---------------------------------------------------------------- helpers

const STEP = 1e-6;
const RTOL = 1e-6;

/** Central finite differences of f with respect to every entry of `data` (perturbed in place). */
function finiteDiff(f: () => number, data: Float64Array, h = STEP): Float64Array {
  const g = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const old = data[i]!;
    data[i] = old + h;
    const fp = f();
    data[i] = old - h;
    const fm = f();
    data[i] = old;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

function expectGradsClose(analytic: ArrayLike<number>, numeric: ArrayLike<number>, what: string, rtol = RTOL): void {
  expect(analytic.length, what).toBe(numeric.length);
  for (let i = 0; i < numeric.length; i++) {
    const a = analytic[i]!;
    const n = numeric[i]!;
    const tol = rtol * Math.max(1, Math.abs(a), Math.abs(n));
    expect(Math.abs(a - n), `${what}[${i}]: analytic ${a}, numeric ${n}`).toBeLessThanOrEqual(tol);
  }
}

function randn(rng: Rng, shape: number[], scale = 1, shift = 0): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(shape, Array.from(rng.normals(n, scale), (v) => v + shift));
}

function randu(rng: Rng, shape: number[], lo: number, hi: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(shape, Array.from({ length: n }, () => rng.range(lo, hi)));
}

function dot(a: Tensor, b: Tensor): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i]! * b.data[i]!;
  return s;
}

function mkEnv(params: Params, training = true, seed = 0): Env {
  return { params, grads: zeroGrads(params), training, trackStats: false, rng: new Rng(seed) };
}

/**
 * Checks one op's backward against finite differences of L = Σ R ⊙ op(X),
 * for the input and for every parameter.
 */
function checkOp(op: Op, x: Tensor, params: Params = new Map(), opts: { training?: boolean; seed?: number } = {}): void {
  const training = opts.training ?? true;
  const seed = opts.seed ?? 0;
  const env = mkEnv(params, training, seed);
  const step = op.forward(x, env);
  const r = randn(new Rng(99), [...step.y.shape]);
  const dx = step.backward(r);
  const L = (): number => dot(op.forward(x, mkEnv(params, training, seed)).y, r);
  expectGradsClose(dx.data, finiteDiff(L, x.data), `${op.kind} dX`);
  for (const name of op.paramNames) {
    expectGradsClose(env.grads.get(name)!.data, finiteDiff(L, params.get(name)!.data), `${op.kind} d${name}`);
  }
}

/** Checks every parameter gradient of a model's objective against finite differences. */
function checkModel(model: Model, x: Tensor, t: Tensor, skip: string[] = []): Params {
  const { grads } = evaluate(model, x, t);
  const J = (): number => evaluate(model, x, t, { backward: false }).objective;
  for (const [name, p] of model.params) {
    if (skip.includes(name)) continue;
    expectGradsClose(grads.get(name)!.data, finiteDiff(J, p.data), `d${name}`);
  }
  return grads;
}

// ---------------------------------------------------------------- ops

describe('op backward passes agree with central finite differences', () => {
  const rng = new Rng(1);
  const x = randn(rng, [4, 3]);
  // inputs kept away from the kink at 0 for relu and leaky-relu
  const awayFromZero = tensor([4, 3], Array.from(randn(rng, [4, 3]).data, (v) => (v >= 0 ? v + 0.1 : v - 0.1)));

  it.each(['sigmoid', 'tanh', 'softplus', 'identity'] as const)('for %s', (name) => {
    checkOp(activation(name), x);
  });

  it('for relu away from the kink', () => {
    checkOp(activation('relu'), awayFromZero);
  });

  it('for leaky-relu with slope 0.2 away from the kink', () => {
    checkOp(leakyRelu(0.2), awayFromZero);
  });

  it('for row softmax', () => {
    checkOp(softmax(), randn(rng, [3, 5], 2));
  });

  it('for dense with bias', () => {
    const p: Params = new Map([
      ['W', randn(rng, [3, 5])],
      ['b', randn(rng, [5])],
    ]);
    checkOp(dense({ weight: 'W', bias: 'b' }), x, p);
  });

  it('for dense without bias', () => {
    checkOp(dense({ weight: 'W' }), x, new Map([['W', randn(rng, [3, 2])]]));
  });

  it('for dense with a transposed weight', () => {
    const p: Params = new Map([
      ['W', randn(rng, [5, 3])],
      ['b', randn(rng, [5])],
    ]);
    checkOp(dense({ weight: 'W', bias: 'b', transpose: true }), x, p);
  });

  it('for batch norm in training mode (through the batch statistics)', () => {
    const p: Params = new Map([
      ['g', randn(rng, [3], 0.5, 1)],
      ['b', randn(rng, [3])],
    ]);
    checkOp(batchNorm({ gamma: 'g', beta: 'b', eps: 1e-3 }), randn(rng, [6, 3], 2, 1), p);
  });

  it('for batch norm in inference mode after a tracked training pass', () => {
    const p: Params = new Map([
      ['g', randn(rng, [3], 0.5, 1)],
      ['b', randn(rng, [3])],
    ]);
    const bn = batchNorm({ gamma: 'g', beta: 'b' });
    bn.forward(randn(rng, [8, 3], 3, 2), { ...mkEnv(p), trackStats: true });
    expect(bn.runningMean).toBeDefined();
    checkOp(bn, randn(rng, [5, 3]), p, { training: false });
  });

  it('for dropout with a fixed mask', () => {
    const mask = tensor([4, 3], [1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1]);
    checkOp(dropout({ keep: 0.7, mask }), x);
  });

  it('for dropout with a seeded random mask', () => {
    checkOp(dropout({ keep: 0.6 }), randn(rng, [5, 4]), new Map(), { seed: 3 });
  });

  it('for dropout in inference mode', () => {
    checkOp(dropout({ keep: 0.6 }), x, new Map(), { training: false });
  });
});

// ---------------------------------------------------------------- losses

describe('loss gradients agree with central finite differences', () => {
  const rng = new Rng(2);
  const cases: [LossSpec, Tensor, Tensor][] = [];
  for (const reduction of ['sum', 'batch-mean', 'mean'] as const) {
    cases.push([{ op: 'squared-error', reduction }, randn(rng, [3, 4]), randn(rng, [3, 4])]);
    cases.push([{ op: 'binary-cross-entropy', reduction }, randu(rng, [3, 4], 0.05, 0.95), randu(rng, [3, 4], 0, 1)]);
  }
  for (const reduction of ['sum', 'batch-mean'] as const) {
    // soft targets whose rows sum to 1
    const raw = randu(rng, [3, 4], 0.1, 1);
    for (let i = 0; i < 3; i++) {
      let s = 0;
      for (let j = 0; j < 4; j++) s += raw.data[i * 4 + j]!;
      for (let j = 0; j < 4; j++) raw.data[i * 4 + j]! /= s;
    }
    cases.push([{ op: 'softmax-cross-entropy', reduction }, randn(rng, [3, 4], 2), raw]);
  }
  it.each(cases.map((c) => [c[0].op, c[0].reduction, c] as const))('for %s with reduction %s', (_op, _red, [spec, yhat, t]) => {
    const g = lossForward(spec, yhat, t).grad;
    expectGradsClose(g.data, finiteDiff(() => lossForward(spec, yhat, t).value, yhat.data), `${spec.op} dŶ`);
  });

  it('for softmax cross-entropy even when target rows do not sum to 1', () => {
    const yhat = randn(rng, [2, 3]);
    const t = tensor([2, 3], [0.5, 0.2, 0.9, 2, 0, 0]);
    const spec: LossSpec = { op: 'softmax-cross-entropy', reduction: 'sum' };
    expectGradsClose(lossForward(spec, yhat, t).grad.data, finiteDiff(() => lossForward(spec, yhat, t).value, yhat.data), 'dŶ');
  });
});

// ---------------------------------------------------------------- penalties

describe('penalty gradients agree with central finite differences', () => {
  const rng = new Rng(3);
  const paramCases: ParamPenalty[] = [
    { op: 'l2', alpha: 0.3, params: ['A', 'c'] },
    { op: 'l2-lambda', lambda: 0.7, params: ['A'] },
    { op: 'l1', alpha: 0.4, params: ['A', 'c'] },
  ];
  it.each(paramCases.map((p) => [p.op, p] as const))('for the %s parameter penalty', (_name, pen) => {
    const params: Params = new Map([
      ['A', tensor([2, 3], [0.5, -1.2, 2, -0.3, 0.8, -2.5])],
      ['c', tensor([2], [1.5, -0.7])],
    ]);
    const grads = zeroGrads(params);
    paramPenalty(pen, params, grads);
    for (const name of ['A', 'c']) {
      const f = (): number => paramPenalty(pen, params, zeroGrads(params));
      const numeric = finiteDiff(f, params.get(name)!.data);
      expectGradsClose(grads.get(name)!.data, numeric, `${pen.op} d${name}`);
    }
    // a name the penalty does not list gets no gradient
    if (!pen.params.includes('c')) expect(Array.from(grads.get('c')!.data)).toEqual([0, 0]);
  });

  const h = randu(rng, [5, 3], 0.05, 0.95);
  const signed = tensor([5, 3], Array.from(randn(rng, [5, 3]).data, (v) => (v >= 0 ? v + 0.1 : v - 0.1)));
  const actCases: [string, ActivationPenalty, Tensor][] = [
    ['kl-sparsity', { op: 'kl-sparsity', rho: 0.1, beta: 3, at: 0 }, h],
    ['l1-activity (sum)', { op: 'l1-activity', alpha: 0.2, at: 0, reduction: 'sum' }, signed],
    ['l1-activity (batch-mean)', { op: 'l1-activity', alpha: 0.2, at: 0, reduction: 'batch-mean' }, signed],
  ];
  it.each(actCases)('for the %s activation penalty', (_name, pen, act) => {
    const g = activationPenalty(pen, act).grad;
    expectGradsClose(g.data, finiteDiff(() => activationPenalty(pen, act).value, act.data), `${pen.op} dH`);
  });
});

// ---------------------------------------------------------------- whole models

describe('model gradients agree with central finite differences', () => {
  const rng = new Rng(4);

  it('for an MLP with batch norm, seeded dropout, weight decay and softmax cross-entropy', () => {
    const model = mlp({
      sizes: [4, 5, 3],
      activation: 'tanh',
      batchNorm: true,
      dropoutKeep: 0.7,
      weightDecay: 0.1,
      loss: { op: 'softmax-cross-entropy', reduction: 'batch-mean' },
      seed: 5,
    });
    // move γ and β off their initial 1 and 0 so every term matters
    model.params.get('gamma1')!.data.set([1.2, 0.8, 1.1, 0.9, 1.3]);
    model.params.get('beta1')!.data.set([0.1, -0.2, 0.3, 0, 0.05]);
    const x = randn(rng, [6, 4]);
    const t = tensor([6, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0.5, 0.5, 0, 0, 0, 1]);
    checkModel(model, x, t);
  });

  it('for a sparse autoencoder with KL sparsity and an l1-activity penalty on the same code', () => {
    const model = autoencoder({ input: 6, hidden: [4], output: 'sigmoid', sparse: { rho: 0.1, beta: 2 }, weightDecay: 0.01, seed: 2 });
    model.penalties.push({ op: 'l1-activity', alpha: 0.05, at: 1, reduction: 'batch-mean' });
    model.loss = { op: 'binary-cross-entropy', reduction: 'mean' };
    const x = randu(rng, [7, 6], 0.05, 0.95);
    checkModel(model, x, x);
  });

  it('for a stacked tied autoencoder 6-4-2-4-6', () => {
    const model = autoencoder({ input: 6, hidden: [4, 2], tied: true, activation: 'tanh', seed: 3 });
    expect([...model.params.keys()].filter((k) => k.startsWith('V'))).toEqual([]);
    const x = randn(rng, [5, 6]);
    checkModel(model, x, x);
  });

  it('gives a tied weight the sum of its encoder and decoder gradients', () => {
    const tied = autoencoder({ input: 5, hidden: [3], tied: true, output: 'sigmoid', seed: 7 });
    tied.params.get('b1')!.data.set([0.1, -0.2, 0.3]);
    tied.params.get('c1')!.data.set([0.05, 0, -0.1, 0.2, 0.1]);
    const x = randu(rng, [6, 5], 0, 1);
    const g = checkModel(tied, x, x).get('W1')!.data;

    // The same network with the decoder reading its own copy 'Wd' of W1:
    // dJ/dW1 there is the encoder path, dJ/dWd the decoder path.
    const W1 = tied.params.get('W1')!;
    const untied: Model = {
      ops: [
        dense({ weight: 'W1', bias: 'b1' }),
        activation('sigmoid'),
        dense({ weight: 'Wd', bias: 'c1', transpose: true }),
        activation('sigmoid'),
      ],
      params: new Map([
        ['W1', tensor(W1.shape, W1.data)],
        ['b1', tied.params.get('b1')!],
        ['Wd', tensor(W1.shape, W1.data)],
        ['c1', tied.params.get('c1')!],
      ]),
      loss: tied.loss,
      penalties: [],
    };
    const u = evaluate(untied, x, x);
    near(u.objective, evaluate(tied, x, x).objective);
    const enc = u.grads.get('W1')!.data;
    const dec = u.grads.get('Wd')!.data;
    const sum = Array.from(enc, (v, i) => v + dec[i]!);
    expectGradsClose(g, sum, 'tied dW1 vs encoder + decoder', 1e-12);
    // both paths really contribute
    expect(Math.max(...Array.from(enc, Math.abs))).toBeGreaterThan(1e-3);
    expect(Math.max(...Array.from(dec, Math.abs))).toBeGreaterThan(1e-3);
  });

  it('gives the bias of a dense layer feeding batch norm a gradient of (numerically) zero', () => {
    const p: Params = new Map([
      ['W', randn(rng, [3, 4])],
      ['b', randn(rng, [4])],
      ['g', randn(rng, [4], 0.3, 1)],
      ['be', randn(rng, [4])],
      ['V', randn(rng, [4, 2])],
      ['c', randn(rng, [2])],
    ]);
    const model: Model = {
      ops: [dense({ weight: 'W', bias: 'b' }), batchNorm({ gamma: 'g', beta: 'be', eps: 1e-5 }), activation('tanh'), dense({ weight: 'V', bias: 'c' })],
      params: p,
      loss: { op: 'squared-error', reduction: 'sum' },
      penalties: [],
    };
    const x = randn(rng, [7, 3]);
    const t = randn(rng, [7, 2]);
    const grads = checkModel(model, x, t, ['b']);
    for (const v of grads.get('b')!.data) expect(Math.abs(v)).toBeLessThan(1e-12);
    // and the objective really does not depend on b
    const before = evaluate(model, x, t, { backward: false }).objective;
    p.get('b')!.data[0]! += 0.5;
    near(evaluate(model, x, t, { backward: false }).objective, before, 1e-12);
  });

  it('leaves all gradients at zero after a forward-only evaluation, penalties included', () => {
    const model = mlp({ sizes: [3, 4, 2], weightDecay: 0.5, seed: 1 });
    const x = randn(rng, [4, 3]);
    const t = randn(rng, [4, 2]);
    const r = evaluate(model, x, t, { backward: false });
    expect(r.penalties[0]).toBeGreaterThan(0);
    for (const g of r.grads.values()) for (const v of g.data) expect(v).toBe(0);
  });
});

function near(got: number, want: number, tol = 1e-13): void {
  expect(Math.abs(got - want), `got ${got}, want ${want}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want)));
}
