/**
 * §10 of derivations.md: beyond the lectures, to the same standard.
 *
 * VAE. The encoder gives q(z|x) = N(μ, diag(σ²)); its KL divergence from the
 * prior N(0, I) is
 *   KL(μ, σ) = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²),
 *   ∂KL/∂μ_j = μ_j,   ∂KL/∂σ_j = σ_j − 1/σ_j.
 * Parameterised by the log-variance s = log σ² (what encoders usually
 * output): KL = ½ Σ (μ² + e^s − 1 − s),  ∂KL/∂s = ½(e^s − 1).
 * KL ≥ 0 with equality exactly at μ = 0, σ = 1.
 * The reparameterised sample z = μ + σ ⊙ ε (ε ~ N(0, I), held fixed) has
 * ∂z/∂μ = I and ∂z/∂σ = diag(ε), so dL/dμ = dL/dz and dL/dσ = dL/dz ⊙ ε.
 *
 * GAN. Discriminator D(x) = σ(wᵀx + c) (logistic), generator G(z) = Az + d
 * (affine, A [n, k], d [n]). With a batch of real rows X [m, n] and noise
 * rows Z [m′, k], the value is the batch estimate
 *   V = (1/m) Σᵢ log D(xᵢ) + (1/m′) Σⱼ log(1 − D(G(zⱼ)))
 * (one x and one z: V = log D(x) + log(1 − D(G(z)))). With u = wᵀx + c,
 * d/du log σ(u) = 1 − σ(u) and d/du log(1 − σ(u)) = −σ(u); writing gⱼ = G(zⱼ):
 *   ∂V/∂w = mean_i (1 − D(xᵢ)) xᵢ − mean_j D(gⱼ) gⱼ
 *   ∂V/∂c = mean_i (1 − D(xᵢ)) − mean_j D(gⱼ)
 *   ∂V/∂A = −mean_j D(gⱼ) · w zⱼᵀ,   ∂V/∂d = −mean_j D(gⱼ) · w.
 * The non-saturating generator loss L = −mean_j log D(G(zⱼ)) has
 *   ∂L/∂A = −mean_j (1 − D(gⱼ)) · w zⱼᵀ,   ∂L/∂d = −mean_j (1 − D(gⱼ)) · w:
 * where D rejects the fakes (D(g) → 0), ∂V/∂(A, d) vanishes with D while
 * ∂L/∂(A, d) does not: the reason for the non-saturating loss.
 */
import { randomTensor } from '../core/random.js';
import type { Tensor } from '../core/tensor.js';
import type { Rng } from '../core/rng.js';
import { sigmoidScalar, softplusScalar } from '../core/ops/activations.js';
import type { DerivationTarget, SymbolicForm } from './types.js';
import { checkFinite, fail, matrixDims, shapeText, vectorLength as checkedVectorLength } from './validate.js';

// ---------------------------------------------------------------- validation

/** A non-empty vector of finite values (of length n when given, `like` naming what fixes n); returns its length. */
function vectorLength(t: Tensor, fn: string, arg: string, n?: number, like?: string): number {
  const d = checkedVectorLength(t, fn, arg, n, like === undefined ? undefined : `as ${like}`);
  checkFinite(t, fn, arg);
  return d;
}

// ---------------------------------------------------------------- VAE

/**
 * v − 1 − log v for v = σ² > 0, keeping its relative accuracy everywhere:
 * near v = 1 (t = v − 1 small) by the series t − log1p(t) = Σ_{k≥2} (−t)^k/k,
 * whose terms the naive form cancels; elsewhere as (v − 1) − 2·log σ, so that
 * a tiny σ does not lose log σ² to the rounding of σ² − 1.
 */
function klTerm(sigma: number): number {
  if (sigma === 0) return Infinity;
  const v = sigma * sigma;
  const t = v - 1;
  if (Math.abs(t) < 0.25) {
    let s = 0;
    let p = -t; // (−t)^k, from k = 1
    for (let k = 2; k < 60; k++) {
      p *= -t;
      const term = p / k;
      s += term;
      if (Math.abs(term) <= 1e-17 * Math.abs(s)) break;
    }
    return s;
  }
  return t - 2 * Math.log(Math.abs(sigma));
}

/** eˢ − 1 − s, by its series Σ_{k≥2} s^k/k! near s = 0 (where expm1(s) − s cancels). */
function klLogVarTerm(s: number): number {
  if (Math.abs(s) < 0.25) {
    let sum = 0;
    let p = s;
    for (let k = 2; k < 40; k++) {
      p *= s / k;
      sum += p;
      if (Math.abs(p) <= 1e-17 * Math.abs(sum)) break;
    }
    return sum;
  }
  return Math.expm1(s) - s;
}

