import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { symbolicPropertiesOnGrid } from './symbolic-forms-grid.js';
import { close, dyadic, expectAllClose, expectNoFalseAlarm } from './assert.js';
import { params } from './runs.js';
import { checkGradient } from '../src/check/gradient.js';
import { probabilityArb } from '../src/check/arbitraries.js';
import type { Tensor } from '../src/core/tensor.js';
import {
  discriminator,
  ganDiscriminatorGrad,
  ganGeneratorGrad,
  ganNonSaturatingGrad,
  ganNonSaturatingLoss,
  ganValue,
  generator,
  reparameterisationBackward,
  reparameterisationJacobians,
  reparameterise,
  symbolicForms,
  targets,
  vaeKl,
  vaeKlGrad,
  vaeKlLogVar,
  vaeKlLogVarGrad,
  vaeObjective,
  vaeObjectiveGrad,
  type GanParams,
} from '../src/derivations/vae-gan.js';
import { targetProperties } from './targets.js';

// ---------------------------------------------------------------- helpers





function vec(a: ArrayLike<number>): Tensor {
  return { shape: [a.length], data: Float64Array.from(a) };
}


// ---------------------------------------------------------------- arbitraries

const dimArb = fc.integer({ min: 1, max: 5 });

/**
 * σ log-uniform over [1e-6, 1e2] (σ near 0 included), sometimes exactly 1,
 * on the 2⁻⁴⁰ grid (fine enough for σ ~ 1e-6, and σ ± h stays exact).
 */
const sigmaValue = fc.oneof(
  fc.double({ min: -6, max: 2, noNaN: true }).map((e) => Math.round(10 ** e * 2 ** 40) / 2 ** 40),
  fc.constant(1),
);

interface VaeCase {
  mu: Tensor;
  sigma: Tensor;
  eps: Tensor;
  x: Tensor;
}

const vaeArb: fc.Arbitrary<VaeCase> = dimArb.chain((d) =>
  fc.record({
    mu: fc.array(fc.double({ min: -5, max: 5, noNaN: true }).map(dyadic), { minLength: d, maxLength: d }).map(vec),
    sigma: fc.array(sigmaValue, { minLength: d, maxLength: d }).map(vec),
    eps: fc.array(fc.double({ min: -4, max: 4, noNaN: true }).map(dyadic), { minLength: d, maxLength: d }).map(vec),
    x: fc.array(fc.double({ min: -5, max: 5, noNaN: true }).map(dyadic), { minLength: d, maxLength: d }).map(vec),
  }),
);

interface GanCase {
  X: Tensor;
  Z: Tensor;
  p: GanParams;
}

/**
 * A GAN problem: real rows X [m, n], noise rows Z [m′, k], D's (w, c) and
 * G's (A, d). c is set so that D(x₁) equals a probability drawn near 0, near
 * 1 or in between, and A is scaled so that D(G(z₁)) spans the same range.
 */
const ganArb: fc.Arbitrary<GanCase> = fc
  .record({ n: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 1, max: 3 }), m: fc.integer({ min: 1, max: 3 }), mz: fc.integer({ min: 1, max: 3 }) })
  .chain(({ n, k, m, mz }) =>
    fc.record({
      X: fc.array(fc.double({ min: -3, max: 3, noNaN: true }).map(dyadic), { minLength: m * n, maxLength: m * n }).map((a): Tensor => ({ shape: [m, n], data: Float64Array.from(a) })),
      Z: fc.array(fc.double({ min: -2, max: 2, noNaN: true }).map(dyadic), { minLength: mz * k, maxLength: mz * k }).map((a): Tensor => ({ shape: [mz, k], data: Float64Array.from(a) })),
      w: fc.array(fc.double({ min: -3, max: 3, noNaN: true }).map(dyadic), { minLength: n, maxLength: n }).map(vec),
      A: fc.array(fc.double({ min: -2, max: 2, noNaN: true }).map(dyadic), { minLength: n * k, maxLength: n * k }),
      d: fc.array(fc.double({ min: -2, max: 2, noNaN: true }).map(dyadic), { minLength: n, maxLength: n }).map(vec),
      pReal: probabilityArb(),
      scaleA: fc.double({ min: 0.1, max: 5, noNaN: true }),
    }),
  )
  .map(({ X, Z, w, A, d, pReal, scaleA }) => {
    const n = w.data.length;
    const k = Z.shape[1]!;
    let wx = 0;
    for (let j = 0; j < n; j++) wx += w.data[j]! * X.data[j]!;
    const c = dyadic(Math.log(pReal) - Math.log1p(-pReal) - wx);
    return { X, Z, p: { w, c, A: { shape: [n, k], data: Float64Array.from(A, (v) => dyadic(v * scaleA)) }, d } };
  });

