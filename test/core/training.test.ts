import { describe, expect, it } from 'vitest';
import { Matrix, inverse, solve } from 'ml-matrix';
import { adam, autoencoder, cloneParams, denoisingAutoencoder, evaluate, fromRows, linearRegression, matmul, mlp, Rng, sgd, tensor, toRows, train, type Params } from '../../src/core/index.js';
import { type Tensor } from '../../src/index.js';

function randn(rng: Rng, rows: number, cols: number, std = 1): Tensor {
  return tensor([rows, cols], rng.normals(rows * cols, std));
}

function paramsAsArrays(p: Params): Record<string, number[]> {
  return Object.fromEntries([...p].map(([k, v]) => [k, Array.from(v.data)]));
}

/** The least-squares solution of [X, 1]·[w; b] ≈ y, by ml-matrix, in two independent ways. */
function normalEquationSolution(x: Tensor, y: Tensor): number[] {
  const rows = toRows(x).map((r) => [...r, 1]);
  const A = new Matrix(rows);
  const Y = Matrix.columnVector(Array.from(y.data));
  const viaInverse = inverse(A.transpose().mmul(A)).mmul(A.transpose()).mmul(Y).to1DArray();
  const viaSolve = solve(A, Y).to1DArray();
  viaInverse.forEach((v, i) => expect(Math.abs(v - viaSolve[i]!)).toBeLessThan(1e-10));
  return viaSolve;
}

function expectCoefficients(model: { params: Params }, want: number[], tol: number): void {
  const got = [...model.params.get('W')!.data, ...model.params.get('b')!.data];
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!), `coefficient ${i}: got ${g}, want ${want[i]}`).toBeLessThan(tol));
}

describe('linear regression reaches the normal-equation solution', () => {
  // Exactly realisable targets y = X·w + b: every example is fitted at the optimum,
  // so SGD with a constant learning rate converges to it (no noise floor).
  const rng = new Rng(21);
  const m = 40;
  const x = randn(rng, m, 3);
  const wTrue = fromRows([[1.5], [-2], [0.5]]);
  const bTrue = 0.7;
  const y = matmul(x, wTrue);
  for (let i = 0; i < m; i++) y.data[i]! += bTrue;
  const solution = normalEquationSolution(x, y);

  it('agrees with the coefficients that generated exactly realisable data', () => {
    expect(solution.map((v) => Number(v.toFixed(9)))).toEqual([1.5, -2, 0.5, 0.7]);
  });

  it('with SGD, one example per step', () => {
    const model = linearRegression({ inputs: 3, seed: 1 });
    const before = evaluate(model, x, y, { backward: false }).objective;
    const r = train(model, x, y, { optimizer: sgd({ lr: 0.02 }), epochs: 150, batchSize: 1, seed: 3 });
    expect(r.history).toHaveLength(150);
    expect(r.history[149]!.trainObjective).toBeLessThan(1e-12 * before);
    expectCoefficients(model, solution, 1e-6);
  });

  it('with mini-batch SGD, eight examples per step', () => {
    const model = linearRegression({ inputs: 3, seed: 2 });
    train(model, x, y, { optimizer: sgd({ lr: 0.1 }), epochs: 300, batchSize: 8, seed: 4 });
    expectCoefficients(model, solution, 1e-6);
  });

  it('with full-batch gradient descent on noisy targets, where the fit is the least-squares one', () => {
    const noisy = tensor([m, 1], Array.from(y.data, (v) => v + 0.3 * rng.normal()));
    const ls = normalEquationSolution(x, noisy);
    // the noise really moves the solution away from the generating coefficients
    expect(Math.max(...ls.map((v, i) => Math.abs(v - [1.5, -2, 0.5, 0.7][i]!)))).toBeGreaterThan(1e-3);
    const model = linearRegression({ inputs: 3, seed: 3 });
    train(model, x, noisy, { optimizer: sgd({ lr: 0.1 }), epochs: 600, shuffle: false });
    expectCoefficients(model, ls, 1e-6);
  });
});

