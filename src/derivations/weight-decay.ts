/**
 * §1 of the derivations: parameter norm penalties (weight decay).
 *
 * Two conventions for the L2 penalty appear in the lecture material, and the
 * code names which one each function uses:
 *
 *  - "alpha-half": J̃(w) = J(w) + (α/2)·wᵀw  ⇒  ∇J̃ = ∇J + α·w
 *    (the convention of the core's `{ op: 'l2' }` penalty and of the case format);
 *  - "lambda":     J̃(w) = J(w) + λ·‖w‖²    ⇒  ∇J̃ = ∇J + 2λ·w
 *    (the core's `{ op: 'l2-lambda' }`).
 *
 * They agree exactly when λ = α/2. A gradient written for one convention is
 * off by a factor of two in the penalty term when used with the other.
 *
 * The update w ← w − ε(∇J + α·w) = (1 − εα)·w − ε∇J: the weights shrink by
 * the constant factor (1 − εα) before the usual gradient step.
 *
 * Biases are normally not penalised (penalising them underfits): the targets
 * below penalise W and leave b alone.
 *
 * L1: α‖w‖₁ ⇒ α·sign(w), a subgradient (|w| has no derivative at 0).
 */
import { randomTensor } from '../core/random.js';
import type { Tensor } from '../core/tensor.js';
import type { Rng } from '../core/rng.js';
import type { DerivationTarget, SymbolicForm } from './types.js';
import { checkNonNegative, checkSameShape, checkTensor, fail, matrixDims, param, shapeText, vectorLength } from './validate.js';

// ---------------------------------------------------------------- helpers

function map2(a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(a.data[i]!, b.data[i]!);
  return { shape: [...a.shape], data: out };
}

// ---------------------------------------------------------------- primals

/** Ω(w) = (α/2)·Σ w²  (the "alpha-half" convention). */
export function l2PenaltyAlphaHalf(w: Tensor, alpha: number): number {
  const where = 'l2PenaltyAlphaHalf';
  checkTensor(w, where, 'w');
  checkNonNegative(alpha, where, 'alpha');
  let s = 0;
  for (const v of w.data) s += v * v;
  return 0.5 * alpha * s;
}

/** Ω(w) = λ·Σ w²  (the "lambda" convention). */
export function l2PenaltyLambda(w: Tensor, lambda: number): number {
  const where = 'l2PenaltyLambda';
  checkTensor(w, where, 'w');
  checkNonNegative(lambda, where, 'lambda');
  let s = 0;
  for (const v of w.data) s += v * v;
  return lambda * s;
}

/** Ω(w) = α·Σ |w|  (L1). */
export function l1Penalty(w: Tensor, alpha: number): number {
  const where = 'l1Penalty';
  checkTensor(w, where, 'w');
  checkNonNegative(alpha, where, 'alpha');
  let s = 0;
  for (const v of w.data) s += Math.abs(v);
  return alpha * s;
}

// ---------------------------------------------------------------- gradients

/** ∇J̃ = ∇J + α·w, the gradient of J̃(w) = J(w) + (α/2)·wᵀw ("alpha-half" convention). */
export function l2GradAlphaHalf(gradJ: Tensor, w: Tensor, alpha: number): Tensor {
  const where = 'l2GradAlphaHalf';
  checkTensor(gradJ, where, 'gradJ');
  checkTensor(w, where, 'w');
  checkSameShape(gradJ, w, where, 'gradJ', 'w');
  checkNonNegative(alpha, where, 'alpha');
  return map2(gradJ, w, (g, x) => g + alpha * x);
}

/** ∇J̃ = ∇J + 2λ·w, the gradient of J̃(w) = J(w) + λ·‖w‖² ("lambda" convention). */
export function l2GradLambda(gradJ: Tensor, w: Tensor, lambda: number): Tensor {
  const where = 'l2GradLambda';
  checkTensor(gradJ, where, 'gradJ');
  checkTensor(w, where, 'w');
  checkSameShape(gradJ, w, where, 'gradJ', 'w');
  checkNonNegative(lambda, where, 'lambda');
  return map2(gradJ, w, (g, x) => g + 2 * lambda * x);
}

/**
 * α·sign(w), with 0 at w = 0: a subgradient of α‖w‖₁.
 *
 * |w| has no derivative at 0; every value in [−α, α] is a subgradient there
 * and 0 is the conventional choice. A finite difference at 0 must not be
 * trusted: the central difference (α|h| − α|−h|)/(2h) straddles the kink and
 * returns 0 (the mean of the one-sided slopes −α and +α) whatever the code
 * claims should be there, and a one-sided difference returns ±α. The honest
 * check at 0 is that the claimed value lies between the one-sided slopes,
 * which is what `checkGradient` does when it detects a kink.
 */
