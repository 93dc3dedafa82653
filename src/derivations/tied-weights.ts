/**
 * §4 of the derivations: tied weights, the two-path gradient.
 *
 * The tied autoencoder on a batch X [m, n] with W [n, k], b [k], c [n]:
 *   A = XW + b,  H = σ(A),  X̂ = H·W* + c  with  W* = Wᵀ  [k, n],
 *   L = (1/m) Σᵢ Σⱼ (x̂ᵢⱼ − xᵢⱼ)²          (the lectures' batch-mean squared error).
 *
 * One matrix is used twice, so its gradient is the sum over both paths:
 *   dX̂ = (2/m)(X̂ − X),
 *   decoder path:  ∂L/∂W* = Hᵀ·dX̂  [k, n],  contributing ((∂L/∂W*)|dec)ᵀ = dX̂ᵀ·H  [n, k];
 *   encoder path:  dA = (dX̂·W) ⊙ σ′(A),  (∂L/∂W)|enc = Xᵀ·dA  [n, k];
 *   dL/dW = (∂L/∂W)|enc + ((∂L/∂W*)|dec)ᵀ;   ∂L/∂b = Σᵢ dAᵢ;   ∂L/∂c = Σᵢ dX̂ᵢ.
 *
 * Dropping either path, or adding ∂L/∂W* without its transpose, is wrong,
 * and the functions that do so are kept (named as such) for the properties
 * that show a gradient check catching each mistake.
 */
import { sigmoidScalar } from '../core/ops/activations.js';
import type { Tensor } from '../core/tensor.js';
import type { Rng } from '../core/rng.js';
import type { DerivationTarget, SymbolicForm } from './types.js';
import { fail, matrixDims, param, shapeText, vectorLength } from './validate.js';

// ---------------------------------------------------------------- validation

/** X [m, n] (m ≥ 1), W [n, k], b [k], c [n]; returns [m, n, k]. */
function checkAe(X: Tensor, W: Tensor, b: Tensor, c: Tensor, where: string): [number, number, number] {
  const [m, n] = matrixDims(X, where, 'X');
  const [wn, k] = matrixDims(W, where, 'W');
  if (wn !== n) fail(where, 'W', `must be [${n}, k] to match X ${shapeText(X)}, got ${shapeText(W)}`);
  vectorLength(b, where, 'b', k, 'the code width');
  vectorLength(c, where, 'c', n, 'the input width');
  return [m, n, k];
}

// ---------------------------------------------------------------- forward and backward

export interface TiedForward {
  /** A = XW + b  [m, k] */
  A: Tensor;
  /** H = σ(A)  [m, k] */
  H: Tensor;
  /** X̂ = H·Wᵀ + c  [m, n] */
  Xhat: Tensor;
  /** L = (1/m) Σᵢⱼ (x̂ᵢⱼ − xᵢⱼ)² */
  loss: number;
}

/** The tied autoencoder's forward pass: A = XW + b, H = σ(A), X̂ = H·Wᵀ + c, L = (1/m)Σᵢⱼ(x̂ᵢⱼ − xᵢⱼ)². */
export function tiedForward(X: Tensor, W: Tensor, b: Tensor, c: Tensor): TiedForward {
  const [m, n, k] = checkAe(X, W, b, c, 'tiedForward');
  return forward(X, W, b, c, m, n, k);
}

function forward(X: Tensor, W: Tensor, b: Tensor, c: Tensor, m: number, n: number, k: number): TiedForward {
  const A = new Float64Array(m * k);
  const H = new Float64Array(m * k);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < k; l++) {
      let a = b.data[l]!;
      for (let j = 0; j < n; j++) a += X.data[i * n + j]! * W.data[j * k + l]!;
      A[i * k + l] = a;
      H[i * k + l] = sigmoidScalar(a);
    }
  }
  const Xhat = new Float64Array(m * n);
  let loss = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      // x̂ᵢⱼ = Σ_l H_il·W*_lj + c_j, W*_lj = W_jl
      let s = c.data[j]!;
      for (let l = 0; l < k; l++) s += H[i * k + l]! * W.data[j * k + l]!;
      Xhat[i * n + j] = s;
      const r = s - X.data[i * n + j]!;
      loss += r * r;
    }
  }
  return { A: { shape: [m, k], data: A }, H: { shape: [m, k], data: H }, Xhat: { shape: [m, n], data: Xhat }, loss: loss / m };
}

