/**
 * §4 tied weights: dL/dW = (∂L/∂W)|encoder + ((∂L/∂W*)|decoder)ᵀ for the tied
 * autoencoder σ(XW + b)Wᵀ + c, against finite differences, against the
 * training core's tied and untied autoencoders, and the three mistakes
 * (either path dropped, the transpose forgotten) each failing a gradient check.
 */
import { describe, expect, it } from 'vitest';
import { expectNoFalseAlarm } from './assert.js';
import fc from 'fast-check';
import { params } from './runs.js';
import { symbolicProperties } from './symbolic-forms.js';
import { checkGradient } from '../src/check/gradient.js';
import type { Tensor } from '../src/core/tensor.js';
import { evaluate } from '../src/core/network.js';
import { autoencoder } from '../src/core/builders.js';
import {
  decoderPathGradW,
  decoderPathGradWStar,
  encoderPathGradW,
  symbolicForms,
  targets,
  tiedAutoencoderGradients,
  tiedForward,
  tiedGradient,
  tiedGradientForgotTranspose,
  tiedLoss,
} from '../src/derivations/tied-weights.js';
import { targetProperties } from './targets.js';

// ---------------------------------------------------------------- helpers

const vec = (a: ArrayLike<number>): Tensor => ({ shape: [a.length], data: Float64Array.from(a) });
const mat = (r: number, c: number, a: ArrayLike<number>): Tensor => ({ shape: [r, c], data: Float64Array.from(a) });

function maxAbs(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i]!));
  return s;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i]! - b[i]!));
  return s;
}

/** Values on a 1e-3 grid: no subnormal or 1e-30-small entries, whose gradients no difference can resolve. */
const grid = (min: number, max: number): fc.Arbitrary<number> =>
  fc.integer({ min: Math.round(min * 1000), max: Math.round(max * 1000) }).map((v) => v / 1000);

interface Ae {
  X: Tensor;
  W: Tensor;
  b: Tensor;
  c: Tensor;
  m: number;
  n: number;
  k: number;
}

/** A tied autoencoder and a batch: m = 1..5 (batches of one), n = 1..5 inputs, k = 1..4 code units (W square or not). */
function aeArb(opts: { square?: boolean; minM?: number } = {}): fc.Arbitrary<Ae> {
  const dims = opts.square
    ? fc.integer({ min: 2, max: 4 }).map((n) => ({ n, k: n }))
    : fc.record({ n: fc.integer({ min: 1, max: 5 }), k: fc.integer({ min: 1, max: 4 }) });
  return fc
    .record({ m: fc.integer({ min: opts.minM ?? 1, max: 5 }), d: dims })
    .chain(({ m, d: { n, k } }) =>
      fc.record({
        X: fc.array(grid(-2, 2), { minLength: m * n, maxLength: m * n }).map((a) => mat(m, n, a)),
        W: fc.array(grid(-1.5, 1.5), { minLength: n * k, maxLength: n * k }).map((a) => mat(n, k, a)),
        b: fc.array(grid(-1, 1), { minLength: k, maxLength: k }).map(vec),
        c: fc.array(grid(-1, 1), { minLength: n, maxLength: n }).map(vec),
        m: fc.constant(m),
        n: fc.constant(n),
        k: fc.constant(k),
      }),
    );
}

/** checkGradient of the tied loss as a function of W alone, with `grad` claimed. */
function checkW(ae: Ae, grad: (W: Tensor) => Tensor) {
  const { X, b, c, n, k } = ae;
  return checkGradient(
    (x) => tiedLoss(X, mat(n, k, x), b, c),
    (x) => grad(mat(n, k, x)).data,
    ae.W.data,
  );
}


// ---------------------------------------------------------------- properties

