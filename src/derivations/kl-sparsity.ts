/**
 * §3 of the derivations: the sparse autoencoder's KL penalty.
 *
 * A sigmoid hidden layer on a batch X [m, n] with W [n, k], b [k]:
 *   aᵢ = xᵢW + b,  hᵢ = g(aᵢ) = σ(aᵢ),  ρ̂_l = (1/m) Σᵢ hᵢ_l ∈ (0, 1),
 *   Ω = Σ_l ρ log(ρ/ρ̂_l) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_l)).
 *
 *   ∂Ω/∂ρ̂_l   = −ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l)
 *   ∂ρ̂_l/∂W_jl = (1/m) Σᵢ g′(aᵢ_l)·xᵢⱼ            (and ∂ρ̂_l/∂W_jl′ = 0 for l′ ≠ l)
 *   ∂Ω/∂W_jl   = (1/m) Σᵢ xᵢⱼ·g′(aᵢ_l)·(−ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l))
 *   ∂Ω/∂b_l    = (1/m) Σᵢ g′(aᵢ_l)·(−ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l))
 *
 * with g′(a) = σ(a)(1 − σ(a)). Ω ≥ 0, and Ω = 0 exactly when every ρ̂_l = ρ.
 *
 * Numerics: the layer functions carry 1 − h as σ(−a) (never 1 − σ(a)), so
 * ρ̂ within 1e-6 of 1 keeps full relative precision in 1 − ρ̂, in g′(a) and in
 * Ω; Ω itself is summed from non-negative terms (see klOmega).
 *
 * Erratum: one lecture slide writes ∂ρ̂_l/∂W = xᵢ(g′(Wᵀxᵢ + b))ᵀ, dropping the
 * (1/m)Σᵢ (the lecturer says so aloud). `dOmegaDWSlideErratum` keeps that form
 * as a documented counter-example: it is right for m = 1 and wrong for m > 1.
 */
import { sigmoidScalar } from '../core/ops/activations.js';
import type { Tensor } from '../core/tensor.js';
import type { Rng } from '../core/rng.js';
import type { DerivationTarget, SymbolicForm } from './types.js';
import { checkNumber, checkTensor, fail, matrixDims, param, shapeText, vectorLength } from './validate.js';

// ---------------------------------------------------------------- validation

/** Checks X [m, n] (m ≥ 1), W [n, k], b [k]; returns [m, n, k]. */
function checkLayer(X: Tensor, W: Tensor, b: Tensor, where: string): [number, number, number] {
  const [m, n] = matrixDims(X, where, 'X');
  const [wn, k] = matrixDims(W, where, 'W');
  if (wn !== n) fail(where, 'W', `must be [${n}, k] to match X ${shapeText(X)}, got ${shapeText(W)}`);
  vectorLength(b, where, 'b', k, 'one per column of W');
  return [m, n, k];
}

function checkRho(rho: unknown, where: string): asserts rho is number {
  checkNumber(rho, where, 'rho', '(', 0, 1, ')');
}

function checkBeta(beta: unknown, where: string): asserts beta is number {
  checkNumber(beta, where, 'beta', '(', -Infinity, Infinity, ')');
}

function checkRhoHat(r: number, where: string, at: string): void {
  if (!(r > 0 && r < 1)) throw new RangeError(`${where}: rhoHat${at} must lie in (0, 1), got ${r}`);
}

// ---------------------------------------------------------------- the layer

/**
 * aᵢ = xᵢW + b, hᵢ = σ(aᵢ) and its complement 1 − hᵢ = σ(−aᵢ), as [m, k] matrices.
 * The complement is computed as σ(−a), not as 1 − σ(a): near saturation (ρ̂
 * within 1e-6 of 1) 1 − σ(a) would keep only ~10 significant digits, and both
 * Ω's log(1 − ρ̂) and g′(a) = σ(a)σ(−a) need it to full precision.
 */
function hidden(X: Tensor, W: Tensor, b: Tensor, m: number, n: number, k: number): { Hs: Float64Array; Hc: Float64Array } {
  const Hs = new Float64Array(m * k);
  const Hc = new Float64Array(m * k);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < k; l++) {
      let a = b.data[l]!;
      for (let j = 0; j < n; j++) a += X.data[i * n + j]! * W.data[j * k + l]!;
      Hs[i * k + l] = sigmoidScalar(a);
      Hc[i * k + l] = sigmoidScalar(-a);
    }
  }
  return { Hs, Hc };
}

