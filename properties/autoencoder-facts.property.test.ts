import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { symbolicPropertiesOnGrid } from './symbolic-forms-grid.js';
import { close, dyadic, expectAllClose, expectNoFalseAlarm } from './assert.js';
import { params } from './runs.js';
import { checkGradient } from '../src/check/gradient.js';
import { checkParams } from '../src/check/params.js';
import { matrixArb, tensorArb } from '../src/check/arbitraries.js';
import type { Tensor } from '../src/core/tensor.js';
import { Rng } from '../src/core/rng.js';
import { dense } from '../src/core/ops/dense.js';
import { evaluate, type Model } from '../src/core/network.js';
import { autoencoder } from '../src/core/builders.js';
import { sgd } from '../src/core/optimizers.js';
import { train } from '../src/core/train.js';
import {
  centreColumns,
  denoisingGrad,
  denoisingLoss,
  linearAeError,
  linearTiedAeGrad,
  linearTiedAeLoss,
  overcompleteIdentityError,
  overcompleteIdentityWeights,
  pcaReconstructionError,
  pcaTopK,
  scatterMatrix,
  symbolicForms,
  targets,
  type DenoisingParams,
} from '../src/derivations/autoencoder-facts.js';
import { targetProperties } from './targets.js';

// ---------------------------------------------------------------- helpers




function sumSq(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return s;
}


function onGrid(t: Tensor): Tensor {
  return { shape: t.shape, data: t.data.map(dyadic) };
}


// ---------------------------------------------------------------- arbitraries

const dimsArb = fc.record({
  m: fc.integer({ min: 1, max: 6 }),
  n: fc.integer({ min: 1, max: 5 }),
});

/** Data X [m, n] (batches of one and non-square included) and a W [n, k], k from 1 to n + 1 (overcomplete too). */
const dataAndWArb = dimsArb.chain(({ m, n }) =>
  fc.record({
    X: matrixArb(m, n, { min: -3, max: 3 }).map(onGrid),
    W: fc.integer({ min: 1, max: n + 1 }).chain((k) => matrixArb(n, k, { min: -1.5, max: 1.5 }).map(onGrid)),
  }),
);

/** Data X [m, n] and a PCA width k in [0, n]. */
const dataAndKArb = dimsArb.chain(({ m, n }) =>
  fc.record({ X: matrixArb(m, n, { min: -3, max: 3 }), k: fc.integer({ min: 0, max: n }) }),
);

/**
 * Data with a spectral gap after k: X = U·diag(s)·Vᵀ with U, V the singular
 * vectors of a random matrix, the k leading singular values in [2, 3] and
 * the rest in [0, 1], so that gradient descent converges in a few hundred steps.
 */
const gappedDataArb = dimsArb.chain(({ m, n }) => {
  const r = Math.min(m, n);
  return fc
    .record({
      A: matrixArb(m, n, { min: -1, max: 1 }),
      k: fc.integer({ min: 1, max: n }),
      top: fc.array(fc.double({ min: 2, max: 3, noNaN: true }), { minLength: r, maxLength: r }),
      low: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: r, maxLength: r }),
    })
    .map(({ A, k, top, low }) => {
      const svd = new SingularValueDecomposition(new Matrix(toRows(A)), { autoTranspose: true });
      const U = svd.leftSingularVectors;
      const V = svd.rightSingularVectors;
      const s = Array.from({ length: r }, (_, j) => (j < k ? top[j]! : low[j]!));
      const X = U.mmul(Matrix.diag(s)).mmul(V.transpose());
      return { X: { shape: [m, n], data: Float64Array.from(X.to1DArray()) } as Tensor, k };
    });
});

function toRows(t: Tensor): number[][] {
  const [m, n] = [t.shape[0]!, t.shape[1]!];
  return Array.from({ length: m }, (_, i) => Array.from(t.data.subarray(i * n, (i + 1) * n)));
}