/**
 * KL(N(μ, diag σ²) ‖ N(0, I)) = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²).
 * σ is the standard deviation (σ > 0 by convention; the formula depends on
 * σ² only). σ_j = 0 gives +∞, the limit.
 */
export function vaeKl(mu: Tensor, sigma: Tensor): number {
  const d = vectorLength(mu, 'vaeKl', 'mu');
  vectorLength(sigma, 'vaeKl', 'sigma', d, 'mu');
  let s = 0;
  for (let j = 0; j < d; j++) {
    const m = mu.data[j]!;
    s += m * m + klTerm(sigma.data[j]!);
  }
  return 0.5 * s;
}

/** ∂KL/∂μ = μ,  ∂KL/∂σ = σ − 1/σ (formed as (σ − 1)(σ + 1)/σ, exact in its sign and accurate near σ = 1). */
export function vaeKlGrad(mu: Tensor, sigma: Tensor): { mu: Tensor; sigma: Tensor } {
  const d = vectorLength(mu, 'vaeKlGrad', 'mu');
  vectorLength(sigma, 'vaeKlGrad', 'sigma', d, 'mu');
  return {
    mu: { shape: [d], data: mu.data.slice() },
    sigma: { shape: [d], data: sigma.data.map((s) => ((s - 1) * (s + 1)) / s) },
  };
}

/** The same KL by the log-variance s = log σ²: ½ Σ (μ² + e^s − 1 − s). */
export function vaeKlLogVar(mu: Tensor, logVar: Tensor): number {
  const d = vectorLength(mu, 'vaeKlLogVar', 'mu');
  vectorLength(logVar, 'vaeKlLogVar', 'logVar', d, 'mu');
  let s = 0;
  for (let j = 0; j < d; j++) {
    const m = mu.data[j]!;
    s += m * m + klLogVarTerm(logVar.data[j]!);
  }
  return 0.5 * s;
}

/** ∂KL/∂μ = μ,  ∂KL/∂s = ½(e^s − 1) for s = log σ². */
export function vaeKlLogVarGrad(mu: Tensor, logVar: Tensor): { mu: Tensor; logVar: Tensor } {
  const d = vectorLength(mu, 'vaeKlLogVarGrad', 'mu');
  vectorLength(logVar, 'vaeKlLogVarGrad', 'logVar', d, 'mu');
  return {
    mu: { shape: [d], data: mu.data.slice() },
    logVar: { shape: [d], data: logVar.data.map((s) => 0.5 * Math.expm1(s)) },
  };
}

/** z = μ + σ ⊙ ε: the reparameterised sample for a fixed ε. */
export function reparameterise(mu: Tensor, sigma: Tensor, eps: Tensor): Tensor {
  const d = vectorLength(mu, 'reparameterise', 'mu');
  vectorLength(sigma, 'reparameterise', 'sigma', d, 'mu');
  vectorLength(eps, 'reparameterise', 'eps', d, 'mu');
  return { shape: [d], data: mu.data.map((m, j) => m + sigma.data[j]! * eps.data[j]!) };
}

/** The Jacobians of z = μ + σ ⊙ ε: ∂z/∂μ = I, ∂z/∂σ = diag(ε)  (each [d, d]). */
export function reparameterisationJacobians(eps: Tensor): { dz_dmu: Tensor; dz_dsigma: Tensor } {
  const d = vectorLength(eps, 'reparameterisationJacobians', 'eps');
  const I = new Float64Array(d * d);
  const E = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    I[j * d + j] = 1;
    E[j * d + j] = eps.data[j]!;
  }
  return { dz_dmu: { shape: [d, d], data: I }, dz_dsigma: { shape: [d, d], data: E } };
}

/** The backward of z = μ + σ ⊙ ε: dL/dμ = dL/dz,  dL/dσ = dL/dz ⊙ ε. */
export function reparameterisationBackward(dz: Tensor, eps: Tensor): { mu: Tensor; sigma: Tensor } {
  const d = vectorLength(dz, 'reparameterisationBackward', 'dz');
  vectorLength(eps, 'reparameterisationBackward', 'eps', d, 'dz');
  return { mu: { shape: [d], data: dz.data.slice() }, sigma: { shape: [d], data: dz.data.map((g, j) => g * eps.data[j]!) } };
}

