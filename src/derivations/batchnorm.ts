/**
 * §5 of the derivations: batch normalisation cancels the bias.
 *
 * On a batch a [m, n] (training mode, biased batch variance):
 *   μ = (1/m)Σᵢ aᵢ,  σ² = (1/m)Σᵢ (aᵢ − μ)²,  â = (a − μ)/sqrt(σ² + ε),  y = γ ⊙ â + β.
 *
 * With a = h·W + b the bias b appears in both a and μ and cancels in a − μ,
 * so y does not depend on b and ∂J/∂b = 0 exactly, whatever follows; β takes
 * over the bias's role. γ = sqrt(σ² + ε), β = μ makes BN the identity.
 *
 * The backward pass (the lecture's closed form):
 *   dâ = dy ⊙ γ,
 *   da = (1/(m·sqrt(σ² + ε)))·(m·dâ − Σᵢ dâ − â ⊙ Σᵢ(dâ ⊙ â)),
 *   dγ = Σᵢ dy ⊙ â,   dβ = Σᵢ dy.
 */
import type { Tensor } from '../core/tensor.js';
import type { Rng } from '../core/rng.js';
import type { DerivationTarget, SymbolicForm } from './types.js';
import { checkNonNegative, fail, matrixDims, param, shapeText, vectorLength } from './validate.js';

// ---------------------------------------------------------------- validation

/** μ and σ² (biased) of each column; throws when σ² + ε = 0 (a constant column with ε = 0). */
function moments(a: Tensor, m: number, n: number, eps: number, where: string): { mu: Float64Array; variance: Float64Array } {
  const mu = new Float64Array(n);
  const variance = new Float64Array(n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) mu[j]! += a.data[i * n + j]!;
  for (let j = 0; j < n; j++) mu[j]! /= m;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const d = a.data[i * n + j]! - mu[j]!;
      variance[j]! += d * d;
    }
  }
  for (let j = 0; j < n; j++) {
    variance[j]! /= m;
    if (!(variance[j]! + eps > 0)) {
      throw new RangeError(`${where}: column ${j} has σ² + eps = ${variance[j]! + eps}; use eps > 0 for constant columns (and m = 1)`);
    }
  }
  return { mu, variance };
}

// ---------------------------------------------------------------- forward and backward

export interface BnForward {
  /** â = (a − μ)/sqrt(σ² + ε)  [m, n] */
  ahat: Tensor;
  /** y = γ ⊙ â + β  [m, n] */
  y: Tensor;
  /** μ, the batch mean of each column  [n] */
  mu: Tensor;
  /** σ², the biased batch variance of each column  [n] */
  variance: Tensor;
}

/** Training-mode BN: μ = mean(a), σ² = mean((a − μ)²), â = (a − μ)/sqrt(σ² + ε), y = γ ⊙ â + β. */
export function bnForward(a: Tensor, gamma: Tensor, beta: Tensor, eps: number): BnForward {
  const where = 'bnForward';
  const [m, n] = matrixDims(a, where, 'a');
  vectorLength(gamma, where, 'gamma', n, 'one per column');
  vectorLength(beta, where, 'beta', n, 'one per column');
  checkNonNegative(eps, where, 'eps');
  const { mu, variance } = moments(a, m, n, eps, where);
  const ahat = new Float64Array(m * n);
  const y = new Float64Array(m * n);
  for (let j = 0; j < n; j++) {
    const s = Math.sqrt(variance[j]! + eps);
    for (let i = 0; i < m; i++) {
      const q = i * n + j;
      ahat[q] = (a.data[q]! - mu[j]!) / s;
      y[q] = gamma.data[j]! * ahat[q]! + beta.data[j]!;
    }
  }
  return {
    ahat: { shape: [m, n], data: ahat },
    y: { shape: [m, n], data: y },
    mu: { shape: [n], data: mu },
    variance: { shape: [n], data: variance },
  };
}

export interface BnGradients {
  /** dJ/da  [m, n] */
  da: Tensor;
  /** dJ/dγ = Σᵢ dy ⊙ â  [n] */
  dgamma: Tensor;
  /** dJ/dβ = Σᵢ dy  [n] */
  dbeta: Tensor;
}

/**
 * The lecture's closed form, from dy = dJ/dy and the forward's â and σ²:
 *   dâ = dy ⊙ γ,
 *   da = (1/(m·sqrt(σ² + ε)))·(m·dâ − Σᵢ dâ − â ⊙ Σᵢ(dâ ⊙ â)),
 *   dγ = Σᵢ dy ⊙ â,   dβ = Σᵢ dy.
 */