function flat(...ts: ArrayLike<number>[]): Float64Array {
  return Float64Array.from(ts.flatMap((t) => Array.from(t)));
}

// ---------------------------------------------------------------- properties

describe('§10 the VAE’s Gaussian KL and the reparameterised sample', () => {
  it('KL ≥ 0, with equality exactly at μ = 0, σ = 1 (σ down to 1e-6)', () => {
    fc.assert(
      fc.property(vaeArb, ({ mu, sigma }) => {
        const kl = vaeKl(mu, sigma);
        expect(kl).toBeGreaterThanOrEqual(0);
        const d = mu.data.length;
        expect(vaeKl(vec(new Float64Array(d)), vec(new Float64Array(d).fill(1)))).toBe(0);
        const away = mu.data.some((m) => Math.abs(m) > 1e-3) || sigma.data.some((s) => Math.abs(s - 1) > 1e-3);
        if (away) expect(kl).toBeGreaterThan(0);
        // and the gradient vanishes only there
        const g = vaeKlGrad(vec(new Float64Array(d)), vec(new Float64Array(d).fill(1)));
        expect([...g.mu.data, ...g.sigma.data].every((v) => v === 0)).toBe(true);
      }),
      params(),
    );
  });

  it('∂KL/∂μ = μ and ∂KL/∂σ = σ − 1/σ agree with finite differences, σ near 0 included', () => {
    fc.assert(
      fc.property(vaeArb, ({ mu, sigma }) => {
        const d = mu.data.length;
        const split = (x: Float64Array): [Tensor, Tensor] => [vec(x.subarray(0, d)), vec(x.subarray(d))];
        const f = (x: Float64Array): number => vaeKl(...split(x));
        const g = (x: Float64Array): Float64Array => {
          const r = vaeKlGrad(...split(x));
          return flat(r.mu.data, r.sigma.data);
        };
        expectNoFalseAlarm(checkGradient(f, g, flat(mu.data, sigma.data)), 'KL wrt μ, σ');
      }),
      params(),
    );
  });

  it('by the log-variance s = log σ², the KL is the same and ∂KL/∂s = ½(eˢ − 1) = ∂KL/∂σ · σ/2, which agrees with finite differences', () => {
    fc.assert(
      fc.property(vaeArb, ({ mu, sigma }) => {
        const d = mu.data.length;
        const s = vec(sigma.data.map((v) => dyadic(Math.log(v * v))));
        const sig = vec(s.data.map((v) => Math.exp(v / 2)));
        expect(close(vaeKlLogVar(mu, s), vaeKl(mu, sig), 1e-9, 1e-12)).toBe(true);
        const gs = vaeKlLogVarGrad(mu, s).logVar.data;
        const chain = vaeKlGrad(mu, sig).sigma.data.map((g, j) => (g * sig.data[j]!) / 2);
        expectAllClose(gs, chain, 1e-9, 1e-12, '∂KL/∂s by the chain rule');
        const split = (x: Float64Array): [Tensor, Tensor] => [vec(x.subarray(0, d)), vec(x.subarray(d))];
        const f = (x: Float64Array): number => vaeKlLogVar(...split(x));
        const g = (x: Float64Array): Float64Array => {
          const r = vaeKlLogVarGrad(...split(x));
          return flat(r.mu.data, r.logVar.data);
        };
        expectNoFalseAlarm(checkGradient(f, g, flat(mu.data, s.data)), 'KL wrt μ, log σ²');
      }),
      params(),
    );
  });

  it('z = μ + σ ⊙ ε has ∂z/∂μ = I and ∂z/∂σ = diag(ε): every column agrees with finite differences of each z_j for the fixed ε', () => {
    fc.assert(
      fc.property(vaeArb, ({ mu, sigma, eps }) => {
        const d = mu.data.length;
        const J = reparameterisationJacobians(eps);
        for (let j = 0; j < d; j++) {
          const zj = (x: Float64Array): number => reparameterise(vec(x.subarray(0, d)), vec(x.subarray(d)), eps).data[j]!;
          const gj = (): Float64Array => flat(J.dz_dmu.data.subarray(j * d, (j + 1) * d), J.dz_dsigma.data.subarray(j * d, (j + 1) * d));
          expectNoFalseAlarm(checkGradient(zj, gj, flat(mu.data, sigma.data)), `row ${j} of ∂z/∂(μ, σ)`);
        }
      }),
      params(),
    );
  });

  it('the reparameterisation gradient of ½‖μ + σ⊙ε − x‖² + KL matches finite differences for a fixed ε, σ near 0 included', () => {
    fc.assert(
      fc.property(vaeArb, ({ mu, sigma, eps, x }) => {
        const d = mu.data.length;
        const f = (v: Float64Array): number => vaeObjective(vec(v.subarray(0, d)), vec(v.subarray(d)), eps, x);
        const g = (v: Float64Array): Float64Array => {
          const r = vaeObjectiveGrad(vec(v.subarray(0, d)), vec(v.subarray(d)), eps, x);
          return flat(r.mu.data, r.sigma.data);
        };
        expectNoFalseAlarm(checkGradient(f, g, flat(mu.data, sigma.data)), 'reparameterised objective');
        // the backward pass alone: dL/dμ = dL/dz, dL/dσ = dL/dz ⊙ ε
        const dz = vec(eps.data.map((_, j) => Math.cos(j + 1)));
        const back = reparameterisationBackward(dz, eps);
        expect(Array.from(back.mu.data)).toEqual(Array.from(dz.data));
        expectAllClose(back.sigma.data, dz.data.map((v, j) => v * eps.data[j]!), 0, 0, 'dL/dσ');
      }),
      params(),
    );
  });
});