describe('§4 the two-path gradient against finite differences', () => {
  it('holds dL/dW = (∂L/∂W)|enc + ((∂L/∂W*)|dec)ᵀ against finite differences of the tied loss for every generated batch, non-square W and batches of one included', () => {
    fc.assert(
      fc.property(aeArb(), (ae) => {
        const r = checkW(ae, (W) => tiedGradient(ae.X, W, ae.b, ae.c));
        expectNoFalseAlarm(r, r.reasons.join('; '));
      }),
      params(),
    );
  });

  it('holds dL/dW, ∂L/∂b and ∂L/∂c together against finite differences of the tied loss in all parameters', () => {
    fc.assert(
      fc.property(aeArb(), (ae) => {
        const { X, n, k } = ae;
        const split = (x: Float64Array): [Tensor, Tensor, Tensor] => [
          mat(n, k, x.subarray(0, n * k)),
          vec(x.subarray(n * k, n * k + k)),
          vec(x.subarray(n * k + k)),
        ];
        const r = checkGradient(
          (x) => tiedLoss(X, ...split(x)),
          (x) => {
            const g = tiedAutoencoderGradients(X, ...split(x));
            return Float64Array.from([...g.W.data, ...g.b.data, ...g.c.data]);
          },
          Float64Array.from([...ae.W.data, ...ae.b.data, ...ae.c.data]),
        );
        expectNoFalseAlarm(r, r.reasons.join('; '));
      }),
      params(),
    );
  });
});

describe('§4 the mistakes a gradient check must catch', () => {
  it('rejects the encoder path alone (the decoder path dropped) wherever the decoder path is not negligible', () => {
    fc.assert(
      fc.property(aeArb(), (ae) => {
        const dec = decoderPathGradW(ae.X, ae.W, ae.b, ae.c).data;
        const full = tiedGradient(ae.X, ae.W, ae.b, ae.c).data;
        fc.pre(maxAbs(dec) > 1e-4 * (maxAbs(full) + maxAbs(dec)) && maxAbs(dec) > 1e-8);
        expect(checkW(ae, (W) => encoderPathGradW(ae.X, W, ae.b, ae.c)).ok).toBe(false);
      }),
      params(),
    );
  });

  it('rejects the decoder path alone (the encoder path dropped) wherever the encoder path is not negligible', () => {
    fc.assert(
      fc.property(aeArb(), (ae) => {
        const enc = encoderPathGradW(ae.X, ae.W, ae.b, ae.c).data;
        const full = tiedGradient(ae.X, ae.W, ae.b, ae.c).data;
        fc.pre(maxAbs(enc) > 1e-4 * (maxAbs(full) + maxAbs(enc)) && maxAbs(enc) > 1e-8);
        expect(checkW(ae, (W) => decoderPathGradW(ae.X, W, ae.b, ae.c)).ok).toBe(false);
      }),
      params(),
    );
  });

  it('rejects adding ∂L/∂W* without its transpose, for square W (literally untransposed) and non-square W (the flat-buffer slip), wherever that changes the sum', () => {
    fc.assert(
      fc.property(fc.oneof(aeArb({ square: true }), aeArb()), (ae) => {
        const wrong = tiedGradientForgotTranspose(ae.X, ae.W, ae.b, ae.c).data;
        const full = tiedGradient(ae.X, ae.W, ae.b, ae.c).data;
        const d = maxDiff(wrong, full);
        fc.pre(d > 1e-4 * (maxAbs(full) + maxAbs(wrong)) && d > 1e-8);
        expect(checkW(ae, (W) => tiedGradientForgotTranspose(ae.X, W, ae.b, ae.c)).ok).toBe(false);
      }),
      params(),
    );
  });

  it('makes each path alone, and the untransposed sum, differ from the full gradient by exactly the missing or misplaced term', () => {
    fc.assert(
      fc.property(aeArb(), (ae) => {
        const { X, W, b, c, n, k } = ae;
        const enc = encoderPathGradW(X, W, b, c).data;
        const dec = decoderPathGradW(X, W, b, c).data;
        const star = decoderPathGradWStar(X, W, b, c);
        expect(star.shape).toEqual([k, n]);
        const full = tiedGradient(X, W, b, c).data;
        for (let j = 0; j < n; j++) {
          for (let l = 0; l < k; l++) {
            expect(dec[j * k + l]).toBe(star.data[l * n + j]);
            expect(full[j * k + l]).toBe(enc[j * k + l]! + dec[j * k + l]!);
          }
        }
      }),
      params(),
    );
  });
});