/** The linear tied autoencoder as a core Model: dense(W) then dense(Wᵀ), no biases, squared error summed. */
function tiedModel(W: Tensor): Model {
  return {
    ops: [dense({ weight: 'W' }), dense({ weight: 'W', transpose: true })],
    params: new Map([['W', { shape: [...W.shape], data: W.data.slice() }]]),
    loss: { op: 'squared-error', reduction: 'sum' },
    penalties: [],
  };
}

const denoisingArb = fc
  .record({ m: fc.integer({ min: 1, max: 4 }), n: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 1, max: 4 }) })
  .chain(({ m, n, k }) =>
    fc.record({
      X: matrixArb(m, n, { min: -2, max: 2 }).map(onGrid),
      noise: matrixArb(m, n, { min: -0.5, max: 0.5 }).map(onGrid),
      p: fc.record({
        W: matrixArb(n, k, { min: -2, max: 2 }).map(onGrid),
        b: tensorArb([k], { min: -2, max: 2 }).map(onGrid),
        V: matrixArb(k, n, { min: -2, max: 2 }).map(onGrid),
        c: tensorArb([n], { min: -2, max: 2 }).map(onGrid),
      }),
    }),
  );

// ---------------------------------------------------------------- properties

describe('§7 the linear tied autoencoder and PCA', () => {
  it('the closed-form gradient 2XᵀRW + 2RᵀXW of ‖XWWᵀ − X‖² agrees with finite differences (batches of one, non-square, overcomplete)', () => {
    fc.assert(
      fc.property(dataAndWArb, ({ X, W }) => {
        const f = (w: Float64Array): number => linearTiedAeLoss(X, { shape: W.shape, data: w });
        const g = (w: Float64Array): Float64Array => linearTiedAeGrad(X, { shape: W.shape, data: w }).total.data;
        expectNoFalseAlarm(checkGradient(f, g, W.data), 'linear tied AE');
      }),
      params(),
    );
  });

  it('the closed form equals the core’s backward pass through dense(W) and dense(W, transpose) without biases', () => {
    fc.assert(
      fc.property(dataAndWArb, ({ X, W }) => {
        const r = evaluate(tiedModel(W), X, X);
        expect(close(r.objective, linearTiedAeLoss(X, W), 1e-12, 1e-12)).toBe(true);
        const g = linearTiedAeGrad(X, W);
        const scale = Math.sqrt(sumSq(g.encoder.data) + sumSq(g.decoder.data)) + 1;
        expectAllClose(g.total.data, r.grads.get('W')!.data, 1e-10, 1e-12 * scale, 'dL/dW');
      }),
      params(),
    );
  });

  it('PCA’s error (the sum of the discarded eigenvalues of XᵀX) is a lower bound of the linear tied autoencoder’s loss at any W of width k', () => {
    fc.assert(
      fc.property(dataAndWArb, ({ X, W }) => {
        const n = X.shape[1]!;
        const k = W.shape[1]!;
        const best = pcaReconstructionError(X, Math.min(k, n));
        const total = sumSq(X.data);
        expect(linearTiedAeLoss(X, W)).toBeGreaterThanOrEqual(best - 1e-10 * (total + 1));
      }),
      params(),
    );
  });

  it('the top-k eigenvectors of XᵀX are a stationary point of the loss, where it equals the sum of the discarded eigenvalues', () => {
    fc.assert(
      fc.property(dataAndKArb, ({ X, k }) => {
        if (k === 0) {
          expect(pcaReconstructionError(X, 0)).toBeCloseTo(sumSq(X.data), 10);
          return;
        }
        const pca = pcaTopK(X, k);
        const total = sumSq(X.data);
        // eigenvalues of the scatter matrix: the trace is ‖X‖²
        expect(close(pca.kept + pca.discarded, total, 1e-12, 1e-12)).toBe(true);
        expect(close(linearTiedAeLoss(X, pca.W), pca.discarded, 1e-9, 1e-11 * (total + 1))).toBe(true);
        const g = linearTiedAeGrad(X, pca.W).total.data;
        expect(Math.sqrt(sumSq(g))).toBeLessThanOrEqual(1e-10 * (total + 1));
        // the columns are orthonormal
        const WtW = new Matrix(toRows(pca.W)).transpose().mmul(new Matrix(toRows(pca.W)));
        for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) expect(Math.abs(WtW.get(i, j) - (i === j ? 1 : 0))).toBeLessThan(1e-12);
      }),
      params(),
    );
  });

  it('a linear tied autoencoder of width k trained by the core’s train + sgd (no biases) reaches PCA’s reconstruction error to relative 1e-3', () => {
    fc.assert(
      fc.property(gappedDataArb, fc.integer({ min: 0, max: 1000 }), ({ X, k }, seed) => {
        const n = X.shape[1]!;
        const rng = new Rng(seed);
        const model = tiedModel({ shape: [n, k], data: rng.normals(n * k, 0.3) });
        train(model, X, X, { optimizer: sgd({ lr: 0.01 }), epochs: 600, shuffle: false });
        const loss = linearTiedAeLoss(X, model.params.get('W')!);
        const best = pcaReconstructionError(X, k);
        const total = sumSq(X.data);
        expect(loss).toBeGreaterThanOrEqual(best - 1e-10 * total);
        expect(loss - best, `loss ${loss}, PCA ${best}`).toBeLessThanOrEqual(1e-3 * best + 1e-9 * total);
      }),
      params(0.5),
    );
  });

  it('centring is a choice made for both sides: PCA of centred data has the eigenvalues of the covariance scatter, and the scatter of uncentred data adds m·x̄x̄ᵀ', () => {
    fc.assert(
      fc.property(dataAndKArb, ({ X }) => {
        const [m, n] = [X.shape[0]!, X.shape[1]!];
        const S = scatterMatrix(X).data;
        const Sc = scatterMatrix(centreColumns(X)).data;
        const mean = Array.from({ length: n }, (_, j) => toRows(X).reduce((s, r) => s + r[j]!, 0) / m);
        const scale = sumSq(X.data) + 1;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) expect(Math.abs(S[i * n + j]! - Sc[i * n + j]! - m * mean[i]! * mean[j]!)).toBeLessThan(1e-12 * scale);
        }
      }),
      params(0.5),
    );
  });
});