/** L = (1/m) Σᵢ Σⱼ (x̂ᵢⱼ − xᵢⱼ)² of the tied autoencoder X̂ = σ(XW + b)Wᵀ + c. */
export function tiedLoss(X: Tensor, W: Tensor, b: Tensor, c: Tensor): number {
  const [m, n, k] = checkAe(X, W, b, c, 'tiedLoss');
  return forward(X, W, b, c, m, n, k).loss;
}

interface Backward {
  /** dX̂ = (2/m)(X̂ − X)  [m, n] */
  dXhat: Float64Array;
  /** dA = (dX̂·W) ⊙ σ′(A)  [m, k] */
  dA: Float64Array;
  H: Float64Array;
}

function backward(X: Tensor, W: Tensor, b: Tensor, c: Tensor, m: number, n: number, k: number): Backward {
  const f = forward(X, W, b, c, m, n, k);
  const dXhat = new Float64Array(m * n);
  for (let q = 0; q < dXhat.length; q++) dXhat[q] = (2 * (f.Xhat.data[q]! - X.data[q]!)) / m;
  const H = f.H.data;
  const dA = new Float64Array(m * k);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < k; l++) {
      // dH_il = Σⱼ dX̂_ij·W*_lj = Σⱼ dX̂_ij·W_jl
      let s = 0;
      for (let j = 0; j < n; j++) s += dXhat[i * n + j]! * W.data[j * k + l]!;
      const h = H[i * k + l]!;
      dA[i * k + l] = s * h * (1 - h);
    }
  }
  return { dXhat, dA, H };
}

/** (∂L/∂W)|encoder = Xᵀ·dA with dA = (dX̂·W) ⊙ σ′(A), dX̂ = (2/m)(X̂ − X): [n, k]. Alone it is NOT dL/dW. */
export function encoderPathGradW(X: Tensor, W: Tensor, b: Tensor, c: Tensor): Tensor {
  const [m, n, k] = checkAe(X, W, b, c, 'encoderPathGradW');
  const { dA } = backward(X, W, b, c, m, n, k);
  const out = new Float64Array(n * k);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const x = X.data[i * n + j]!;
      for (let l = 0; l < k; l++) out[j * k + l]! += x * dA[i * k + l]!;
    }
  }
  return { shape: [n, k], data: out };
}

/** (∂L/∂W*)|decoder = Hᵀ·dX̂ with dX̂ = (2/m)(X̂ − X): [k, n], the gradient of the decoder matrix W* as if it were free. */
export function decoderPathGradWStar(X: Tensor, W: Tensor, b: Tensor, c: Tensor): Tensor {
  const [m, n, k] = checkAe(X, W, b, c, 'decoderPathGradWStar');
  const { dXhat, H } = backward(X, W, b, c, m, n, k);
  const out = new Float64Array(k * n);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < k; l++) {
      const h = H[i * k + l]!;
      for (let j = 0; j < n; j++) out[l * n + j]! += h * dXhat[i * n + j]!;
    }
  }
  return { shape: [k, n], data: out };
}

/** ((∂L/∂W*)|decoder)ᵀ = dX̂ᵀ·H: [n, k], the decoder path's contribution to dL/dW. Alone it is NOT dL/dW. */
export function decoderPathGradW(X: Tensor, W: Tensor, b: Tensor, c: Tensor): Tensor {
  checkAe(X, W, b, c, 'decoderPathGradW');
  const d = decoderPathGradWStar(X, W, b, c);
  const [k, n] = [d.shape[0]!, d.shape[1]!];
  const out = new Float64Array(n * k);
  for (let l = 0; l < k; l++) for (let j = 0; j < n; j++) out[j * k + l] = d.data[l * n + j]!;
  return { shape: [n, k], data: out };
}

/** dL/dW = (∂L/∂W)|encoder + ((∂L/∂W*)|decoder)ᵀ: [n, k], the sum over both paths. */
export function tiedGradient(X: Tensor, W: Tensor, b: Tensor, c: Tensor): Tensor {
  checkAe(X, W, b, c, 'tiedGradient');
  const e = encoderPathGradW(X, W, b, c);
  const d = decoderPathGradW(X, W, b, c);
  const out = new Float64Array(e.data.length);
  for (let q = 0; q < out.length; q++) out[q] = e.data[q]! + d.data[q]!;
  return { shape: [...e.shape], data: out };
}