describe('§10 the GAN value with a logistic discriminator and an affine generator', () => {
  it('V equals log D(x) + log(1 − D(G(z))) averaged over the batches, and stays finite where D is within 1e-9 of 0 or 1', () => {
    fc.assert(
      fc.property(ganArb, ({ X, Z, p }) => {
        const V = ganValue(X, Z, p);
        expect(Number.isFinite(V)).toBe(true);
        const Dx = discriminator(X, p.w, p.c);
        const Dg = discriminator(generator(Z, p.A, p.d), p.w, p.c);
        const naive = Dx.reduce((a, v) => a + Math.log(v), 0) / Dx.length + Dg.reduce((a, v) => a + Math.log(1 - v), 0) / Dg.length;
        // the naive form loses precision where D rounds to 0 or 1; compare where it is finite and well-conditioned
        const tame = [...Dx, ...Dg].every((v) => v > 1e-6 && v < 1 - 1e-6);
        if (tame) expect(close(V, naive, 1e-8, 1e-12)).toBe(true);
        const lossNS = ganNonSaturatingLoss(Z, p);
        expect(lossNS).toBeGreaterThanOrEqual(0);
      }),
      params(),
    );
  });

  it('the discriminator’s gradient ∂V/∂w = mean (1 − D(x))x − mean D(g)g, ∂V/∂c = mean (1 − D(x)) − mean D(g) passes the gradient checker, with D near 0 and 1', () => {
    fc.assert(
      fc.property(ganArb, ({ X, Z, p }) => {
        const n = p.w.data.length;
        const at = (v: Float64Array): GanParams => ({ ...p, w: vec(v.subarray(0, n)), c: v[n]! });
        const f = (v: Float64Array): number => ganValue(X, Z, at(v));
        const g = (v: Float64Array): Float64Array => {
          const r = ganDiscriminatorGrad(X, Z, at(v));
          return flat(r.w.data, [r.c]);
        };
        expectNoFalseAlarm(checkGradient(f, g, flat(p.w.data, [p.c])), 'GAN discriminator');
      }),
      params(),
    );
  });

  it('the generator’s gradient ∂V/∂A = −mean D(g)·w zᵀ, ∂V/∂d = −mean D(g)·w passes the gradient checker, and so does the non-saturating −log D(G(z))', () => {
    fc.assert(
      fc.property(ganArb, ({ X, Z, p }) => {
        const na = p.A.data.length;
        const at = (v: Float64Array): GanParams => ({ ...p, A: { shape: p.A.shape, data: v.slice(0, na) }, d: vec(v.subarray(na)) });
        const x0 = flat(p.A.data, p.d.data);
        const fV = (v: Float64Array): number => ganValue(X, Z, at(v));
        const gV = (v: Float64Array): Float64Array => {
          const r = ganGeneratorGrad(X, Z, at(v));
          return flat(r.A.data, r.d.data);
        };
        expectNoFalseAlarm(checkGradient(fV, gV, x0), 'GAN generator (minimax)');
        const fL = (v: Float64Array): number => ganNonSaturatingLoss(Z, at(v));
        const gL = (v: Float64Array): Float64Array => {
          const r = ganNonSaturatingGrad(Z, at(v));
          return flat(r.A.data, r.d.data);
        };
        expectNoFalseAlarm(checkGradient(fL, gL, x0), 'GAN generator (non-saturating)');
      }),
      params(),
    );
  });

  it('for one z the minimax generator gradient is D/(1 − D) times the non-saturating one, so it vanishes as D(G(z)) → 0 while the non-saturating one does not', () => {
    fc.assert(
      fc.property(ganArb, probabilityArb(), ({ X, Z, p }, q) => {
        const k = Z.shape[1]!;
        const z: Tensor = { shape: [1, k], data: Z.data.slice(0, k) };
        // move d so that D(G(z)) = q exactly in the logit: wᵀ(Az + d) + c = logit(q)
        const g0 = generator(z, p.A, p.d).data;
        let u0 = p.c;
        for (let j = 0; j < g0.length; j++) u0 += p.w.data[j]! * g0[j]!;
        const ww = p.w.data.reduce((a, v) => a + v * v, 0);
        fc.pre(ww > 1e-6);
        const shift = (Math.log(q) - Math.log1p(-q) - u0) / ww;
        const pq: GanParams = { ...p, d: vec(p.d.data.map((v, j) => v + shift * p.w.data[j]!)) };
        const g1 = generator(z, pq.A, pq.d).data;
        let u = pq.c;
        for (let j = 0; j < g1.length; j++) u += pq.w.data[j]! * g1[j]!;
        const mm = ganGeneratorGrad(X, z, pq);
        const ns = ganNonSaturatingGrad(z, pq);
        // D/(1 − D) = e^u for D = σ(u): no cancellation when D is near 1
        const ratio = Math.exp(u);
        expectAllClose(flat(mm.A.data, mm.d.data), flat(ns.A.data, ns.d.data).map((v) => ratio * v), 1e-9, 1e-300, 'minimax = D/(1 − D) · non-saturating');
        if (q < 1e-3) {
          const nmm = Math.hypot(...mm.A.data, ...mm.d.data);
          const nns = Math.hypot(...ns.A.data, ...ns.d.data);
          expect(nmm).toBeLessThanOrEqual(2e-3 * nns);
        }
      }),
      params(),
    );
  });
});