describe('§7 the overcomplete identity autoencoder', () => {
  it('identity activations with W = I (padded to h ≥ n) reconstruct any data with zero error, by the closed form and through the core’s tied autoencoder', () => {
    fc.assert(
      fc.property(
        dimsArb.chain(({ m, n }) => fc.record({ X: matrixArb(m, n, { min: -100, max: 100 }), extra: fc.integer({ min: 0, max: 3 }) })),
        ({ X, extra }) => {
          const n = X.shape[1]!;
          const h = n + extra;
          expect(overcompleteIdentityError(X, h)).toBe(0);
          const model = autoencoder({ input: n, hidden: [h], activation: 'identity', output: 'identity', tied: true, loss: { op: 'squared-error', reduction: 'sum' } });
          model.params.get('W1')!.data.set(overcompleteIdentityWeights(n, h).data);
          // biases b1, c1 start at zero
          expect(evaluate(model, X, X, { backward: false }).objective).toBe(0);
          // and the same weights with a non-zero bias do not: the fact is about W = I exactly
          const be = { shape: [h], data: new Float64Array(h).fill(1) };
          const Wd = { shape: [h, n], data: new Float64Array(h * n) };
          for (let i = 0; i < n; i++) Wd.data[i * n + i] = 1;
          expect(linearAeError(X, overcompleteIdentityWeights(n, h), be, Wd, { shape: [n], data: new Float64Array(n) })).toBeGreaterThan(0);
        },
      ),
      params(),
    );
  });
});