function meanColumns(Hs: Float64Array, m: number, k: number): Float64Array {
  const r = new Float64Array(k);
  for (let i = 0; i < m; i++) for (let l = 0; l < k; l++) r[l]! += Hs[i * k + l]!;
  for (let l = 0; l < k; l++) r[l]! /= m;
  return r;
}

/** x − log(1 + x) for |x| < 1/4, by its series: non-negative and without cancellation. */
function xMinusLog1pSeries(x: number): number {
  // Σ_{k≥2} (−1)^k x^k / k  =  x²/2 − x³/3 + x⁴/4 − …  (|x|^28/28 < 1e-17 for |x| < 1/4)
  let s = 0;
  let p = x * x;
  for (let j = 2; j <= 28; j++) {
    s += (j % 2 === 0 ? p : -p) / j;
    p *= x;
  }
  return s;
}

/** KL(ρ ‖ ρ̂) for one unit, computed as a sum of two non-negative terms (see klOmega); rc = 1 − ρ̂. */
function klScalar(rho: number, r: number, rc: number): number {
  // ρ log(ρ/ρ̂) = −ρ·log(1 + u), u = (ρ̂ − ρ)/ρ;  (1 − ρ) log((1 − ρ)/(1 − ρ̂)) = −(1 − ρ)·log(1 + v), v = (ρ − ρ̂)/(1 − ρ).
  // ρu + (1 − ρ)v = 0, so Ω = ρ(u − log(1 + u)) + (1 − ρ)(v − log(1 + v)), each term ≥ 0.
  // Near ρ̂ = ρ (|u| or |v| < 1/4) a series avoids the cancellation; elsewhere the
  // logarithm is taken of the ratio ρ̂/ρ or (1 − ρ̂)/(1 − ρ) itself, which keeps
  // full relative precision when ρ̂ is within 1e-6 of 0 or 1 (1 + v is not re-formed).
  const d = rhoHatMinusRho(rho, r, rc);
  const u = d / rho;
  const v = -d / (1 - rho);
  const tu = Math.abs(u) < 0.25 ? xMinusLog1pSeries(u) : u - Math.log(r / rho);
  const tv = Math.abs(v) < 0.25 ? xMinusLog1pSeries(v) : v - Math.log(rc / (1 - rho));
  return rho * tu + (1 - rho) * tv;
}

/** ∂Ω/∂ρ̂ = −ρ/ρ̂ + (1 − ρ)/(1 − ρ̂) = (ρ̂ − ρ)/(ρ̂(1 − ρ̂)); rc = 1 − ρ̂. */
function dKl(rho: number, r: number, rc: number): number {
  return rhoHatMinusRho(rho, r, rc) / (r * rc);
}

/**
 * ρ̂ − ρ from whichever of ρ̂ and 1 − ρ̂ is held more precisely: above 1/2 the
 * complement rc (σ(−a), full relative precision) gives (1 − ρ) − rc, where
 * r − ρ would inherit r's absolute rounding of ε/2 (for ρ̂ = 1 − 1e-6 that is a
 * relative error of 1e-10 in 1 − ρ̂, and noise in Ω that finite differences see).
 */
function rhoHatMinusRho(rho: number, r: number, rc: number): number {
  return r > 0.5 ? 1 - rho - rc : r - rho;
}

// ---------------------------------------------------------------- Ω and ∂Ω/∂ρ̂

/**
 * Ω = Σ_l ρ log(ρ/ρ̂_l) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_l)), for one ρ̂ or a tensor of them.
 *
 * Computed as Σ_l ρ(u − log(1 + u)) + (1 − ρ)(v − log(1 + v)) with
 * u = ρ̂_l/ρ − 1, v = (1 − ρ̂_l)/(1 − ρ) − 1 (the same number, since
 * ρu + (1 − ρ)v = 0): each term is non-negative as computed, so the float64
 * value keeps Ω ≥ 0 and is exactly 0 when every ρ̂_l = ρ, where the textbook
 * form can return −1e-17 by cancellation.
 */
