/**
 * The quadratic gradient targets are the convex problems their descriptions
 * promise: the Hessian read off the (affine) gradient is symmetric, positive
 * definite and, with two or more parameters, not a multiple of the identity
 * (a target that degenerated to αI would check almost nothing).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { derivationTargets } from '../../src/derivations/index.js';
import { Rng } from '../../src/core/index.js';
import type { Tensor } from '../../src/index.js';

const quadratics = ['derivation/optimizers/quadratic', 'derivation/regularized-optimum/gradient', 'derivation/regularized-optimum/gradient-rank-deficient'];

describe('the quadratic derivation targets', () => {
  it.each(quadratics)('%s has a symmetric positive-definite Hessian that is not a multiple of I', (name) => {
    const target = derivationTargets().find((t) => t.name === name);
    expect(target, name).toBeDefined();
    let nonTrivial = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const { params, grad } = target!.make(new Rng(seed));
      const [key, p0] = [...params.entries()][0]! as [string, Tensor];
      const n = p0.data.length;
      const at = (v: Float64Array) => grad(new Map([[key, { shape: [n], data: v }]])).get(key)!.data;
      const g0 = at(new Float64Array(n));
      const H = new Matrix(n, n);
      for (let i = 0; i < n; i++) {
        const e = new Float64Array(n);
        e[i] = 1;
        const gi = at(e);
        for (let j = 0; j < n; j++) H.set(j, i, gi[j]! - g0[j]!);
      }
      const scale = Math.max(...H.to1DArray().map(Math.abs));
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(Math.abs(H.get(i, j) - H.get(j, i)), `${name} seed ${seed}`).toBeLessThan(1e-12 * scale);
      const eig = new EigenvalueDecomposition(H.add(H.transpose()).mul(0.5), { assumeSymmetric: true }).realEigenvalues;
      expect(Math.min(...eig), `${name} seed ${seed}`).toBeGreaterThan(1e-9 * scale);
      if (n >= 2) {
        nonTrivial++;
        expect(Math.max(...eig) - Math.min(...eig), `${name} seed ${seed}: H is a multiple of I`).toBeGreaterThan(1e-6 * scale);
      }
    }
    expect(nonTrivial).toBeGreaterThan(5);
  });
});
