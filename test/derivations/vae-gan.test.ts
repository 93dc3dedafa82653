/**
 * §10 at hand-computed points: the Gaussian KL (also where its naive form
 * cancels), the reparameterisation and its Jacobians, and the GAN value and
 * gradients on a batch small enough to write out.
 */
import { describe, expect, it } from 'vitest';
import { vaeGan as vg } from '../../src/derivations/index.js';
import type { Tensor } from '../../src/index.js';

const vec = (v: number[]): Tensor => ({ shape: [v.length], data: Float64Array.from(v) });
const mat = (r: number, c: number, v: number[]): Tensor => ({ shape: [r, c], data: Float64Array.from(v) });
const arr = (t: Tensor): number[] => Array.from(t.data);
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
const sig = (u: number): number => 1 / (1 + Math.exp(-u));
const softplus = (u: number): number => Math.log1p(Math.exp(u));

describe('§10 the VAE\'s KL', () => {
  it('is ½Σ(μ² + σ² − 1 − log σ²) at ordinary points, and +∞ at σ = 0', () => {
    expect(vg.vaeKl(vec([0]), vec([1]))).toBe(0);
    expect(vg.vaeKl(vec([1, 0]), vec([1, 1]))).toBe(0.5);
    expect(vg.vaeKl(vec([0]), vec([2]))).toBeCloseTo((4 - 1 - Math.log(4)) / 2, 15);
    expect(vg.vaeKl(vec([0]), vec([3]))).toBeCloseTo((8 - Math.log(9)) / 2, 14);
    expect(vg.vaeKl(vec([0]), vec([-2]))).toBeCloseTo((4 - 1 - Math.log(4)) / 2, 15);
    expect(vg.vaeKl(vec([0]), vec([0]))).toBe(Infinity);
  });

  it('keeps its relative accuracy for σ near 1, where σ² − 1 − log σ² cancels', () => {
    for (const e of [1e-5, -3e-4, 0.1, -0.1]) {
      const t = (1 + e) ** 2 - 1; // exact enough: the series below is the reference
      let ref = 0;
      for (let k = 2; k < 200; k++) ref += (-t) ** k / k; // t − log1p(t) = Σ_{k≥2} (−t)^k/k
      expect(rel(vg.vaeKl(vec([0]), vec([1 + e])), ref / 2), `σ = 1 + ${e}`).toBeLessThan(1e-12);
    }
  });

  it('by the log-variance, keeps its accuracy near s = 0 and agrees with expm1 elsewhere', () => {
    for (const s of [1e-3, -0.2, 0.2]) {
      let ref = 0;
      let p = 1;
      for (let k = 1; k < 60; k++) {
        p *= s / k;
        if (k >= 2) ref += p;
      }
      expect(rel(vg.vaeKlLogVar(vec([0]), vec([s])), ref / 2), `s = ${s}`).toBeLessThan(1e-13);
    }
    expect(vg.vaeKlLogVar(vec([2]), vec([1.5]))).toBeCloseTo((4 + Math.expm1(1.5) - 1.5) / 2, 14);
  });

  it('its gradients are μ and σ − 1/σ (or ½(eˢ − 1)), as copies in μ\'s shape', () => {
    const mu = vec([0.5, -1]);
    const g = vg.vaeKlGrad(mu, vec([2, 0.5]));
    expect(g.mu.shape).toEqual([2]);
    expect(g.sigma.shape).toEqual([2]);
    expect(arr(g.mu)).toEqual([0.5, -1]);
    expect(arr(g.sigma)).toEqual([1.5, -1.5]);
    g.mu.data[0] = 9;
    expect(mu.data[0]).toBe(0.5);
    const l = vg.vaeKlLogVarGrad(mu, vec([0, Math.log(3)]));
    expect(l.mu.shape).toEqual([2]);
    expect(l.logVar.shape).toEqual([2]);
    expect(arr(l.logVar)[0]).toBe(0);
    expect(arr(l.logVar)[1]).toBeCloseTo(1, 15);
    l.mu.data[1] = 9;
    expect(mu.data[1]).toBe(-1);
  });

  it('refuses σ of another length or with non-finite entries', () => {
    expect(() => vg.vaeKl(vec([0, 1]), vec([1]))).toThrow(/vaeKl: sigma must be a vector \[2\] \(as mu\)/);
    expect(() => vg.vaeKl(vec([0]), vec([NaN]))).toThrow(/vaeKl: sigma must hold finite values/);
  });
});