export function klOmega(rho: number, rhoHat: number | Tensor): number {
  const where = 'klOmega';
  checkRho(rho, where);
  if (typeof rhoHat === 'number') {
    checkRhoHat(rhoHat, where, '');
    return klScalar(rho, rhoHat, 1 - rhoHat);
  }
  checkTensor(rhoHat, where, 'rhoHat');
  let total = 0;
  rhoHat.data.forEach((r, l) => {
    checkRhoHat(r, where, `[${l}]`);
    total += klScalar(rho, r, 1 - r);
  });
  return total;
}

/**
 * ∂Ω/∂ρ̂_l = −ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l), evaluated as the equal
 * (ρ̂_l − ρ)/(ρ̂_l(1 − ρ̂_l)) (exactly 0 at ρ̂_l = ρ, no cancellation near it).
 */
export function dOmegaDRhoHat(rho: number, rhoHat: number): number;
export function dOmegaDRhoHat(rho: number, rhoHat: Tensor): Tensor;
export function dOmegaDRhoHat(rho: number, rhoHat: number | Tensor): number | Tensor {
  const where = 'dOmegaDRhoHat';
  checkRho(rho, where);
  const d = (r: number): number => dKl(rho, r, 1 - r);
  if (typeof rhoHat === 'number') {
    checkRhoHat(rhoHat, where, '');
    return d(rhoHat);
  }
  checkTensor(rhoHat, where, 'rhoHat');
  const out = new Float64Array(rhoHat.data.length);
  rhoHat.data.forEach((r, l) => {
    checkRhoHat(r, where, `[${l}]`);
    out[l] = d(r);
  });
  return { shape: [...rhoHat.shape], data: out };
}

// ---------------------------------------------------------------- ρ̂ and its derivatives

/** ρ̂_l = (1/m) Σᵢ σ(xᵢW + b)_l, as a vector [k]. */
export function rhoHatOf(X: Tensor, W: Tensor, b: Tensor): Tensor {
  const [m, n, k] = checkLayer(X, W, b, 'rhoHatOf');
  return { shape: [k], data: meanColumns(hidden(X, W, b, m, n, k).Hs, m, k) };
}

/** ∂ρ̂_l/∂W_jl = (1/m) Σᵢ g′(aᵢ_l)·xᵢⱼ, as [n, k] (entry (j, l); ρ̂_l depends on column l of W only). */
export function dRhoHatDW(X: Tensor, W: Tensor, b: Tensor): Tensor {
  const [m, n, k] = checkLayer(X, W, b, 'dRhoHatDW');
  const { Hs, Hc } = hidden(X, W, b, m, n, k);
  const out = new Float64Array(n * k);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < k; l++) {
      const gp = Hs[i * k + l]! * Hc[i * k + l]!; // g′(a) = σ(a)σ(−a)
      for (let j = 0; j < n; j++) out[j * k + l]! += gp * X.data[i * n + j]!;
    }
  }
  for (let q = 0; q < out.length; q++) out[q]! /= m;
  return { shape: [n, k], data: out };
}

/** ∂ρ̂_l/∂b_l = (1/m) Σᵢ g′(aᵢ_l), as [k]. */
export function dRhoHatDb(X: Tensor, W: Tensor, b: Tensor): Tensor {
  const [m, n, k] = checkLayer(X, W, b, 'dRhoHatDb');
  const { Hs, Hc } = hidden(X, W, b, m, n, k);
  const out = new Float64Array(k);
  for (let i = 0; i < m; i++) for (let l = 0; l < k; l++) out[l]! += Hs[i * k + l]! * Hc[i * k + l]!;
  for (let l = 0; l < k; l++) out[l]! /= m;
  return { shape: [k], data: out };
}

/** β·Ω(ρ̂(W, b)): the penalty as a function of the layer's parameters (the primal of dOmegaDW and dOmegaDb). */
export function sparsityPenalty(X: Tensor, W: Tensor, b: Tensor, rho: number, beta = 1): number {
  const where = 'sparsityPenalty';
  checkLayer(X, W, b, where);
  checkRho(rho, where);
  checkBeta(beta, where);
  const [m, n, k] = [X.shape[0]!, X.shape[1]!, W.shape[1]!];
  const { Hs, Hc } = hidden(X, W, b, m, n, k);
  const r = meanColumns(Hs, m, k);
  const rc = meanColumns(Hc, m, k);
  let total = 0;
  for (let l = 0; l < k; l++) {
    checkRhoHat(r[l]!, where, `[${l}]`);
    if (!(rc[l]! > 0)) checkRhoHat(1, where, `[${l}]`);
    total += klScalar(rho, r[l]!, rc[l]!);
  }
  return beta * total;
}