/**
 * WRONG ON PURPOSE: (∂L/∂W)|encoder + (∂L/∂W*)|decoder without the transpose.
 * For square W this is literally adding the [k, n] = [n, n] matrix untransposed;
 * for non-square W it is the flat-buffer version of the same slip (the [k, n]
 * values read as [n, k], row-major). Kept so a property can show a gradient
 * check rejecting it.
 */
export function tiedGradientForgotTranspose(X: Tensor, W: Tensor, b: Tensor, c: Tensor): Tensor {
  checkAe(X, W, b, c, 'tiedGradientForgotTranspose');
  const e = encoderPathGradW(X, W, b, c);
  const d = decoderPathGradWStar(X, W, b, c);
  const out = new Float64Array(e.data.length);
  for (let q = 0; q < out.length; q++) out[q] = e.data[q]! + d.data[q]!;
  return { shape: [...e.shape], data: out };
}

/** All of the tied autoencoder's gradients: dL/dW (both paths), ∂L/∂b = Σᵢ dAᵢ, ∂L/∂c = Σᵢ dX̂ᵢ. */
export function tiedAutoencoderGradients(X: Tensor, W: Tensor, b: Tensor, c: Tensor): { W: Tensor; b: Tensor; c: Tensor } {
  const [m, n, k] = checkAe(X, W, b, c, 'tiedAutoencoderGradients');
  const { dXhat, dA } = backward(X, W, b, c, m, n, k);
  const db = new Float64Array(k);
  const dc = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < k; l++) db[l]! += dA[i * k + l]!;
    for (let j = 0; j < n; j++) dc[j]! += dXhat[i * n + j]!;
  }
  return { W: tiedGradient(X, W, b, c), b: { shape: [k], data: db }, c: { shape: [n], data: dc } };
}

// ---------------------------------------------------------------- symbolic forms

export const symbolicForms: SymbolicForm[] = [
  {
    // The scalar tied autoencoder x̂ = σ(w·x + b)·w + c: w appears on both paths,
    // and the derivative is the decoder path σ(a)·dx̂ plus the encoder path w·σ′(a)·x·dx̂.
    name: 'tied-weights/scalar-two-path',
    primal: '((1 / (1 + exp(-(w * x + b)))) * w + c - x)^2',
    wrt: 'w',
    derivative:
      '2 * ((1 / (1 + exp(-(w * x + b)))) * w + c - x) * ((1 / (1 + exp(-(w * x + b)))) + w * x * (1 / (1 + exp(-(w * x + b)))) * (1 - 1 / (1 + exp(-(w * x + b)))))',
    domains: { w: [-3, 3], x: [-3, 3], b: [-3, 3], c: [-3, 3] },
  },
];

// ---------------------------------------------------------------- targets

const get = (p: ReadonlyMap<string, Tensor>, name: string): Tensor => param(p, name, 'tied-weights target');

export const targets: DerivationTarget[] = [
  {
    name: 'derivation/tied-weights/two-path',
    description: 'tied autoencoder σ(XW + b)Wᵀ + c, batch-mean squared error: dL/dW = encoder path + (decoder path)ᵀ',
    make(rng: Rng) {
      const m = 1 + rng.int(5);
      const n = 1 + rng.int(5);
      const k = 1 + rng.int(4);
      const X: Tensor = { shape: [m, n], data: rng.normals(m * n) };
      return {
        params: new Map([
          ['W', { shape: [n, k], data: rng.normals(n * k, 0.7) }],
          ['b', { shape: [k], data: rng.normals(k, 0.5) }],
          ['c', { shape: [n], data: rng.normals(n, 0.5) }],
        ]),
        objective: (p) => tiedLoss(X, get(p, 'W'), get(p, 'b'), get(p, 'c')),
        grad: (p) => {
          const g = tiedAutoencoderGradients(X, get(p, 'W'), get(p, 'b'), get(p, 'c'));
          return new Map([['W', g.W], ['b', g.b], ['c', g.c]]);
        },
      };
    },
  },
];