describe("§4 against the training core's autoencoders", () => {
  it("matches the core's tied autoencoder (dense W, sigmoid, dense Wᵀ) under evaluate: the loss, dL/dW1 = tiedGradient, ∂L/∂b1 and ∂L/∂c1", () => {
    fc.assert(
      fc.property(aeArb(), (ae) => {
        const { X, W, b, c, n, k } = ae;
        const model = autoencoder({ input: n, hidden: [k], tied: true });
        model.params.get('W1')!.data.set(W.data);
        model.params.get('b1')!.data.set(b.data);
        model.params.get('c1')!.data.set(c.data);
        const ev = evaluate(model, X, X);
        const ours = tiedAutoencoderGradients(X, W, b, c);
        const loss = tiedLoss(X, W, b, c);
        expect(Math.abs(ev.loss - loss)).toBeLessThanOrEqual(1e-12 * (loss + 1e-300));
        const scale = maxAbs(ours.W.data) + maxAbs(ours.b.data) + maxAbs(ours.c.data) + 1e-300;
        expect(maxDiff(ev.grads.get('W1')!.data, ours.W.data)).toBeLessThanOrEqual(1e-12 * scale);
        expect(maxDiff(ev.grads.get('b1')!.data, ours.b.data)).toBeLessThanOrEqual(1e-12 * scale);
        expect(maxDiff(ev.grads.get('c1')!.data, ours.c.data)).toBeLessThanOrEqual(1e-12 * scale);
      }),
      params(),
    );
  });

  it("splits into the core's untied autoencoder with V1 = Wᵀ: its ∂L/∂W1 is the encoder path and its ∂L/∂V1 is (∂L/∂W*)|decoder", () => {
    fc.assert(
      fc.property(aeArb(), (ae) => {
        const { X, W, b, c, n, k } = ae;
        const model = autoencoder({ input: n, hidden: [k], tied: false });
        model.params.get('W1')!.data.set(W.data);
        model.params.get('b1')!.data.set(b.data);
        model.params.get('c1')!.data.set(c.data);
        const V = model.params.get('V1')!;
        expect(V.shape).toEqual([k, n]);
        for (let j = 0; j < n; j++) for (let l = 0; l < k; l++) V.data[l * n + j] = W.data[j * k + l]!;
        const ev = evaluate(model, X, X);
        const enc = encoderPathGradW(X, W, b, c).data;
        const star = decoderPathGradWStar(X, W, b, c).data;
        const scale = maxAbs(enc) + maxAbs(star) + 1e-300;
        expect(Math.abs(ev.loss - tiedForward(X, W, b, c).loss)).toBeLessThanOrEqual(1e-12 * (ev.loss + 1e-300));
        expect(maxDiff(ev.grads.get('W1')!.data, enc)).toBeLessThanOrEqual(1e-12 * scale);
        expect(maxDiff(ev.grads.get('V1')!.data, star)).toBeLessThanOrEqual(1e-12 * scale);
      }),
      params(),
    );
  });
});

describe('§4 symbolic forms, targets and validation', () => {
  symbolicProperties(symbolicForms);

  targetProperties(targets);

  it('rejects mismatched shapes with a RangeError naming the function and argument', () => {
    const X = mat(2, 3, [1, 2, 3, 4, 5, 6]);
    const W = mat(3, 2, [1, 2, 3, 4, 5, 6]);
    expect(() => tiedGradient(X, mat(2, 2, [1, 2, 3, 4]), vec([0, 0]), vec([0, 0, 0]))).toThrow(/tiedGradient: W must be \[3, k\]/);
    expect(() => encoderPathGradW(X, W, vec([0]), vec([0, 0, 0]))).toThrow(/encoderPathGradW: b must be a vector \[2\]/);
    expect(() => decoderPathGradW(X, W, vec([0, 0]), vec([0, 0]))).toThrow(/decoderPathGradW: c must be a vector \[3\]/);
    expect(() => tiedLoss(mat(0, 3, []), W, vec([0, 0]), vec([0, 0, 0]))).toThrow(/tiedLoss: X must be a non-empty matrix/);
    expect(() => tiedGradientForgotTranspose(X, { shape: [3, 2], data: new Float64Array(5) }, vec([0, 0]), vec([0, 0, 0]))).toThrow(
      /tiedGradientForgotTranspose: W/,
    );
  });
});