/** ∂Ω/∂ρ̂ at the layer's ρ̂ (with 1 − ρ̂ as the mean of σ(−a)), with ρ̂ range-checked. */
function dOmegaAt(rho: number, Hs: Float64Array, Hc: Float64Array, m: number, k: number, where: string): Float64Array {
  const r = meanColumns(Hs, m, k);
  const rc = meanColumns(Hc, m, k);
  const d = new Float64Array(k);
  for (let l = 0; l < k; l++) {
    checkRhoHat(r[l]!, where, `[${l}]`);
    if (!(rc[l]! > 0)) checkRhoHat(1, where, `[${l}]`);
    d[l] = dKl(rho, r[l]!, rc[l]!);
  }
  return d;
}

/** β·∂Ω/∂W_jl = β·(1/m) Σᵢ xᵢⱼ·g′(aᵢ_l)·(−ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l)), as [n, k]. */
export function dOmegaDW(X: Tensor, W: Tensor, b: Tensor, rho: number, beta = 1): Tensor {
  const where = 'dOmegaDW';
  const [m, n, k] = checkLayer(X, W, b, where);
  checkRho(rho, where);
  checkBeta(beta, where);
  const { Hs, Hc } = hidden(X, W, b, m, n, k);
  const d = dOmegaAt(rho, Hs, Hc, m, k, where);
  const out = new Float64Array(n * k);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < k; l++) {
      const gp = Hs[i * k + l]! * Hc[i * k + l]!; // g′(a) = σ(a)σ(−a)
      for (let j = 0; j < n; j++) out[j * k + l]! += X.data[i * n + j]! * gp;
    }
  }
  for (let j = 0; j < n; j++) for (let l = 0; l < k; l++) out[j * k + l] = (beta * d[l]! * out[j * k + l]!) / m;
  return { shape: [n, k], data: out };
}

/** β·∂Ω/∂b_l = β·(1/m) Σᵢ g′(aᵢ_l)·(−ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l)), as [k]. */
export function dOmegaDb(X: Tensor, W: Tensor, b: Tensor, rho: number, beta = 1): Tensor {
  const where = 'dOmegaDb';
  const [m, n, k] = checkLayer(X, W, b, where);
  checkRho(rho, where);
  checkBeta(beta, where);
  const { Hs, Hc } = hidden(X, W, b, m, n, k);
  const d = dOmegaAt(rho, Hs, Hc, m, k, where);
  const out = new Float64Array(k);
  for (let i = 0; i < m; i++) for (let l = 0; l < k; l++) out[l]! += Hs[i * k + l]! * Hc[i * k + l]!;
  for (let l = 0; l < k; l++) out[l] = (beta * d[l]! * out[l]!) / m;
  return { shape: [k], data: out };
}

/**
 * THE SLIDE'S ERRONEOUS FORM, kept as a counter-example; not a gradient.
 *
 * One lecture slide writes ∂ρ̂_l/∂W = xᵢ(g′(Wᵀxᵢ + b))ᵀ, dropping the
 * (1/m)Σᵢ that ρ̂ = (1/m)Σᵢ hᵢ carries. Chained with ∂Ω/∂ρ̂ this gives
 *   β·xᵢⱼ·g′(aᵢ_l)·(−ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l))
 * for the single example `i` (default 0). For m = 1 it equals dOmegaDW; for
 * m > 1 it is wrong wherever the examples differ, and a gradient check says so.
 */
export function dOmegaDWSlideErratum(X: Tensor, W: Tensor, b: Tensor, rho: number, beta = 1, i = 0): Tensor {
  const where = 'dOmegaDWSlideErratum';
  const [m, n, k] = checkLayer(X, W, b, where);
  checkRho(rho, where);
  checkBeta(beta, where);
  if (!Number.isInteger(i) || i < 0 || i >= m) throw new RangeError(`${where}: i must be an example index in 0..${m - 1}, got ${i}`);
  const { Hs, Hc } = hidden(X, W, b, m, n, k);
  const d = dOmegaAt(rho, Hs, Hc, m, k, where);
  const out = new Float64Array(n * k);
  for (let l = 0; l < k; l++) {
    const gp = Hs[i * k + l]! * Hc[i * k + l]!;
    for (let j = 0; j < n; j++) out[j * k + l] = beta * X.data[i * n + j]! * gp * d[l]!;
  }
  return { shape: [n, k], data: out };
}

