import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { symbolicPropertiesOnGrid } from './symbolic-forms-grid.js';
import { close, dyadic, expectAllClose, expectNoFalseAlarm } from './assert.js';
import { params } from './runs.js';
import { checkGradient } from '../src/check/gradient.js';
import { matrixArb, probabilityArb, tensorArb } from '../src/check/arbitraries.js';
import type { Tensor } from '../src/core/tensor.js';
import { Rng } from '../src/core/rng.js';
import { dense } from '../src/core/ops/dense.js';
import { activation } from '../src/core/ops/activations.js';
import { softmax } from '../src/core/ops/softmax.js';
import type { Env } from '../src/core/ops/op.js';
import { lossForward } from '../src/core/losses.js';
import { evaluate, type Model } from '../src/core/network.js';
import {
  backpropagatedRow,
  sigmoidDerivativeBound,
  softmaxCrossEntropy,
  softmaxCrossEntropyGrad,
  softmaxCrossEntropyGradByJacobian,
  softmaxJacobian,
  softmaxVector,
  squashPrime,
  symbolicForms,
  tanhDerivativeBound,
  targets,
  twoLayerBatchGrads,
  twoLayerBatchLoss,
  twoLayerForward,
  twoLayerGradsByJacobians,
  vanishingFactor,
  type Squash,
  type TwoLayerNet,
} from '../src/derivations/jacobian-backprop.js';
import { targetProperties } from './targets.js';

// ---------------------------------------------------------------- helpers




/** Euclidean norm without underflow of the squares. */
function norm(a: ArrayLike<number>): number {
  return Math.hypot(...Array.from(a));
}

const env = (): Env => ({ params: new Map(), grads: new Map(), training: true, trackStats: false, rng: new Rng(0) });

/**
 * Rounds generated values to multiples of 2⁻²⁰. The checker's steps are powers
 * of two and it assumes x ± h is exact; on this grid it is (for |x| < 2³⁰ and
 * steps ≥ 2⁻⁵⁰), and no coordinate is tiny but non-zero (see the report on
 * checker false alarms).
 */

/**
 * Evaluates every symbolic form's math.js derivative against its stated
 * derivative at generated points (relative 1e-9), and checks the stated
 * derivative against finite differences of the primal. The step is set from
 * the domain (a thousandth of its width, and well inside its edges), not from
 * |x|, which the checker would otherwise use and which is meaningless for a
 * scalar near 0.
 */

// ---------------------------------------------------------------- arbitraries

function onGrid(t: Tensor): Tensor {
  return { shape: t.shape, data: t.data.map(dyadic) };
}

interface NetCase {
  f: Squash;
  net: TwoLayerNet;
  X: Tensor;
  y: Tensor;
}

const netCaseArb: fc.Arbitrary<NetCase> = fc
  .record({
    f: fc.constantFrom<Squash>('sigmoid', 'tanh'),
    n: fc.integer({ min: 1, max: 4 }),
    h1: fc.integer({ min: 1, max: 4 }),
    h2: fc.integer({ min: 1, max: 4 }),
    m: fc.integer({ min: 1, max: 3 }),
  })
  .chain(({ f, n, h1, h2, m }) =>
    fc.record({
      f: fc.constant(f),
      net: fc.record({
        W1: matrixArb(n, h1, { min: -2, max: 2 }).map(onGrid),
        W2: matrixArb(h1, h2, { min: -2, max: 2 }).map(onGrid),
        v: tensorArb([h2], { min: -2, max: 2 }).map(onGrid),
      }),
      X: matrixArb(m, n, { min: -2, max: 2 }).map(onGrid),
      y: tensorArb([m], { min: -2, max: 2 }).map(onGrid),
    }),
  );