describe('§7 the denoising objective with fixed noise', () => {
  it('the closed-form gradient of Σ‖σ((x + ε)W + b)V + c − x‖² agrees with finite differences for every parameter', () => {
    fc.assert(
      fc.property(denoisingArb, ({ X, noise, p }) => {
        const keys = ['W', 'b', 'V', 'c'] as const;
        const r = checkParams(
          (q) => denoisingLoss(X, noise, q as unknown as DenoisingParams),
          { ...p } as Record<string, Tensor>,
          (q) => {
            const g = denoisingGrad(X, noise, q as unknown as DenoisingParams);
            return Object.fromEntries(keys.map((key) => [key, g[key]]));
          },
        );
        expectNoFalseAlarm(r, 'denoising');
      }),
      params(),
    );
  });

  it('the closed form equals the core autoencoder’s backward pass on the corrupted batch with clean targets', () => {
    fc.assert(
      fc.property(denoisingArb, ({ X, noise, p }) => {
        const n = X.shape[1]!;
        const k = p.W.shape[1]!;
        const model = autoencoder({ input: n, hidden: [k], activation: 'sigmoid', output: 'identity', loss: { op: 'squared-error', reduction: 'sum' } });
        model.params.get('W1')!.data.set(p.W.data);
        model.params.get('b1')!.data.set(p.b.data);
        model.params.get('V1')!.data.set(p.V.data);
        model.params.get('c1')!.data.set(p.c.data);
        const Xt: Tensor = { shape: X.shape, data: X.data.map((v, i) => v + noise.data[i]!) };
        const r = evaluate(model, Xt, X);
        expect(close(r.objective, denoisingLoss(X, noise, p), 1e-12, 1e-12)).toBe(true);
        const g = denoisingGrad(X, noise, p);
        expectAllClose(g.W.data, r.grads.get('W1')!.data, 1e-10, 1e-12, 'dW');
        expectAllClose(g.b.data, r.grads.get('b1')!.data, 1e-10, 1e-12, 'db');
        expectAllClose(g.V.data, r.grads.get('V1')!.data, 1e-10, 1e-12, 'dV');
        expectAllClose(g.c.data, r.grads.get('c1')!.data, 1e-10, 1e-12, 'dc');
      }),
      params(),
    );
  });
});

describe('§7 targets, validation and symbolic forms', () => {
  targetProperties(targets);

  it('every exported function rejects a mis-shaped argument with a RangeError naming itself and the argument', () => {
    fc.assert(
      fc.property(dataAndWArb, fc.integer({ min: 1, max: 3 }), ({ X, W }, extra) => {
        const n = X.shape[1]!;
        const k = W.shape[1]!;
        const badW: Tensor = { shape: [n + extra, k], data: new Float64Array((n + extra) * k) };
        expect(() => linearTiedAeLoss(X, badW)).toThrow(/linearTiedAeLoss: W/);
        expect(() => linearTiedAeGrad(X, badW)).toThrow(/linearTiedAeGrad: W/);
        expect(() => pcaTopK(X, n + extra)).toThrow(/pcaTopK: k/);
        expect(() => pcaReconstructionError({ shape: [n], data: new Float64Array(n) }, 0)).toThrow(/pcaTopK: X/);
        expect(() => overcompleteIdentityWeights(n + extra, n)).toThrow(/overcompleteIdentityWeights: h/);
        const p: DenoisingParams = {
          W: { shape: [n, 1], data: new Float64Array(n) },
          b: { shape: [1 + extra], data: new Float64Array(1 + extra) },
          V: { shape: [1, n], data: new Float64Array(n) },
          c: { shape: [n], data: new Float64Array(n) },
        };
        expect(() => denoisingLoss(X, X, p)).toThrow(/denoisingLoss: params\.b/);
        const badNoise: Tensor = { shape: [X.shape[0]!, n + extra], data: new Float64Array(X.shape[0]! * (n + extra)) };
        expect(() => denoisingGrad(X, badNoise, { ...p, b: { shape: [1], data: new Float64Array(1) } })).toThrow(/denoisingGrad: noise/);
      }),
      params(0.25),
    );
  });

  symbolicPropertiesOnGrid(symbolicForms);
});
