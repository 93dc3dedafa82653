/**
 * The registry of reference answers. Every reference wraps closed forms of
 * `src/derivations` (never a submission) and takes the exercise's arguments
 * in the exercise's order, as plain JSON values.
 *
 * Every reference also names its primal: the scalar function whose gradient
 * the reference claims to be, at a point built from the same arguments, so
 * that the project's tests can hold each reference against finite
 * differences of its primal with `checkGradient`. For the exercises whose
 * answer is not itself a gradient (a weight-decay step, a shrink factor, a
 * regularised optimum) the primal is the objective the answer is about, and
 * the claimed gradient says what the answer must satisfy (the step's
 * gradient, or zero at the optimum).
 */
import { TensorLayout } from '../core/layout.js';
import type { Tensor } from '../core/tensor.js';
import { l2GradAlphaHalf, l2PenaltyAlphaHalf, weightDecayStep } from '../derivations/weight-decay.js';
import { quadraticObjective, shrinkFactors, wTildeInverse } from '../derivations/regularized-optimum.js';
import { dOmegaDW, sparsityPenalty } from '../derivations/kl-sparsity.js';
import { tiedGradient, tiedLoss } from '../derivations/tied-weights.js';
import { bnBackward, bnForward, denseThenBn } from '../derivations/batchnorm.js';
import { softmaxCrossEntropy, softmaxCrossEntropyGrad, twoLayerForward, twoLayerGradsByJacobians } from '../derivations/jacobian-backprop.js';
import { dropoutBackward, dropoutForward } from '../derivations/dropout.js';
import type { Value } from './types.js';

/** A scalar objective at a point and the gradient the reference claims there (for checkGradient). */
export interface PrimalCheck {
  /** The primal, in words. */
  what: string;
  /** The point (flattened parameters). */
  x: Float64Array;
  f(x: Float64Array): number;
  /** The claimed gradient at x (built from the reference). */
  grad(x: Float64Array): Float64Array;
}

export interface Reference {
  /** What it wraps. */
  doc: string;
  /** The reference answer for the exercise's arguments (throws outside the derivation's domain). */
  compute(args: readonly Value[]): Value;
  /** The primal the reference is checked against. */
  primal(args: readonly Value[]): PrimalCheck;
}

// ---------------------------------------------------------------- conversions

const num = (v: Value | undefined): number => v as number;

function vec(v: Value | undefined): Tensor {
  const a = v as number[];
  return { shape: [a.length], data: Float64Array.from(a) };
}

function mat(v: Value | undefined): Tensor {
  const rows = v as number[][];
  const m = rows.length;
  const n = m ? rows[0]!.length : 0;
  const data = new Float64Array(m * n);
  rows.forEach((r, i) => data.set(r, i * n));
  return { shape: [m, n], data };
}

function toVec(t: Tensor | Float64Array): number[] {
  return Array.from('data' in t ? t.data : t);
}