describe('autoencoder training', () => {
  it('lowers an 8-3-8 sigmoid autoencoder’s objective below half its initial value on data from a 3-dim subspace', () => {
    const rng = new Rng(8);
    const z = randn(rng, 64, 3);
    const basis = randn(rng, 3, 8, 0.5);
    const x = matmul(z, basis);
    const model = autoencoder({ input: 8, hidden: [3], seed: 1 });
    const before = evaluate(model, x, x, { backward: false }).objective;
    const r = train(model, x, x, { optimizer: adam({ lr: 0.01 }), epochs: 150, batchSize: 16, seed: 2 });
    const after = evaluate(model, x, x, { backward: false }).objective;
    expect(before).toBeGreaterThan(0.1);
    expect(after).toBeLessThan(0.5 * before);
    expect(r.history[r.history.length - 1]!.trainObjective).toBeLessThan(r.history[0]!.trainObjective);
  });
});

describe('early stopping', () => {
  // One input; training pulls ŷ towards 2x + 1, the validation targets are y = x.
  // Starting from W = −1, the fit sweeps through the validation optimum and past it.
  const x = fromRows([[1], [2], [-1]]);
  const t = fromRows([[3], [5], [-1]]);
  const validation = { x: fromRows([[1], [2], [0.5]]), t: fromRows([[1], [2], [0.5]]) };

  function setup() {
    const model = linearRegression({ inputs: 1 });
    model.params.get('W')!.data[0] = -1;
    model.params.get('b')!.data[0] = 0;
    const snapshots: Params[] = [];
    return { model, snapshots, onEpoch: () => snapshots.push(cloneParams(model.params)) };
  }

  it('restores the parameters of the best validation epoch and stops patience epochs after it', () => {
    const { model, snapshots, onEpoch } = setup();
    const patience = 4;
    const r = train(model, x, t, { optimizer: sgd({ lr: 0.02 }), epochs: 500, validation, patience, shuffle: false, onEpoch });
    const vals = r.history.map((h) => h.validationObjective!);
    const best = Math.min(...vals);
    // the situation the test is about: validation got better, then worse
    expect(r.bestEpoch).toBeGreaterThan(1);
    expect(vals[vals.length - 1]).toBeGreaterThan(best);
    expect(r.stoppedEarly).toBe(true);
    expect(r.history).toHaveLength(r.bestEpoch + patience);
    expect(r.bestValidation).toBe(best);
    expect(vals[r.bestEpoch - 1]).toBe(best);
    expect(r.history.map((h) => h.epoch)).toEqual(vals.map((_, i) => i + 1));
    // the model holds the snapshot of the best epoch, not of the last one
    expect(paramsAsArrays(model.params)).toEqual(paramsAsArrays(snapshots[r.bestEpoch - 1]!));
    expect(paramsAsArrays(model.params)).not.toEqual(paramsAsArrays(snapshots[snapshots.length - 1]!));
    expect(evaluate(model, validation.x, validation.t, { training: false, backward: false }).objective).toBe(best);
  });

  it('without patience runs every epoch but still ends on the best validation epoch', () => {
    const { model, snapshots, onEpoch } = setup();
    const r = train(model, x, t, { optimizer: sgd({ lr: 0.02 }), epochs: 120, validation, shuffle: false, onEpoch });
    expect(r.history).toHaveLength(120);
    expect(r.stoppedEarly).toBe(false);
    const vals = r.history.map((h) => h.validationObjective!);
    expect(r.bestValidation).toBe(Math.min(...vals));
    expect(r.bestEpoch).toBeLessThan(120);
    expect(paramsAsArrays(model.params)).toEqual(paramsAsArrays(snapshots[r.bestEpoch - 1]!));
  });

  it('leaves a batch-norm model whose validation objective is bestValidation (running statistics restored with the parameters)', () => {
    const rng = new Rng(30);
    const xt = randn(rng, 12, 2);
    const tt = randn(rng, 12, 1);
    const val = { x: randn(rng, 12, 2), t: randn(rng, 12, 1) };
    const model = mlp({ sizes: [2, 24, 1], activation: 'tanh', batchNorm: true, seed: 4 });
    const r = train(model, xt, tt, { optimizer: adam({ lr: 0.05 }), epochs: 300, batchSize: 4, validation: val, patience: 5, seed: 1 });
    expect(r.stoppedEarly).toBe(true);
    const now = evaluate(model, val.x, val.t, { training: false, backward: false }).objective;
    expect(Math.abs(now - r.bestValidation!)).toBeLessThanOrEqual(1e-12 * Math.max(1, r.bestValidation!));
  });

  it('refuses patience without validation data', () => {
    const model = linearRegression({ inputs: 1 });
    expect(() => train(model, x, t, { optimizer: sgd({ lr: 0.1 }), epochs: 3, patience: 2 })).toThrow(RangeError);
  });
});