/** Logits up to ±50 and a probability vector of the same length, with entries near 0 and 1. */
const logitsAndTargetArb = fc.integer({ min: 2, max: 6 }).chain((k) =>
  fc.record({
    t: tensorArb([k], { min: -50, max: 50 }).map(onGrid),
    y: fc.oneof(
      // one-hot
      fc.integer({ min: 0, max: k - 1 }).map((j): Tensor => ({ shape: [k], data: Float64Array.from({ length: k }, (_, i) => (i === j ? 1 : 0)) })),
      // one entry near 1, the rest sharing what is left
      fc.tuple(fc.integer({ min: 0, max: k - 1 }), probabilityArb()).map(([j, p]): Tensor => ({
        shape: [k],
        data: Float64Array.from({ length: k }, (_, i) => (i === j ? p : (1 - p) / (k - 1))),
      })),
      // a general probability vector
      fc.array(fc.double({ min: 1e-12, max: 1, noNaN: true }), { minLength: k, maxLength: k }).map((a): Tensor => {
        const s = a.reduce((p, q) => p + q, 0);
        return { shape: [k], data: Float64Array.from(a, (v) => v / s) };
      }),
    ),
  }),
);

function flatNet(net: TwoLayerNet): Float64Array {
  return Float64Array.from([...net.W1.data, ...net.W2.data, ...net.v.data]);
}

function unflatNet(like: TwoLayerNet, x: Float64Array): TwoLayerNet {
  const a = like.W1.data.length;
  const b = like.W2.data.length;
  return {
    W1: { shape: [...like.W1.shape], data: x.slice(0, a) },
    W2: { shape: [...like.W2.shape], data: x.slice(a, a + b) },
    v: { shape: [...like.v.shape], data: x.slice(a + b) },
  };
}

// ---------------------------------------------------------------- properties