describe('§10 the reparameterisation', () => {
  it('z = μ + σ ⊙ ε, with Jacobians I and diag(ε) and backward (dz, dz ⊙ ε)', () => {
    const z = vg.reparameterise(vec([1, 2]), vec([0.5, 3]), vec([2, -1]));
    expect(z.shape).toEqual([2]);
    expect(arr(z)).toEqual([2, -1]);
    const J = vg.reparameterisationJacobians(vec([2, -1]));
    expect(J.dz_dmu.shape).toEqual([2, 2]);
    expect(J.dz_dsigma.shape).toEqual([2, 2]);
    expect(arr(J.dz_dmu)).toEqual([1, 0, 0, 1]);
    expect(arr(J.dz_dsigma)).toEqual([2, 0, 0, -1]);
    const dz = vec([3, 4]);
    const b = vg.reparameterisationBackward(dz, vec([2, -1]));
    expect(b.mu.shape).toEqual([2]);
    expect(b.sigma.shape).toEqual([2]);
    expect(arr(b.mu)).toEqual([3, 4]);
    expect(arr(b.sigma)).toEqual([6, -4]);
    b.mu.data[0] = 0;
    expect(dz.data[0]).toBe(3);
  });

  it('the one-sample objective and its gradient at a hand point', () => {
    // μ = [1], σ = [2], ε = [0.5], x = [0]: z = 2, J = ½·4 + (1 + 4 − 1 − log 4)/2.
    const args = [vec([1]), vec([2]), vec([0.5]), vec([0])] as const;
    expect(vg.vaeObjective(...args)).toBeCloseTo(2 + (4 - Math.log(4)) / 2, 14);
    const g = vg.vaeObjectiveGrad(...args);
    expect(g.mu.shape).toEqual([1]);
    expect(g.sigma.shape).toEqual([1]);
    expect(arr(g.mu)).toEqual([3]); // (z − x) + μ
    expect(arr(g.sigma)).toEqual([2.5]); // (z − x)ε + σ − 1/σ = 1 + 1.5
    expect(() => vg.vaeObjective(vec([1]), vec([2]), vec([0.5]), vec([0, 1]))).toThrow(/vaeObjective: x/);
  });
});