describe('train argument checks', () => {
  const model = linearRegression({ inputs: 1 });
  const x = fromRows([[1], [2]]);
  it('rejects a non-positive number of epochs or batch size and mismatched rows', () => {
    expect(() => train(model, x, fromRows([[1], [2]]), { optimizer: sgd({ lr: 0.1 }), epochs: 0 })).toThrow(RangeError);
    expect(() => train(model, x, fromRows([[1], [2]]), { optimizer: sgd({ lr: 0.1 }), epochs: 1, batchSize: 0 })).toThrow(RangeError);
    expect(() => train(model, x, fromRows([[1]]), { optimizer: sgd({ lr: 0.1 }), epochs: 1 })).toThrow(RangeError);
  });
});

describe('denoising autoencoder training', () => {
  const rng = new Rng(12);
  const x = tensor([20, 6], Array.from({ length: 120 }, () => rng.uniform()));

  function run(seed: number, noise: { kind: 'gaussian'; std: number } | { kind: 'mask'; drop: number }, useCorrupt = true) {
    const dae = denoisingAutoencoder({ input: 6, hidden: [4], output: 'sigmoid', noise, seed: 5 });
    const r = train(dae.model, x, x, {
      optimizer: adam({ lr: 0.01 }),
      epochs: 5,
      batchSize: 5,
      seed,
      ...(useCorrupt ? { corrupt: dae.corrupt } : {}),
    });
    return { params: paramsAsArrays(dae.model.params), history: r.history };
  }

  it.each([
    ['gaussian noise', { kind: 'gaussian', std: 0.2 } as const],
    ['masking noise', { kind: 'mask', drop: 0.3 } as const],
  ])('is reproducible with the same seed and differs with another seed, with %s', (_name, noise) => {
    const a = run(7, noise);
    const b = run(7, noise);
    const c = run(8, noise);
    expect(a.params).toEqual(b.params);
    expect(a.history).toEqual(b.history);
    expect(a.params).not.toEqual(c.params);
    // and the corruption really changes what the model learns
    expect(a.params).not.toEqual(run(7, noise, false).params);
  });

  it('corrupts the input batch only, training against the clean batch', () => {
    const dae = denoisingAutoencoder({ input: 6, hidden: [4], noise: { kind: 'gaussian', std: 0.2 }, seed: 5 });
    const seen: Tensor[] = [];
    const zeroInput = (xb: Tensor): Tensor => {
      seen.push(xb);
      return tensor(xb.shape, new Array(xb.data.length).fill(0));
    };
    const r = train(dae.model, x, x, { optimizer: sgd({ lr: 0.01 }), epochs: 1, shuffle: false, corrupt: zeroInput });
    expect(seen).toHaveLength(1);
    expect(Array.from(seen[0]!.data)).toEqual(Array.from(x.data)); // the clean batch is what gets corrupted
    // the step was taken on (zero input → clean target), so the objective recorded is that one
    const fresh = denoisingAutoencoder({ input: 6, hidden: [4], noise: { kind: 'gaussian', std: 0.2 }, seed: 5 });
    const zeros = tensor(x.shape, new Array(x.data.length).fill(0));
    expect(r.history[0]!.trainObjective).toBe(evaluate(fresh.model, zeros, x, { backward: false }).objective);
  });

  it('draws Gaussian noise with the requested spread and masks about the requested fraction', () => {
    const dae = denoisingAutoencoder({ input: 6, hidden: [4], noise: { kind: 'gaussian', std: 0.5 }, seed: 5 });
    const big = tensor([200, 50], new Array(10_000).fill(1));
    const g = dae.corrupt(big, new Rng(1));
    let s2 = 0;
    for (const v of g.data) s2 += (v - 1) ** 2;
    expect(Math.sqrt(s2 / 10_000)).toBeGreaterThan(0.47);
    expect(Math.sqrt(s2 / 10_000)).toBeLessThan(0.53);
    const masked = denoisingAutoencoder({ input: 6, hidden: [4], noise: { kind: 'mask', drop: 0.3 }, seed: 5 }).corrupt(big, new Rng(1));
    const dropped = Array.from(masked.data).filter((v) => v === 0).length;
    expect(Array.from(masked.data).every((v) => v === 0 || v === 1)).toBe(true);
    expect(Math.abs(dropped / 10_000 - 0.3)).toBeLessThan(0.03);
  });
});