/**
 * A one-sample negative ELBO with a unit-variance Gaussian decoder that
 * outputs z itself: J(μ, σ) = ½‖z − x‖² + KL(μ, σ), z = μ + σ ⊙ ε.
 */
export function vaeObjective(mu: Tensor, sigma: Tensor, eps: Tensor, x: Tensor): number {
  const z = reparameterise(mu, sigma, eps);
  vectorLength(x, 'vaeObjective', 'x', z.data.length, 'mu');
  let r = 0;
  for (let j = 0; j < z.data.length; j++) r += (z.data[j]! - x.data[j]!) ** 2;
  return 0.5 * r + vaeKl(mu, sigma);
}

/** dJ/dμ = (z − x) + μ,  dJ/dσ = (z − x) ⊙ ε + σ − 1/σ  (reparameterisation + KL). */
export function vaeObjectiveGrad(mu: Tensor, sigma: Tensor, eps: Tensor, x: Tensor): { mu: Tensor; sigma: Tensor } {
  const z = reparameterise(mu, sigma, eps);
  const d = z.data.length;
  vectorLength(x, 'vaeObjectiveGrad', 'x', d, 'mu');
  const back = reparameterisationBackward({ shape: [d], data: z.data.map((v, j) => v - x.data[j]!) }, eps);
  const kl = vaeKlGrad(mu, sigma);
  return {
    mu: { shape: [d], data: back.mu.data.map((v, j) => v + kl.mu.data[j]!) },
    sigma: { shape: [d], data: back.sigma.data.map((v, j) => v + kl.sigma.data[j]!) },
  };
}

// ---------------------------------------------------------------- GAN

/** D's parameters w [n], c and G's A [n, k], d [n]. */
export interface GanParams {
  w: Tensor;
  c: number;
  A: Tensor;
  d: Tensor;
}

interface GanPass {
  m: number;
  mz: number;
  n: number;
  k: number;
  /** u = wᵀx + c for every real row */
  uReal: Float64Array;
  /** G(z) for every noise row, [m′, n] */
  G: Float64Array;
  /** u = wᵀG(z) + c for every noise row */
  uFake: Float64Array;
}

/** u = wᵀx + c for each of the m rows (of n entries) of X. */
function logits(X: Float64Array, m: number, n: number, w: Float64Array, c: number): Float64Array {
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let u = c;
    for (let j = 0; j < n; j++) u += w[j]! * X[i * n + j]!;
    out[i] = u;
  }
  return out;
}

/** G(z) = Az + d for each of the mz rows (of k entries) of Z, with A [n, k]: [mz, n]. */
function generate(Z: Float64Array, mz: number, A: Float64Array, n: number, k: number, d: Float64Array): Float64Array {
  const out = new Float64Array(mz * n);
  for (let i = 0; i < mz; i++) {
    for (let a = 0; a < n; a++) {
      let g = d[a]!;
      for (let b = 0; b < k; b++) g += A[a * k + b]! * Z[i * k + b]!;
      out[i * n + a] = g;
    }
  }
  return out;
}

function ganPass(X: Tensor | undefined, Z: Tensor, p: GanParams, fn: string): GanPass {
  if (typeof p !== 'object' || p === null) fail(fn, 'params', 'must be an object { w, c, A, d }');
  const n = vectorLength(p.w, fn, 'params.w');
  if (typeof p.c !== 'number' || !Number.isFinite(p.c)) fail(fn, 'params.c', `must be a finite number, got ${String(p.c)}`);
  const [an, k] = matrixDims(p.A, fn, 'params.A');
  if (an !== n) fail(fn, 'params.A', `is ${shapeText(p.A)} but w has ${n} entries: A needs ${n} rows`);
  vectorLength(p.d, fn, 'params.d', n, 'w');
  const [mz, zk] = matrixDims(Z, fn, 'Z');
  if (zk !== k) fail(fn, 'Z', `is ${shapeText(Z)} but A is ${shapeText(p.A)}: noise rows need ${k} entries`);
  let m = 0;
  let uReal: Float64Array = new Float64Array(0);
  if (X !== undefined) {
    const [xm, xn] = matrixDims(X, fn, 'X');
    if (xn !== n) fail(fn, 'X', `is ${shapeText(X)} but w has ${n} entries`);
    m = xm;
    uReal = logits(X.data, m, n, p.w.data, p.c);
  }
  const G = generate(Z.data, mz, p.A.data, n, k, p.d.data);
  const uFake = logits(G, mz, n, p.w.data, p.c);
  return { m, mz, n, k, uReal, G, uFake };
}