describe('§10 targets, validation and symbolic forms', () => {
  targetProperties(targets);

  it('every exported function rejects a mis-shaped argument with a RangeError naming itself and the argument', () => {
    fc.assert(
      fc.property(ganArb, fc.integer({ min: 1, max: 3 }), ({ X, Z, p }, extra) => {
        const n = p.w.data.length;
        const k = Z.shape[1]!;
        const d = vec(new Float64Array(n));
        const bad = vec(new Float64Array(n + extra));
        expect(() => vaeKl(d, bad)).toThrow(/vaeKl: sigma/);
        expect(() => vaeKlGrad(bad, d)).toThrow(/vaeKlGrad: sigma/);
        expect(() => vaeKlLogVar(d, bad)).toThrow(/vaeKlLogVar: logVar/);
        expect(() => reparameterise(d, d, bad)).toThrow(/reparameterise: eps/);
        expect(() => vaeKl(d, vec(new Float64Array(n).fill(Number.NaN)))).toThrow(/vaeKl: sigma/);
        expect(() => ganValue(X, { shape: [1, k + extra], data: new Float64Array(k + extra) }, p)).toThrow(/ganValue: Z/);
        expect(() => ganDiscriminatorGrad({ shape: [1, n + extra], data: new Float64Array(n + extra) }, Z, p)).toThrow(/ganDiscriminatorGrad: X/);
        expect(() => ganGeneratorGrad(X, Z, { ...p, d: bad })).toThrow(/ganGeneratorGrad: params\.d/);
        expect(() => ganNonSaturatingGrad(Z, { ...p, c: Number.NaN })).toThrow(/ganNonSaturatingGrad: params\.c/);
      }),
      params(0.25),
    );
  });

  symbolicPropertiesOnGrid(symbolicForms);
});