export function l1Subgradient(w: Tensor, alpha: number): Tensor {
  const where = 'l1Subgradient';
  checkTensor(w, where, 'w');
  checkNonNegative(alpha, where, 'alpha');
  const out = new Float64Array(w.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = w.data[i]!;
    out[i] = v > 0 ? alpha : v < 0 ? -alpha : 0;
  }
  return { shape: [...w.shape], data: out };
}

/** ∇J̃ = ∇J + α·sign(w), a subgradient of J(w) + α‖w‖₁. */
export function l1Grad(gradJ: Tensor, w: Tensor, alpha: number): Tensor {
  const where = 'l1Grad';
  checkTensor(gradJ, where, 'gradJ');
  checkTensor(w, where, 'w');
  checkSameShape(gradJ, w, where, 'gradJ', 'w');
  checkNonNegative(alpha, where, 'alpha');
  const s = l1Subgradient(w, alpha);
  return map2(gradJ, s, (g, v) => g + v);
}

// ---------------------------------------------------------------- updates

/** The plain gradient step w − ε·g. */
export function gradientStep(w: Tensor, grad: Tensor, eps: number): Tensor {
  const where = 'gradientStep';
  checkTensor(w, where, 'w');
  checkTensor(grad, where, 'grad');
  checkSameShape(w, grad, where, 'w', 'grad');
  checkNonNegative(eps, where, 'eps');
  return map2(w, grad, (x, g) => x - eps * g);
}

/**
 * The weight-decay update w ← (1 − εα)·w − ε∇J, which equals
 * w − ε(∇J + α·w) = `gradientStep(w, l2GradAlphaHalf(gradJ, w, α), ε)`:
 * the weights shrink by the constant factor (1 − εα), then take the usual step.
 */
export function weightDecayStep(w: Tensor, gradJ: Tensor, eps: number, alpha: number): Tensor {
  const where = 'weightDecayStep';
  checkTensor(w, where, 'w');
  checkTensor(gradJ, where, 'gradJ');
  checkSameShape(w, gradJ, where, 'w', 'gradJ');
  checkNonNegative(eps, where, 'eps');
  checkNonNegative(alpha, where, 'alpha');
  const shrink = 1 - eps * alpha;
  return map2(w, gradJ, (x, g) => shrink * x - eps * g);
}

// ---------------------------------------------------------------- symbolic forms

export const symbolicForms: SymbolicForm[] = [
  {
    name: 'weight-decay/l2-alpha-half',
    primal: 'alpha/2 * w^2',
    wrt: 'w',
    derivative: 'alpha * w',
    domains: { w: [-10, 10], alpha: [0, 5] },
  },
  {
    name: 'weight-decay/l2-lambda',
    primal: 'lambda * w^2',
    wrt: 'w',
    derivative: '2 * lambda * w',
    domains: { w: [-10, 10], lambda: [0, 5] },
  },
  {
    // J(w) = c/2·(w − w0)² stands for the unregularised objective: ∇J̃ = ∇J + α·w.
    name: 'weight-decay/penalised-objective-alpha-half',
    primal: 'c/2 * (w - w0)^2 + alpha/2 * w^2',
    wrt: 'w',
    derivative: 'c * (w - w0) + alpha * w',
    domains: { w: [-10, 10], w0: [-10, 10], c: [0, 10], alpha: [0, 5] },
  },
  {
    name: 'weight-decay/l1-positive-side',
    primal: 'alpha * abs(w)',
    wrt: 'w',
    derivative: 'alpha',
    domains: { w: [0, 10], alpha: [0, 5] },
  },
  {
    name: 'weight-decay/l1-negative-side',
    primal: 'alpha * abs(w)',
    wrt: 'w',
    derivative: '-alpha',
    domains: { w: [-10, 0], alpha: [0, 5] },
  },
];

// ---------------------------------------------------------------- targets

/**
 * The unregularised objective of the targets: linear least squares
 * J(W, b) = (1/m)·Σᵢ ‖xᵢW + b − tᵢ‖² with ∂J/∂W = (2/m)·Xᵀ(XW + b − T), ∂J/∂b = (2/m)·Σᵢ rᵢ.
 */