describe('§10 the GAN on a batch written out by hand', () => {
  // n = 2, k = 1: w = [1, −2], c = 0.5, A = [[2], [−1]], d = [0.5, 1]; X has 2 rows, Z has 3.
  const params = { w: vec([1, -2]), c: 0.5, A: mat(2, 1, [2, -1]), d: vec([0.5, 1]) };
  const X = mat(2, 2, [1, 0, 0.5, 1]);
  const Z = mat(3, 1, [0.5, -1, 2]);
  const G = [0.5, -1, 2].map((z) => [2 * z + 0.5, -z + 1]);
  const u = (x: number[]) => x[0]! - 2 * x[1]! + 0.5;
  const uReal = [[1, 0], [0.5, 1]].map(u);
  const uFake = G.map(u);

  it('D and G compute σ(wᵀx + c) and Az + d row by row', () => {
    expect(Array.from(vg.discriminator(X, params.w, params.c))).toEqual(uReal.map(sig));
    const g = vg.generator(Z, params.A, params.d);
    expect(g.shape).toEqual([3, 2]);
    expect(arr(g)).toEqual(G.flat());
  });

  it('V = mean log D(x) + mean log(1 − D(G(z)))', () => {
    const V = uReal.reduce((a, q) => a - softplus(-q), 0) / 2 + uFake.reduce((a, q) => a - softplus(q), 0) / 3;
    expect(vg.ganValue(X, Z, params)).toBeCloseTo(V, 14);
    expect(vg.ganNonSaturatingLoss(Z, params)).toBeCloseTo(uFake.reduce((a, q) => a + softplus(-q), 0) / 3, 14);
  });

  it('∂V/∂(w, c) = mean (1 − D(x))·(x, 1) − mean D(g)·(g, 1)', () => {
    const gw = [0, 0];
    let gc = 0;
    [[1, 0], [0.5, 1]].forEach((x, i) => {
      const e = (1 - sig(uReal[i]!)) / 2;
      gw[0]! += e * x[0]!;
      gw[1]! += e * x[1]!;
      gc += e;
    });
    G.forEach((g, i) => {
      const e = sig(uFake[i]!) / 3;
      gw[0]! -= e * g[0]!;
      gw[1]! -= e * g[1]!;
      gc -= e;
    });
    const r = vg.ganDiscriminatorGrad(X, Z, params);
    expect(r.w.shape).toEqual([2]);
    arr(r.w).forEach((v, j) => expect(v).toBeCloseTo(gw[j]!, 14));
    expect(r.c).toBeCloseTo(gc, 14);
  });

  it('the minimax and non-saturating generator gradients weight w·zᵀ by −D(g) and −(1 − D(g))', () => {
    for (const [name, grad, weight] of [
      ['minimax', vg.ganGeneratorGrad(X, Z, params), (q: number) => -sig(q)],
      ['non-saturating', vg.ganNonSaturatingGrad(Z, params), (q: number) => -(1 - sig(q))],
    ] as const) {
      const gA = [0, 0];
      const gd = [0, 0];
      [0.5, -1, 2].forEach((z, i) => {
        const e = weight(uFake[i]!) / 3;
        [1, -2].forEach((w, a) => {
          gd[a]! += e * w;
          gA[a]! += e * w * z;
        });
      });
      expect(grad.A.shape, name).toEqual([2, 1]);
      expect(grad.d.shape, name).toEqual([2]);
      arr(grad.A).forEach((v, j) => expect(v, `${name} A`).toBeCloseTo(gA[j]!, 14));
      arr(grad.d).forEach((v, j) => expect(v, `${name} d`).toBeCloseTo(gd[j]!, 14));
    }
  });

  it('refuses parameters and batches that do not fit, naming each', () => {
    expect(() => vg.ganValue(X, Z, null as unknown as typeof params)).toThrow(/ganValue: params must be an object/);
    expect(() => vg.ganValue(X, Z, { ...params, c: NaN })).toThrow(/ganValue: params.c/);
    expect(() => vg.ganValue(X, Z, { ...params, A: mat(3, 1, [1, 2, 3]) })).toThrow(/ganValue: params.A/);
    expect(() => vg.ganValue(X, Z, { ...params, d: vec([1]) })).toThrow(/ganValue: params.d/);
    expect(() => vg.ganValue(X, mat(3, 2, [1, 2, 3, 4, 5, 6]), params)).toThrow(/ganValue: Z/);
    expect(() => vg.ganValue(mat(1, 3, [1, 2, 3]), Z, params)).toThrow(/ganValue: X/);
    expect(() => vg.discriminator(mat(1, 3, [1, 2, 3]), params.w, 0)).toThrow(/discriminator: X/);
    expect(() => vg.discriminator(X, params.w, Infinity)).toThrow(/discriminator: c/);
    expect(() => vg.generator(mat(3, 2, [1, 2, 3, 4, 5, 6]), params.A, params.d)).toThrow(/generator: Z/);
    expect(() => vg.generator(Z, params.A, vec([1, 2, 3]))).toThrow(/generator: d/);
  });
});