export function bnBackward(dy: Tensor, ahat: Tensor, variance: Tensor, gamma: Tensor, eps: number): BnGradients {
  const where = 'bnBackward';
  const [m, n] = matrixDims(dy, where, 'dy');
  const [m2, n2] = matrixDims(ahat, where, 'ahat');
  if (m2 !== m || n2 !== n) {
    fail(where, 'ahat', `is ${shapeText(ahat)} but dy is ${shapeText(dy)}: they must have the same shape`);
  }
  vectorLength(variance, where, 'variance', n, 'one per column');
  vectorLength(gamma, where, 'gamma', n, 'one per column');
  checkNonNegative(eps, where, 'eps');
  const dahat = new Float64Array(m * n);
  const sumDahat = new Float64Array(n);
  const sumDahatAhat = new Float64Array(n);
  const dgamma = new Float64Array(n);
  const dbeta = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const q = i * n + j;
      const g = dy.data[q]!;
      const h = ahat.data[q]!;
      const d = g * gamma.data[j]!; // dâ = dy·γ
      dahat[q] = d;
      sumDahat[j]! += d;
      sumDahatAhat[j]! += d * h;
      dgamma[j]! += g * h; // dγ = Σ dy ⊙ â
      dbeta[j]! += g; // dβ = Σ dy
    }
  }
  const da = new Float64Array(m * n);
  for (let j = 0; j < n; j++) {
    const s = variance.data[j]! + eps;
    if (!(s > 0)) throw new RangeError(`${where}: column ${j} has σ² + eps = ${s}, which must be > 0`);
    const scale = 1 / (m * Math.sqrt(s));
    for (let i = 0; i < m; i++) {
      const q = i * n + j;
      da[q] = scale * (m * dahat[q]! - sumDahat[j]! - ahat.data[q]! * sumDahatAhat[j]!);
    }
  }
  return { da: { shape: [m, n], data: da }, dgamma: { shape: [n], data: dgamma }, dbeta: { shape: [n], data: dbeta } };
}

/** γ = sqrt(σ² + ε), β = μ: the parameters that make BN the identity on this batch (y = a). */
export function bnIdentityParams(a: Tensor, eps: number): { gamma: Tensor; beta: Tensor } {
  const where = 'bnIdentityParams';
  const [m, n] = matrixDims(a, where, 'a');
  checkNonNegative(eps, where, 'eps');
  const { mu, variance } = moments(a, m, n, eps, where);
  return { gamma: { shape: [n], data: variance.map((v) => Math.sqrt(v + eps)) }, beta: { shape: [n], data: mu } };
}

/** a = h·W + b, then training-mode BN: returns a and BN's forward. The output y does not depend on b. */
export function denseThenBn(
  h: Tensor,
  W: Tensor,
  b: Tensor,
  gamma: Tensor,
  beta: Tensor,
  eps: number,
): BnForward & { a: Tensor } {
  const where = 'denseThenBn';
  const [m, p] = matrixDims(h, where, 'h');
  const [wp, n] = matrixDims(W, where, 'W');
  if (wp !== p) fail(where, 'W', `must be [${p}, n] to match h ${shapeText(h)}, got ${shapeText(W)}`);
  vectorLength(b, where, 'b', n, 'one per column');
  vectorLength(gamma, where, 'gamma', n, 'one per column');
  vectorLength(beta, where, 'beta', n, 'one per column');
  checkNonNegative(eps, where, 'eps');
  const a = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = b.data[j]!;
      for (let k = 0; k < p; k++) s += h.data[i * p + k]! * W.data[k * n + j]!;
      a[i * n + j] = s;
    }
  }
  const at: Tensor = { shape: [m, n], data: a };
  return { a: at, ...bnForward(at, gamma, beta, eps) };
}

// ---------------------------------------------------------------- symbolic forms