/** D(x) = σ(wᵀx + c) for every row of X [m, n]. */
export function discriminator(X: Tensor, w: Tensor, c: number): Float64Array {
  const n = vectorLength(w, 'discriminator', 'w');
  const [m, xn] = matrixDims(X, 'discriminator', 'X');
  if (xn !== n) fail('discriminator', 'X', `is ${shapeText(X)} but w has ${n} entries`);
  if (typeof c !== 'number' || !Number.isFinite(c)) fail('discriminator', 'c', `must be a finite number, got ${String(c)}`);
  return logits(X.data, m, n, w.data, c).map(sigmoidScalar);
}

/** G(z) = Az + d for every row of Z [m′, k]: [m′, n]. */
export function generator(Z: Tensor, A: Tensor, d: Tensor): Tensor {
  const [n, k] = matrixDims(A, 'generator', 'A');
  vectorLength(d, 'generator', 'd', n, 'A (rows)');
  const [mz, zk] = matrixDims(Z, 'generator', 'Z');
  if (zk !== k) fail('generator', 'Z', `is ${shapeText(Z)} but A is ${shapeText(A)}`);
  return { shape: [mz, n], data: generate(Z.data, mz, A.data, n, k, d.data) };
}

/**
 * V = (1/m) Σᵢ log D(xᵢ) + (1/m′) Σⱼ log(1 − D(G(zⱼ))), computed as
 * −softplus(−u) and −softplus(u) so that D near 0 or 1 keeps its precision.
 */
export function ganValue(X: Tensor, Z: Tensor, params: GanParams): number {
  const r = ganPass(X, Z, params, 'ganValue');
  let real = 0;
  for (const u of r.uReal) real -= softplusScalar(-u);
  let fake = 0;
  for (const u of r.uFake) fake -= softplusScalar(u);
  return real / r.m + fake / r.mz;
}

/** ∂V/∂w = mean (1 − D(xᵢ))xᵢ − mean D(gⱼ)gⱼ;  ∂V/∂c = mean (1 − D(xᵢ)) − mean D(gⱼ). */
export function ganDiscriminatorGrad(X: Tensor, Z: Tensor, params: GanParams): { w: Tensor; c: number } {
  const r = ganPass(X, Z, params, 'ganDiscriminatorGrad');
  const gw = new Float64Array(r.n);
  let gc = 0;
  for (let i = 0; i < r.m; i++) {
    // 1 − σ(u) = σ(−u), without cancellation when D(x) is near 1
    const e = sigmoidScalar(-r.uReal[i]!) / r.m;
    for (let j = 0; j < r.n; j++) gw[j]! += e * X.data[i * r.n + j]!;
    gc += e;
  }
  for (let i = 0; i < r.mz; i++) {
    const e = sigmoidScalar(r.uFake[i]!) / r.mz;
    for (let j = 0; j < r.n; j++) gw[j]! -= e * r.G[i * r.n + j]!;
    gc -= e;
  }
  return { w: { shape: [r.n], data: gw }, c: gc };
}

function generatorGrad(Z: Tensor, p: GanParams, r: GanPass, weight: (u: number) => number): { A: Tensor; d: Tensor } {
  const gA = new Float64Array(r.n * r.k);
  const gd = new Float64Array(r.n);
  for (let i = 0; i < r.mz; i++) {
    const e = weight(r.uFake[i]!) / r.mz;
    for (let a = 0; a < r.n; a++) {
      const ew = e * p.w.data[a]!;
      gd[a]! += ew;
      for (let b = 0; b < r.k; b++) gA[a * r.k + b]! += ew * Z.data[i * r.k + b]!;
    }
  }
  return { A: { shape: [r.n, r.k], data: gA }, d: { shape: [r.n], data: gd } };
}

/** ∂V/∂A = −mean D(gⱼ)·w zⱼᵀ;  ∂V/∂d = −mean D(gⱼ)·w  (the minimax generator's gradient). */
export function ganGeneratorGrad(X: Tensor, Z: Tensor, params: GanParams): { A: Tensor; d: Tensor } {
  const r = ganPass(X, Z, params, 'ganGeneratorGrad');
  return generatorGrad(Z, params, r, (u) => -sigmoidScalar(u));
}