function toMat(t: Tensor): number[][] {
  const [m, n] = [t.shape[0]!, t.shape[1]!];
  return Array.from({ length: m }, (_, i) => Array.from(t.data.subarray(i * n, (i + 1) * n)));
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

// ---------------------------------------------------------------- the registry

export const references: Readonly<Record<string, Reference>> = {
  l2PenaltyGradient: {
    doc: 'weight-decay.ts l2GradAlphaHalf(0, w, alpha) = alpha·w, the gradient of l2PenaltyAlphaHalf = (alpha/2)·Σw²',
    compute([w, alpha]) {
      const t = vec(w);
      return toVec(l2GradAlphaHalf({ shape: t.shape, data: new Float64Array(t.data.length) }, t, num(alpha)));
    },
    primal([w, alpha]) {
      const t = vec(w);
      const a = num(alpha);
      return {
        what: '(alpha/2)·Σw² (l2PenaltyAlphaHalf) as a function of w',
        x: t.data.slice(),
        f: (x) => l2PenaltyAlphaHalf({ shape: t.shape, data: x }, a),
        grad: (x) => Float64Array.from(this.compute([Array.from(x), a]) as number[]),
      };
    },
  },

  weightDecayStep: {
    doc: 'weight-decay.ts weightDecayStep(w, grad, lr, alpha) = (1 − lr·alpha)·w − lr·grad',
    compute([w, grad, lr, alpha]) {
      return toVec(weightDecayStep(vec(w), vec(grad), num(lr), num(alpha)));
    },
    primal([w, grad, lr, alpha]) {
      // J̃(v) = gᵀv + (alpha/2)‖v‖² has ∇J̃ = g + alpha·v; one step from w is w − lr·∇J̃(w),
      // so (w − step)/lr must be ∇J̃(w).
      const g = vec(grad);
      const [eta, a] = [num(lr), num(alpha)];
      if (!(eta > 0)) throw new RangeError('weightDecayStep primal: lr must be > 0');
      return {
        what: 'J̃(v) = gradᵀv + (alpha/2)‖v‖², whose gradient the step (w − step)/lr must be',
        x: vec(w).data.slice(),
        f: (x) => dot(g.data, x) + l2PenaltyAlphaHalf({ shape: [x.length], data: x }, a),
        grad: (x) => {
          const step = weightDecayStep({ shape: [x.length], data: x }, g, eta, a).data;
          return x.map((v, i) => (v - step[i]!) / eta);
        },
      };
    },
  },

  weightDecayShrinkFactor: {
    doc: 'regularized-optimum.ts shrinkFactors([[lambda]], alpha)[0] = lambda/(lambda + alpha)',
    compute([lambda, alpha]) {
      return shrinkFactors({ shape: [1, 1], data: Float64Array.of(num(lambda)) }, num(alpha))[0]!;
    },
    primal([lambda, alpha]) {
      // Along one eigenvector with w* = 1: f(w) = ½·lambda·(w − 1)² + (alpha/2)·w² is minimal at the factor.
      const q = quadraticObjective({ shape: [1, 1], data: Float64Array.of(num(lambda)) }, { shape: [1], data: Float64Array.of(1) }, num(alpha));
      const factor = this.compute([lambda!, alpha!]) as number;
      return {
        what: '½·lambda·(w − 1)² + (alpha/2)·w², stationary at w = the factor (quadraticObjective)',
        x: Float64Array.of(factor),
        f: (x) => q.f({ shape: [1], data: x }),
        grad: (x) => new Float64Array(x.length),
      };
    },
  },

  weightDecayOptimum: {
    doc: 'regularized-optimum.ts wTildeInverse(H, wStar, alpha) = (H + alpha·I)⁻¹·H·wStar',
    compute([H, wStar, alpha]) {
      return toVec(wTildeInverse(mat(H), vec(wStar), num(alpha)));
    },
    primal([H, wStar, alpha]) {
      const q = quadraticObjective(mat(H), vec(wStar), num(alpha));
      const w = Float64Array.from(this.compute([H!, wStar!, alpha!]) as number[]);
      return {
        what: '½(w − w*)ᵀH(w − w*) + (alpha/2)‖w‖² (quadraticObjective), stationary at the optimum',
        x: w,
        f: (x) => q.f({ shape: [x.length], data: x }),
        grad: (x) => new Float64Array(x.length),
      };
    },
  },

  klSparsityWeightGradient: {
    doc: 'kl-sparsity.ts dOmegaDW(X, W, b, rho, beta) = beta·(1/m)·Σᵢ xᵢⱼ·σ′(aᵢₗ)·(−rho/ρ̂ₗ + (1 − rho)/(1 − ρ̂ₗ))',
    compute([W, b, X, rho, beta]) {
      return toMat(dOmegaDW(mat(X), mat(W), vec(b), num(rho), num(beta)));
    },
    primal([W, b, X, rho, beta]) {
      const [Wt, bt, Xt] = [mat(W), vec(b), mat(X)];
      const [r, be] = [num(rho), num(beta)];
      return {
        what: 'beta·Σₗ KL(rho ‖ ρ̂ₗ) with ρ̂ = mean over the batch of σ(X·W + b) (sparsityPenalty), as a function of W',
        x: Wt.data.slice(),
        f: (x) => sparsityPenalty(Xt, { shape: Wt.shape, data: x }, bt, r, be),
        grad: (x) => dOmegaDW(Xt, { shape: Wt.shape, data: x }, bt, r, be).data,
      };
    },
  },

  tiedAutoencoderGradient: {
    doc: 'tied-weights.ts tiedGradient(X, W, b, c): encoder path + (decoder path)ᵀ',
    compute([W, b, c, X]) {
      return toMat(tiedGradient(mat(X), mat(W), vec(b), vec(c)));
    },
    primal([W, b, c, X]) {
      const [Wt, bt, ct, Xt] = [mat(W), vec(b), vec(c), mat(X)];
      return {
        what: 'L = (1/m)Σᵢ‖σ(xᵢW + b)Wᵀ + c − xᵢ‖² (tiedLoss) as a function of W',
        x: Wt.data.slice(),
        f: (x) => tiedLoss(Xt, { shape: Wt.shape, data: x }, bt, ct),
        grad: (x) => tiedGradient(Xt, { shape: Wt.shape, data: x }, bt, ct).data,
      };
    },
  },

  batchnormBackward: {
    doc: 'batchnorm.ts bnForward + bnBackward: {dA, dGamma, dBeta} for upstream dY',
    compute([A, gamma, dY, eps]) {
      const g = vec(gamma);
      const f = bnForward(mat(A), g, { shape: g.shape, data: new Float64Array(g.data.length) }, num(eps));
      const r = bnBackward(mat(dY), f.ahat, f.variance, g, num(eps));
      return { dA: toMat(r.da), dGamma: toVec(r.dgamma), dBeta: toVec(r.dbeta) };
    },
    primal([A, gamma, dY, eps]) {
      const [At, gt, dYt] = [mat(A), vec(gamma), mat(dY)];
      const e = num(eps);
      const n = gt.data.length;
      const layout = new TensorLayout([['A', At.shape], ['gamma', [n]], ['beta', [n]]]);
      return {
        what: 'J(A, gamma, beta) = Σ dY ⊙ BN(A; gamma, beta) (bnForward, training mode) at beta = 0',
        x: layout.flatten({ A: At, gamma: gt, beta: { data: new Float64Array(n) } }),
        f: (x) => {
          const p = layout.tensors(x);
          return dot(dYt.data, bnForward(p.get('A')!, p.get('gamma')!, p.get('beta')!, e).y.data);
        },
        grad: (x) => {
          const p = layout.tensors(x);
          const r = this.compute([toMat(p.get('A')!), toVec(p.get('gamma')!), dY!, e]) as Record<string, Value>;
          return layout.flatten({ A: { data: (r.dA as number[][]).flat() }, gamma: { data: r.dGamma as number[] }, beta: { data: r.dBeta as number[] } });
        },
      };
    },
  },

  batchnormBiasGradient: {
    doc: 'batchnorm.ts §5: b cancels in A − μ, so ∂L/∂b = 0 exactly (denseThenBn validates the arguments)',
    compute([X, W, b, gamma, beta, dY, eps]) {
      const f = denseThenBn(mat(X), mat(W), vec(b), vec(gamma), vec(beta), num(eps));
      const [m, n] = [f.y.shape[0]!, f.y.shape[1]!];
      const dy = mat(dY);
      if (dy.shape[0] !== m || dy.shape[1] !== n) throw new RangeError(`batchnormBiasGradient: dY must be [${m}, ${n}]`);
      return new Array<number>(n).fill(0);
    },
    primal([X, W, b, gamma, beta, dY, eps]) {
      const [Xt, Wt, gt, bt, dYt] = [mat(X), mat(W), vec(gamma), vec(beta), mat(dY)];
      const e = num(eps);
      return {
        what: 'L(b) = Σ dY ⊙ BN(X·W + b; gamma, beta) (denseThenBn) as a function of b',
        x: vec(b).data.slice(),
        f: (x) => dot(dYt.data, denseThenBn(Xt, Wt, { shape: [x.length], data: x }, gt, bt, e).y.data),
        grad: (x) => Float64Array.from(this.compute([X!, W!, Array.from(x), gamma!, beta!, dY!, e]) as number[]),
      };
    },
  },

  softmaxCrossEntropyGradient: {
    doc: 'jacobian-backprop.ts softmaxCrossEntropyGrad(z, y) = softmax(z) − y',
    compute([z, y]) {
      return toVec(softmaxCrossEntropyGrad(vec(z), vec(y)));
    },
    primal([z, y]) {
      const yt = vec(y);
      return {
        what: '−Σ y·log softmax(z) (softmaxCrossEntropy) as a function of z',
        x: vec(z).data.slice(),
        f: (x) => softmaxCrossEntropy({ shape: [x.length], data: x }, yt),
        grad: (x) => softmaxCrossEntropyGrad({ shape: [x.length], data: x }, yt).data,
      };
    },
  },

  twoLayerBackprop: {
    doc: 'jacobian-backprop.ts twoLayerGradsByJacobians({W1, W2, v}, x, y, tanh): {dW1, dW2, dv}',
    compute([W1, W2, v, x, y]) {
      const g = twoLayerGradsByJacobians({ W1: mat(W1), W2: mat(W2), v: vec(v) }, vec(x), num(y), 'tanh');
      return { dW1: toMat(g.dW1), dW2: toMat(g.dW2), dv: toVec(g.dv) };
    },
    primal([W1, W2, v, x, y]) {
      const [a, b, c] = [mat(W1), mat(W2), vec(v)];
      const xt = vec(x);
      const yy = num(y);
      const layout = TensorLayout.of({ W1: a, W2: b, v: c });
      const split = (p: Float64Array): { W1: Tensor; W2: Tensor; v: Tensor } => {
        const t = layout.tensors(p);
        return { W1: t.get('W1')!, W2: t.get('W2')!, v: t.get('v')! };
      };
      return {
        what: '½(vᵀtanh(W2ᵀtanh(W1ᵀx)) − y)² (twoLayerForward) as a function of W1, W2, v',
        x: layout.flatten({ W1: a, W2: b, v: c }),
        f: (p) => twoLayerForward(split(p), xt, yy, 'tanh').loss,
        grad: (p) => {
          const g = twoLayerGradsByJacobians(split(p), xt, yy, 'tanh');
          return layout.flatten({ W1: g.dW1, W2: g.dW2, v: g.dv });
        },
      };
    },
  },

  dropoutBackward: {
    doc: 'dropout.ts dropoutBackward(dY, mask, keep) = dY ⊙ mask / keep',
    compute([dY, mask, keep]) {
      return toMat(dropoutBackward(mat(dY), mat(mask), num(keep)));
    },
    primal([dY, mask, keep]) {
      const [dYt, mt] = [mat(dY), mat(mask)];
      const p = num(keep);
      return {
        what: 'J(X) = Σ dY ⊙ (X ⊙ mask / keep) (dropoutForward) as a function of X, at X = dY',
        x: dYt.data.slice(),
        f: (x) => dot(dYt.data, dropoutForward({ shape: dYt.shape, data: x }, mt, p).data),
        grad: () => dropoutBackward(dYt, mt, p).data,
      };
    },
  },
};

/** The reference of this name, or undefined. */
export function getReference(name: string): Reference | undefined {
  return Object.hasOwn(references, name) ? references[name] : undefined;
}