describe('§6 backpropagation as Jacobian products', () => {
  it('the Jacobian-product gradients of the two-layer net agree with finite differences of its loss (batches of one included)', () => {
    fc.assert(
      fc.property(netCaseArb, ({ f, net, X, y }) => {
        const fx = (x: Float64Array): number => twoLayerBatchLoss(unflatNet(net, x), X, y, f);
        const gx = (x: Float64Array): Float64Array => {
          const g = twoLayerBatchGrads(unflatNet(net, x), X, y, f);
          return Float64Array.from([...g.dW1.data, ...g.dW2.data, ...g.dv.data]);
        };
        expectNoFalseAlarm(checkGradient(fx, gx, flatNet(net)), `two-layer ${f}`);
      }),
      params(),
    );
  });

  it('the Jacobian-product gradients are half the core backward pass of the same net built from dense and activation ops (the core’s squared error has no ½)', () => {
    fc.assert(
      fc.property(netCaseArb, ({ f, net, X, y }) => {
        const h2 = net.v.data.length;
        const model: Model = {
          ops: [dense({ weight: 'W1' }), activation(f), dense({ weight: 'W2' }), activation(f), dense({ weight: 'v' })],
          params: new Map([
            ['W1', net.W1],
            ['W2', net.W2],
            ['v', { shape: [h2, 1], data: net.v.data }],
          ]),
          loss: { op: 'squared-error', reduction: 'sum' },
          penalties: [],
        };
        const r = evaluate(model, X, { shape: [X.shape[0]!, 1], data: y.data });
        expect(close(r.objective, 2 * twoLayerBatchLoss(net, X, y, f), 1e-12, 1e-300)).toBe(true);
        const g = twoLayerBatchGrads(net, X, y, f);
        const half = (t: Tensor): Float64Array => t.data.map((v) => v / 2);
        expectAllClose(g.dW1.data, half(r.grads.get('W1')!), 1e-10, 1e-14, 'dW1');
        expectAllClose(g.dW2.data, half(r.grads.get('W2')!), 1e-10, 1e-14, 'dW2');
        expectAllClose(g.dv.data, half(r.grads.get('v')!), 1e-10, 1e-14, 'dv');
      }),
      params(),
    );
  });

  it('dℓ/dv is ℓ′·h² and dℓ/dW² is the outer product h¹ ⊗ (ℓ′·vᵀ·diag(f′(a²))): the contracted 3-D Jacobian', () => {
    fc.assert(
      fc.property(netCaseArb, ({ f, net, X, y }) => {
        const n = X.shape[1]!;
        const x: Tensor = { shape: [n], data: X.data.slice(0, n) };
        const fw = twoLayerForward(net, x, y.data[0]!, f);
        const g = twoLayerGradsByJacobians(net, x, y.data[0]!, f);
        expectAllClose(g.dv.data, fw.h2.map((h) => fw.lossPrime * h), 1e-14, 1e-300, 'dv');
        const h1n = fw.h1.length;
        const h2n = fw.h2.length;
        for (let j = 0; j < h1n; j++) {
          for (let k = 0; k < h2n; k++) {
            const want = fw.h1[j]! * fw.lossPrime * net.v.data[k]! * squashPrime(f, fw.a2[k]!);
            expect(close(g.dW2.data[j * h2n + k]!, want, 1e-12, 1e-300)).toBe(true);
          }
        }
      }),
      params(),
    );
  });

  it('σ′ never exceeds 1/4 and tanh′ never exceeds 1, with equality at 0', () => {
    fc.assert(
      fc.property(fc.double({ min: -60, max: 60, noNaN: true }), (t) => {
        const s = squashPrime('sigmoid', t);
        const th = squashPrime('tanh', t);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(sigmoidDerivativeBound);
        expect(th).toBeLessThanOrEqual(tanhDerivativeBound);
        expect(squashPrime('sigmoid', 0)).toBe(0.25);
        expect(squashPrime('tanh', 0)).toBe(1);
      }),
      params(),
    );
  });

  it('the product of diag(σ′) norms over L sigmoid layers is at most (1/4)^L, and bounds the gradient backpropagated to the first layer', () => {
    const layers = fc.array(fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 5 }), {
      minLength: 0,
      maxLength: 6,
    });
    fc.assert(
      fc.property(layers, netCaseArb, (as, { net, X }) => {
        expect(vanishingFactor(as, 'sigmoid')).toBeLessThanOrEqual(0.25 ** as.length);
        expect(vanishingFactor(as, 'tanh')).toBeLessThanOrEqual(1);
        const n = X.shape[1]!;
        const x: Tensor = { shape: [n], data: X.data.slice(0, n) };
        const fw = twoLayerForward(net, x, 0, 'sigmoid');
        const row = backpropagatedRow(net, x, 'sigmoid');
        const factor = vanishingFactor([Array.from(fw.a1), Array.from(fw.a2)], 'sigmoid');
        expect(factor).toBeLessThanOrEqual(1 / 16);
        // ‖vᵀ·D²·W²ᵀ·D¹‖ ≤ ‖v‖·‖D²‖·‖W²‖·‖D¹‖ (Frobenius bounds the spectral norm of W²)
        const bound = norm(net.v.data) * norm(net.W2.data) * factor;
        expect(norm(row)).toBeLessThanOrEqual(bound * (1 + 1e-12) + 1e-300);
      }),
      params(),
    );
  });

  it('the softmax Jacobian diag(s) − ssᵀ is symmetric, its rows sum to 0, it matches finite differences of each s_i, and the core softmax backward is dY·J (logits up to ±50)', () => {
    fc.assert(
      fc.property(logitsAndTargetArb, ({ t }) => {
        const k = t.data.length;
        const J = softmaxJacobian(t).data;
        const s = softmaxVector(t);
        for (let i = 0; i < k; i++) {
          let rowSum = 0;
          for (let j = 0; j < k; j++) {
            rowSum += J[i * k + j]!;
            expect(J[i * k + j]).toBe(J[j * k + i]);
          }
          expect(Math.abs(rowSum)).toBeLessThanOrEqual(4 * k * Number.EPSILON * Math.max(s[i]!, 1e-300) + 1e-300);
          const si = (x: Float64Array): number => softmaxVector({ shape: [k], data: x })[i]!;
          const gi = (x: Float64Array): Float64Array => softmaxJacobian({ shape: [k], data: x }).data.slice(i * k, (i + 1) * k);
          expectNoFalseAlarm(checkGradient(si, gi, t.data), `row ${i} of the softmax Jacobian`);
        }
        const dy = Float64Array.from({ length: k }, (_, j) => Math.sin(3 * j + 1));
        const back = softmax().forward({ shape: [1, k], data: t.data }, env()).backward({ shape: [1, k], data: dy }).data;
        const want = new Float64Array(k);
        for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) want[j]! += dy[i]! * J[i * k + j]!;
        // entries are products of numbers ≤ 1: agreement to rounding means an absolute 1e-14
        expectAllClose(back, want, 1e-9, 1e-14, 'core softmax backward');
      }),
      params(),
    );
  });

  it('with cross-entropy the gradient on the logits is s − y: by the Jacobian chain, by finite differences, and by the core’s softmax-cross-entropy loss (logits up to ±50, targets near 0 and 1)', () => {
    fc.assert(
      fc.property(logitsAndTargetArb, ({ t, y }) => {
        const k = t.data.length;
        const g = softmaxCrossEntropyGrad(t, y).data;
        expectAllClose(softmaxCrossEntropyGradByJacobian(t, y).data, g, 1e-9, 1e-14, 'by Jacobian');
        const core = lossForward({ op: 'softmax-cross-entropy', reduction: 'sum' }, { shape: [1, k], data: t.data }, { shape: [1, k], data: y.data });
        // the core computes logsumexp(t) − Σ y t directly: its absolute error is a few ulps of max |t|
        expect(close(core.value, softmaxCrossEntropy(t, y), 1e-12, 1e-13)).toBe(true);
        expectAllClose(core.grad.data, g, 1e-12, 1e-14, 'core');
        const f = (x: Float64Array): number => softmaxCrossEntropy({ shape: [k], data: x }, y);
        const gr = (x: Float64Array): Float64Array => softmaxCrossEntropyGrad({ shape: [k], data: x }, y).data;
        expectNoFalseAlarm(checkGradient(f, gr, t.data), 'softmax cross-entropy');
      }),
      params(),
    );
  });

  it('every exported function rejects a mis-shaped argument with a RangeError naming itself and the argument', () => {
    fc.assert(
      fc.property(netCaseArb, fc.integer({ min: 1, max: 3 }), ({ f, net, X, y }, extra) => {
        const n = X.shape[1]!;
        const badX: Tensor = { shape: [n + extra], data: new Float64Array(n + extra) };
        expect(() => twoLayerForward(net, badX, 0, f)).toThrow(/twoLayerForward: x/);
        expect(() => twoLayerGradsByJacobians(net, badX, 0, f)).toThrow(RangeError);
        const badV: Tensor = { shape: [net.v.data.length + extra], data: new Float64Array(net.v.data.length + extra) };
        expect(() => twoLayerBatchLoss({ ...net, v: badV }, X, y, f)).toThrow(/twoLayerBatchLoss: net\.v/);
        const badY: Tensor = { shape: [y.data.length + extra], data: new Float64Array(y.data.length + extra) };
        expect(() => twoLayerBatchGrads(net, X, badY, f)).toThrow(/twoLayerBatchGrads: y/);
        const t: Tensor = { shape: [2], data: Float64Array.of(0, 1) };
        expect(() => softmaxCrossEntropyGrad(t, { shape: [2 + extra], data: new Float64Array(2 + extra) })).toThrow(/softmaxCrossEntropyGrad: y/);
        expect(() => softmaxCrossEntropy(t, { shape: [2], data: Float64Array.of(0.5, 0.6) })).toThrow(/softmaxCrossEntropy: y/);
        expect(() => softmaxJacobian({ shape: [1, 2], data: Float64Array.of(0, 1) })).toThrow(/softmaxJacobian: t/);
        expect(() => vanishingFactor([[]])).toThrow(/vanishingFactor: as\[0\]/);
      }),
      params(0.25),
    );
  });

  targetProperties(targets);
});

describe('§6 symbolic forms', () => {
  symbolicPropertiesOnGrid(symbolicForms);
});