/** L = −(1/m′) Σⱼ log D(G(zⱼ)) = (1/m′) Σⱼ softplus(−uⱼ): the non-saturating generator loss. */
export function ganNonSaturatingLoss(Z: Tensor, params: GanParams): number {
  const r = ganPass(undefined, Z, params, 'ganNonSaturatingLoss');
  let s = 0;
  for (const u of r.uFake) s += softplusScalar(-u);
  return s / r.mz;
}

/** ∂L/∂A = −mean (1 − D(gⱼ))·w zⱼᵀ;  ∂L/∂d = −mean (1 − D(gⱼ))·w. */
export function ganNonSaturatingGrad(Z: Tensor, params: GanParams): { A: Tensor; d: Tensor } {
  const r = ganPass(undefined, Z, params, 'ganNonSaturatingGrad');
  return generatorGrad(Z, params, r, (u) => -sigmoidScalar(-u));
}

// ---------------------------------------------------------------- symbolic forms and targets

const KL = '(mu^2 + sigma^2 - 1 - log(sigma^2))/2';
const DG = '1/(1+exp(-(w*(a*z+d)+c)))';

export const symbolicForms: SymbolicForm[] = [
  { name: 'vae-gan/kl-dmu', primal: KL, wrt: 'mu', derivative: 'mu', domains: { mu: [-5, 5], sigma: [0.001, 10] } },
  { name: 'vae-gan/kl-dsigma', primal: KL, wrt: 'sigma', derivative: 'sigma - 1/sigma', domains: { mu: [-5, 5], sigma: [0.001, 10] } },
  { name: 'vae-gan/kl-dlogvar', primal: '(mu^2 + exp(s) - 1 - s)/2', wrt: 's', derivative: '(exp(s) - 1)/2', domains: { mu: [-5, 5], s: [-10, 5] } },
  { name: 'vae-gan/reparameterised-dsigma', primal: 'mu + sigma*eps', wrt: 'sigma', derivative: 'eps', domains: { mu: [-5, 5], sigma: [0.001, 10], eps: [-4, 4] } },
  { name: 'vae-gan/reparameterised-dmu', primal: 'mu + sigma*eps', wrt: 'mu', derivative: '1', domains: { mu: [-5, 5], sigma: [0.001, 10], eps: [-4, 4] } },
  {
    name: 'vae-gan/log-D-dw',
    primal: 'log(1/(1+exp(-(w*x+c))))',
    wrt: 'w',
    derivative: '(1 - 1/(1+exp(-(w*x+c))))*x',
    domains: { w: [-3, 3], x: [-3, 3], c: [-2, 2] },
  },
  { name: 'vae-gan/log-one-minus-sigmoid', primal: 'log(1 - 1/(1+exp(-t)))', wrt: 't', derivative: '-1/(1+exp(-t))', domains: { t: [-10, 10] } },
  {
    name: 'vae-gan/minimax-generator-dA',
    primal: `log(1 - ${DG})`,
    wrt: 'a',
    derivative: `-${DG}*w*z`,
    domains: { w: [-2, 2], a: [-2, 2], z: [-2, 2], d: [-2, 2], c: [-2, 2] },
  },
  {
    name: 'vae-gan/non-saturating-generator-dA',
    primal: `-log(${DG})`,
    wrt: 'a',
    derivative: `-(1 - ${DG})*w*z`,
    domains: { w: [-2, 2], a: [-2, 2], z: [-2, 2], d: [-2, 2], c: [-2, 2] },
  },
];


function ganSetup(rng: Rng) {
  const n = 1 + rng.int(4);
  const k = 1 + rng.int(3);
  const m = 1 + rng.int(3);
  const mz = 1 + rng.int(3);
  return {
    X: randomTensor(rng, [m, n]),
    Z: randomTensor(rng, [mz, k]),
    w: randomTensor(rng, [n]),
    c: rng.normal(),
    A: randomTensor(rng, [n, k]),
    d: randomTensor(rng, [n]),
  };
}