export function leastSquares(X: Tensor, T: Tensor, W: Tensor, b: Tensor): { value: number; gradW: Tensor; gradB: Tensor } {
  const where = 'leastSquares';
  const [m, n] = matrixDims(X, where, 'X');
  const [wn, o] = matrixDims(W, where, 'W');
  if (wn !== n) fail(where, 'W', `is ${shapeText(W)} but X is ${shapeText(X)}: W needs ${n} rows`);
  vectorLength(b, where, 'b', o, 'the columns of W');
  const [tm, to] = matrixDims(T, where, 'T');
  if (tm !== m || to !== o) fail(where, 'T', `is ${shapeText(T)} but XW + b is [${m}, ${o}]`);
  const gW = new Float64Array(n * o);
  const gB = new Float64Array(o);
  let value = 0;
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < o; k++) {
      let a = b.data[k]!;
      for (let j = 0; j < n; j++) a += X.data[i * n + j]! * W.data[j * o + k]!;
      const r = a - T.data[i * o + k]!;
      value += r * r;
      const d = (2 * r) / m;
      gB[k]! += d;
      for (let j = 0; j < n; j++) gW[j * o + k]! += X.data[i * n + j]! * d;
    }
  }
  return { value: value / m, gradW: { shape: [n, o], data: gW }, gradB: { shape: [o], data: gB } };
}

const get = (p: ReadonlyMap<string, Tensor>, name: string): Tensor => param(p, name, 'weight-decay target');


function regressionProblem(rng: Rng): { X: Tensor; T: Tensor; W: Tensor; b: Tensor } {
  const m = 2 + rng.int(5);
  const n = 1 + rng.int(4);
  const o = 1 + rng.int(3);
  return { X: randomTensor(rng, [m, n]), T: randomTensor(rng, [m, o]), W: randomTensor(rng, [n, o]), b: randomTensor(rng, [o], 0.5) };
}


export const targets: DerivationTarget[] = [
  {
    name: 'derivation/weight-decay/l2-alpha-half',
    description: 'least squares + (α/2)‖W‖² (bias not penalised): ∇W = ∇J + α·W, ∇b = ∇J',
    make(rng) {
      const { X, T, W, b } = regressionProblem(rng);
      const alpha = rng.range(0.1, 3);
      return {
        params: new Map([['W', W], ['b', b]]),
        objective: (p) => leastSquares(X, T, get(p, 'W'), get(p, 'b')).value + l2PenaltyAlphaHalf(get(p, 'W'), alpha),
        grad: (p) => {
          const j = leastSquares(X, T, get(p, 'W'), get(p, 'b'));
          return new Map([['W', l2GradAlphaHalf(j.gradW, get(p, 'W'), alpha)], ['b', j.gradB]]);
        },
      };
    },
  },
  {
    name: 'derivation/weight-decay/l2-lambda',
    description: 'least squares + λ‖W‖² (bias not penalised): ∇W = ∇J + 2λ·W, ∇b = ∇J',
    make(rng) {
      const { X, T, W, b } = regressionProblem(rng);
      const lambda = rng.range(0.1, 3);
      return {
        params: new Map([['W', W], ['b', b]]),
        objective: (p) => leastSquares(X, T, get(p, 'W'), get(p, 'b')).value + l2PenaltyLambda(get(p, 'W'), lambda),
        grad: (p) => {
          const j = leastSquares(X, T, get(p, 'W'), get(p, 'b'));
          return new Map([['W', l2GradLambda(j.gradW, get(p, 'W'), lambda)], ['b', j.gradB]]);
        },
      };
    },
  },
  {
    name: 'derivation/weight-decay/l1',
    description: 'least squares + α‖W‖₁ with every weight away from 0: ∇W = ∇J + α·sign(W)',
    make(rng) {
      const { X, T, W, b } = regressionProblem(rng);
      // Keep every weight at least 0.25 from the kink at 0.
      for (let i = 0; i < W.data.length; i++) W.data[i] = (W.data[i]! < 0 ? -1 : 1) * (0.25 + Math.abs(W.data[i]!));
      const alpha = rng.range(0.1, 3);
      return {
        params: new Map([['W', W], ['b', b]]),
        objective: (p) => leastSquares(X, T, get(p, 'W'), get(p, 'b')).value + l1Penalty(get(p, 'W'), alpha),
        grad: (p) => {
          const j = leastSquares(X, T, get(p, 'W'), get(p, 'b'));
          return new Map([['W', l1Grad(j.gradW, get(p, 'W'), alpha)], ['b', j.gradB]]);
        },
      };
    },
  },
];