// ---------------------------------------------------------------- symbolic forms

export const symbolicForms: SymbolicForm[] = [
  {
    // The primal as the slide expands it (−Ω = Σ ρ log ρ − ρ log ρ̂ + (1 − ρ) log(1 − ρ) − (1 − ρ) log(1 − ρ̂)),
    // which equals ρ log(ρ/ρ̂) + (1 − ρ) log((1 − ρ)/(1 − ρ̂)). The expanded form is the one
    // that differentiates numerically: the compact form rounds the ratios ρ/ρ̂ and
    // (1 − ρ)/(1 − ρ̂) to the grid of ulp(1) when they are near 1, an error of ε absolute
    // in a log term that may itself be 1e-7, which finite differences then cannot resolve
    // (the KL property file shows the checker rejecting the correct derivative there).
    name: 'kl-sparsity/dOmega-dRhoHat',
    primal: 'rho * log(rho) - rho * log(rhoHat) + (1 - rho) * log(1 - rho) - (1 - rho) * log(1 - rhoHat)',
    wrt: 'rhoHat',
    derivative: '-rho / rhoHat + (1 - rho) / (1 - rhoHat)',
    domains: { rho: [0, 1], rhoHat: [0, 1] },
  },
  {
    // ρ̂ of one unit over a batch of m = 2 scalar inputs: the derivative keeps the (1/m)Σᵢ.
    name: 'kl-sparsity/dRhoHat-dW-batch-of-two',
    primal: '(1 / (1 + exp(-(w * x1 + b))) + 1 / (1 + exp(-(w * x2 + b)))) / 2',
    wrt: 'w',
    derivative:
      '(x1 * (1 / (1 + exp(-(w * x1 + b)))) * (1 - 1 / (1 + exp(-(w * x1 + b)))) + x2 * (1 / (1 + exp(-(w * x2 + b)))) * (1 - 1 / (1 + exp(-(w * x2 + b))))) / 2',
    domains: { w: [-3, 3], b: [-3, 3], x1: [-3, 3], x2: [-3, 3] },
  },
];

// ---------------------------------------------------------------- targets

function klTarget(name: string, description: string, edge: boolean): DerivationTarget {
  return {
    name,
    description,
    make(rng: Rng) {
      const m = 1 + rng.int(6);
      const n = 1 + rng.int(4);
      const k = 1 + rng.int(4);
      const X: Tensor = { shape: [m, n], data: rng.normals(m * n) };
      const W: Tensor = { shape: [n, k], data: rng.normals(n * k, edge ? 0.1 : 0.7) };
      // Near the edges: biases of ±9 put ρ̂ within about 1e-4 of 0 or 1.
      const b: Tensor = { shape: [k], data: edge ? Float64Array.from({ length: k }, (_, l) => (l % 2 ? 9 : -9)) : rng.normals(k) };
      const rho = rng.range(0.02, 0.3);
      const beta = rng.range(0.5, 3);
      return {
        params: new Map([['W', W], ['b', b]]),
        objective: (p) => sparsityPenalty(X, param(p, 'W', name), param(p, 'b', name), rho, beta),
        grad: (p) => {
          const w = param(p, 'W', name);
          const bb = param(p, 'b', name);
          return new Map([['W', dOmegaDW(X, w, bb, rho, beta)], ['b', dOmegaDb(X, w, bb, rho, beta)]]);
        },
      };
    },
  };
}

export const targets: DerivationTarget[] = [
  klTarget('derivation/kl-sparsity/dOmega-dW', 'β·Σ_l KL(ρ ‖ ρ̂_l) of a sigmoid layer: ∂Ω/∂W and ∂Ω/∂b with the (1/m)Σᵢ', false),
  klTarget(
    'derivation/kl-sparsity/dOmega-dW-near-edges',
    'the same with ρ̂ within about 1e-4 of 0 and of 1 (biases ±9)',
    true,
  ),
];