export const targets: DerivationTarget[] = [
  {
    name: 'derivation/vae-gan/vae-kl',
    description: 'KL = ½Σ(μ² + σ² − 1 − log σ²): ∂/∂μ = μ, ∂/∂σ = σ − 1/σ',
    make(rng: Rng) {
      const d = 1 + rng.int(5);
      return {
        params: new Map<string, Tensor>([
          ['mu', randomTensor(rng, [d])],
          ['sigma', { shape: [d], data: rng.normals(d).map((v) => Math.exp(v)) }],
        ]),
        objective: (p) => vaeKl(p.get('mu')!, p.get('sigma')!),
        grad: (p) => {
          const g = vaeKlGrad(p.get('mu')!, p.get('sigma')!);
          return new Map([
            ['mu', g.mu],
            ['sigma', g.sigma],
          ]);
        },
      };
    },
  },
  {
    name: 'derivation/vae-gan/vae-kl-logvar',
    description: 'KL = ½Σ(μ² + eˢ − 1 − s), s = log σ²: ∂/∂s = ½(eˢ − 1)',
    make(rng: Rng) {
      const d = 1 + rng.int(5);
      return {
        params: new Map<string, Tensor>([
          ['mu', randomTensor(rng, [d])],
          ['logVar', randomTensor(rng, [d], 2)],
        ]),
        objective: (p) => vaeKlLogVar(p.get('mu')!, p.get('logVar')!),
        grad: (p) => {
          const g = vaeKlLogVarGrad(p.get('mu')!, p.get('logVar')!);
          return new Map([
            ['mu', g.mu],
            ['logVar', g.logVar],
          ]);
        },
      };
    },
  },
  {
    name: 'derivation/vae-gan/reparameterised-objective',
    description: 'J = ½‖μ + σ⊙ε − x‖² + KL(μ, σ) for a fixed ε: dJ/dμ = (z − x) + μ, dJ/dσ = (z − x)⊙ε + σ − 1/σ',
    make(rng: Rng) {
      const d = 1 + rng.int(5);
      const eps = randomTensor(rng, [d]);
      const x = randomTensor(rng, [d]);
      return {
        params: new Map<string, Tensor>([
          ['mu', randomTensor(rng, [d])],
          ['sigma', { shape: [d], data: rng.normals(d).map((v) => Math.exp(v)) }],
        ]),
        objective: (p) => vaeObjective(p.get('mu')!, p.get('sigma')!, eps, x),
        grad: (p) => {
          const g = vaeObjectiveGrad(p.get('mu')!, p.get('sigma')!, eps, x);
          return new Map([
            ['mu', g.mu],
            ['sigma', g.sigma],
          ]);
        },
      };
    },
  },
  {
    name: 'derivation/vae-gan/gan-discriminator',
    description: 'V = mean log D(x) + mean log(1 − D(G(z))) wrt D’s w and c',
    make(rng: Rng) {
      const s = ganSetup(rng);
      const gp = (p: Map<string, Tensor>): GanParams => ({ w: p.get('w')!, c: p.get('c')!.data[0]!, A: s.A, d: s.d });
      return {
        params: new Map<string, Tensor>([
          ['w', s.w],
          ['c', { shape: [1], data: Float64Array.of(s.c) }],
        ]),
        objective: (p) => ganValue(s.X, s.Z, gp(p)),
        grad: (p) => {
          const g = ganDiscriminatorGrad(s.X, s.Z, gp(p));
          return new Map<string, Tensor>([
            ['w', g.w],
            ['c', { shape: [1], data: Float64Array.of(g.c) }],
          ]);
        },
      };
    },
  },
  {
    name: 'derivation/vae-gan/gan-generator',
    description: 'V = mean log D(x) + mean log(1 − D(G(z))) wrt G’s A and d',
    make(rng: Rng) {
      const s = ganSetup(rng);
      const gp = (p: Map<string, Tensor>): GanParams => ({ w: s.w, c: s.c, A: p.get('A')!, d: p.get('d')! });
      return {
        params: new Map<string, Tensor>([
          ['A', s.A],
          ['d', s.d],
        ]),
        objective: (p) => ganValue(s.X, s.Z, gp(p)),
        grad: (p) => {
          const g = ganGeneratorGrad(s.X, s.Z, gp(p));
          return new Map([
            ['A', g.A],
            ['d', g.d],
          ]);
        },
      };
    },
  },
  {
    name: 'derivation/vae-gan/gan-generator-non-saturating',
    description: 'L = −mean log D(G(z)) wrt G’s A and d',
    make(rng: Rng) {
      const s = ganSetup(rng);
      const gp = (p: Map<string, Tensor>): GanParams => ({ w: s.w, c: s.c, A: p.get('A')!, d: p.get('d')! });
      return {
        params: new Map<string, Tensor>([
          ['A', s.A],
          ['d', s.d],
        ]),
        objective: (p) => ganNonSaturatingLoss(s.Z, gp(p)),
        grad: (p) => {
          const g = ganNonSaturatingGrad(s.Z, gp(p));
          return new Map([
            ['A', g.A],
            ['d', g.d],
          ]);
        },
      };
    },
  },
];