export const symbolicForms: SymbolicForm[] = [
  {
    // A batch of two, one column: a_i = h_i·w + b. â₁ = (a₁ − μ)/sqrt(σ² + ε) with
    // μ = (a₁ + a₂)/2, σ² = ((a₁ − a₂)/2)². The bias cancels: ∂â₁/∂b = 0.
    name: 'batchnorm/bias-cancels-batch-of-two',
    primal:
      '((h1 * w + b) - ((h1 * w + b) + (h2 * w + b)) / 2) / sqrt((((h1 * w + b) - (h2 * w + b)) / 2)^2 + eps)',
    wrt: 'b',
    derivative: '0',
    domains: { h1: [-3, 3], h2: [-3, 3], w: [-3, 3], b: [-3, 3], eps: [0.001, 1] },
  },
  {
    // The same â₁ as a function of a₁ (a₂ fixed): with d = (a₁ − a₂)/2,
    // â₁ = d/sqrt(d² + ε) and ∂â₁/∂a₁ = ε/(2(d² + ε)^(3/2)), which the closed form gives with m = 2.
    name: 'batchnorm/dahat-da-batch-of-two',
    primal: '((a1 - a2) / 2) / sqrt(((a1 - a2) / 2)^2 + eps)',
    wrt: 'a1',
    derivative: 'eps / (2 * (((a1 - a2) / 2)^2 + eps)^(3/2))',
    domains: { a1: [-5, 5], a2: [-5, 5], eps: [0.001, 1] },
  },
];

// ---------------------------------------------------------------- targets


function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

const BACKWARD = 'derivation/batchnorm/backward';
const BIAS = 'derivation/batchnorm/bias-cancels';

export const targets: DerivationTarget[] = [
  {
    name: BACKWARD,
    description: 'J = Σ R ⊙ BN(a; γ, β) for a random R: da, dγ, dβ from the lecture closed form',
    make(rng: Rng) {
      const m = 1 + rng.int(6);
      const n = 1 + rng.int(4);
      const eps = 1e-3;
      const R = rng.normals(m * n);
      return {
        params: new Map([
          ['a', { shape: [m, n], data: rng.normals(m * n, 2) }],
          ['gamma', { shape: [n], data: Float64Array.from(rng.normals(n), (v) => 1 + 0.5 * v) }],
          ['beta', { shape: [n], data: rng.normals(n, 0.5) }],
        ]),
        objective: (p) => dot(R, bnForward(param(p, 'a', BACKWARD), param(p, 'gamma', BACKWARD), param(p, 'beta', BACKWARD), eps).y.data),
        grad: (p) => {
          const gamma = param(p, 'gamma', BACKWARD);
          const f = bnForward(param(p, 'a', BACKWARD), gamma, param(p, 'beta', BACKWARD), eps);
          const g = bnBackward({ shape: [m, n], data: R }, f.ahat, f.variance, gamma, eps);
          return new Map([['a', g.da], ['gamma', g.dgamma], ['beta', g.dbeta]]);
        },
      };
    },
  },
  {
    name: BIAS,
    description: 'J = Σ R ⊙ BN(hW + b; γ, β): dW = hᵀ·da and ∂J/∂b claimed exactly 0',
    make(rng: Rng) {
      const m = 2 + rng.int(5);
      const p = 1 + rng.int(4);
      const n = 1 + rng.int(4);
      const eps = 1e-3;
      const h: Tensor = { shape: [m, p], data: rng.normals(m * p) };
      const R = rng.normals(m * n);
      return {
        params: new Map([
          ['W', { shape: [p, n], data: rng.normals(p * n) }],
          ['b', { shape: [n], data: rng.normals(n) }],
          ['gamma', { shape: [n], data: Float64Array.from(rng.normals(n), (v) => 1 + 0.5 * v) }],
          ['beta', { shape: [n], data: rng.normals(n, 0.5) }],
        ]),
        objective: (q) =>
          dot(R, denseThenBn(h, param(q, 'W', BIAS), param(q, 'b', BIAS), param(q, 'gamma', BIAS), param(q, 'beta', BIAS), eps).y.data),
        grad: (q) => {
          const gamma = param(q, 'gamma', BIAS);
          const f = denseThenBn(h, param(q, 'W', BIAS), param(q, 'b', BIAS), gamma, param(q, 'beta', BIAS), eps);
          const g = bnBackward({ shape: [m, n], data: R }, f.ahat, f.variance, gamma, eps);
          const dW = new Float64Array(p * n);
          for (let i = 0; i < m; i++) {
            for (let k = 0; k < p; k++) {
              for (let j = 0; j < n; j++) dW[k * n + j]! += h.data[i * p + k]! * g.da.data[i * n + j]!;
            }
          }
          return new Map([
            ['W', { shape: [p, n], data: dW }],
            ['b', { shape: [n], data: new Float64Array(n) }],
            ['gamma', g.dgamma],
            ['beta', g.dbeta],
          ]);
        },
      };
    },
  },
];
