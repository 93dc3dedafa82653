/**
 * The checker's API: modes and their accounting, named parameters, Jacobians,
 * assertions, reports, the Taylor test, the vitest matcher and the
 * fast-check arbitraries.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { assertGradient, checkGradient, checkJacobian, checkModel, checkParams, formatResult, GradientCheckError, gradproofMatchers, multiIndex, positiveDefiniteArb, probabilityArb, shapeArb, taylorTest, tensorArb, type GradproofMatchers, type NamedGradients, type NamedTensors, type Tensor } from '../../src/index.js';
import { sciPair } from '../../src/check/format.js';
import { mlp, Rng, tensor } from '../../src/core/index.js';
import { coupled, coupledGrad, planted, points, separable, separableGrad, wrongBackward, type Fn, type Grad } from './helpers.js';

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  interface Assertion<T = any> extends GradproofMatchers<T> {}
}

expect.extend(gradproofMatchers);

function counted<A extends unknown[], R>(fn: (...a: A) => R): { fn: (...a: A) => R; calls: () => number } {
  let n = 0;
  return {
    fn: (...a: A) => {
      n++;
      return fn(...a);
    },
    calls: () => n,
  };
}

describe('sampled mode', () => {
  const x = points(100);

  it('checks exactly `samples` entries, distinct, chosen deterministically by the seed', () => {
    const a = checkGradient(coupled, coupledGrad, x, { mode: 'sampled', samples: 10, seed: 7, record: true });
    const b = checkGradient(coupled, coupledGrad, x, { mode: 'sampled', samples: 10, seed: 7, record: true });
    const c = checkGradient(coupled, coupledGrad, x, { mode: 'sampled', samples: 10, seed: 8, record: true });
    expect(a.ok).toBe(true);
    expect(a.mode).toBe('sampled');
    expect(a.checked).toBe(10);
    const ia = a.entries!.map((e) => e.index);
    expect(new Set(ia).size).toBe(10);
    expect(ia.every((i) => Number.isInteger(i) && i >= 0 && i < 100)).toBe(true);
    expect(b.entries!.map((e) => e.index)).toEqual(ia);
    expect(c.entries!.map((e) => e.index)).not.toEqual(ia);
    expect(a.seed).toBe(7);
  });

  it('checks every entry when samples is at least the size of x', () => {
    const r = checkGradient(coupled, coupledGrad, points(5), { mode: 'sampled', samples: 32 });
    expect(r.checked).toBe(5);
  });

  it('defaults to 32 samples', () => {
    expect(checkGradient(coupled, coupledGrad, x, { mode: 'sampled' }).checked).toBe(32);
  });

  it('catches a planted bug when its entry is among the samples', () => {
    const probe = checkGradient(coupled, coupledGrad, x, { mode: 'sampled', samples: 10, seed: 3, record: true });
    const idx = probe.entries![4]!.index;
    const r = checkGradient(coupled, planted(coupledGrad, (o) => (o[idx]! *= 1 + 1e-5)), x, { mode: 'sampled', samples: 10, seed: 3 });
    expect(r.ok).toBe(false);
    expect(r.failures.map((fl) => fl.index)).toEqual([idx]);
  });
});

describe('accounting: evaluations and gradientCalls are exact', () => {
  it.each(['full', 'sampled', 'directional'] as const)('in %s mode, for a correct and a wrong gradient', (mode) => {
    for (const g of [coupledGrad, planted(coupledGrad, (o) => (o[2]! *= 1.01))]) {
      const f = counted(coupled);
      const gr = counted(g);
      const r = checkGradient(f.fn, gr.fn, points(40), { mode, samples: 5 });
      expect(r.evaluations).toBe(f.calls());
      expect(r.gradientCalls).toBe(gr.calls());
      if (mode === 'directional' && g === coupledGrad) {
        // two at x (determinism); the analytic side's noise probe only once a direction does not pass without it
        expect(r.gradientCalls).toBe(2);
      } else {
        // two at x (determinism), eight (to 24) along the noise probe (the analytic side's own noise)
        expect(r.gradientCalls).toBeGreaterThanOrEqual(10);
        expect(r.gradientCalls).toBeLessThanOrEqual(26);
      }
    }
  });

  it('full mode needs at least two calls of f per entry', () => {
    const f = counted(coupled);
    const r = checkGradient(f.fn, coupledGrad, points(10));
    expect(r.evaluations).toBeGreaterThanOrEqual(2 * 10);
  });

  it('checkJacobian counts every call of f and of vjp', () => {
    const f = counted((x: Float64Array) => [Math.sin(x[0]!) * x[1]!, x[0]! * x[0]!, Math.exp(x[2]!)]);
    const v = counted((x: Float64Array, u: Float64Array) => [u[0]! * Math.cos(x[0]!) * x[1]! + 2 * u[1]! * x[0]!, u[0]! * Math.sin(x[0]!), u[2]! * Math.exp(x[2]!)]);
    const r = checkJacobian(f.fn, v.fn, [0.4, -1.1, 0.3]);
    expect(r.ok).toBe(true);
    expect(r.evaluations).toBe(f.calls());
    expect(r.gradientCalls).toBe(v.calls());
  });

  it('checkParams counts every call of the objective and of grad', () => {
    const obj = counted((p: NamedTensors) => (p as Record<string, Tensor>).W!.data.reduce((s, v) => s + Math.sin(v), 0));
    const gr = counted((p: NamedTensors): NamedGradients => ({ W: (p as Record<string, Tensor>).W!.data.map(Math.cos) }));
    const r = checkParams(obj.fn, { W: tensor([2, 3], [1, 2, 3, 4, 5, 6]) }, gr.fn);
    expect(r.ok).toBe(true);
    expect(r.evaluations).toBe(obj.calls());
    expect(r.gradientCalls).toBe(gr.calls());
  });

  it('directional mode spends O(k) calls of f: a number set by the directions, not by the size of x', () => {
    const small = checkGradient(separable, separableGrad, points(20), { mode: 'directional', directions: 4 });
    const large = checkGradient(separable, separableGrad, points(20_000), { mode: 'directional', directions: 4 });
    const more = checkGradient(separable, separableGrad, points(20_000), { mode: 'directional', directions: 16 });
    expect(large.checked).toBe(4);
    expect(more.checked).toBe(16);
    expect(large.evaluations).toBeLessThan(20 * 4 + 30);
    expect(large.evaluations).toBeLessThan(2 * small.evaluations + 20);
    expect(more.evaluations).toBeGreaterThan(large.evaluations);
  });

  it('directional localisation costs O(k·log P) calls for one wrong entry', () => {
    const P = 4096;
    const bad = planted(separableGrad, (o) => (o[1234]! *= 1.01));
    const r = checkGradient(separable, bad, points(P), { mode: 'directional' });
    expect(r.failures.map((fl) => fl.index)).toEqual([1234]);
    // 12 directions and 12 halvings, each a handful of calls.
    expect(r.evaluations).toBeLessThan(40 * (12 + 2 * Math.log2(P)));
  });
});

describe('checkParams and checkModel name their entries', () => {
  const shapes: Record<string, number[]> = { W1: [5, 4], b1: [4], W2: [4, 2] };
  function makeParams(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    let k = 0;
    for (const [name, shape] of Object.entries(shapes)) {
      const n = shape.reduce((a, b) => a * b, 1);
      out[name] = tensor(shape, Array.from({ length: n }, () => Math.sin(1.3 * k++ + 0.2)));
    }
    return out;
  }
  const get = (p: NamedTensors, name: string): Float64Array =>
    (p instanceof Map ? p.get(name)! : (p as Record<string, Tensor>)[name]!).data;
  // J = Σ_name c_name · Σ sin(θ)·θ
  const objective = (p: NamedTensors): number =>
    Object.keys(shapes).reduce((s, name, c) => s + (c + 1) * get(p, name).reduce((a, v) => a + Math.sin(v) * v, 0), 0);
  const gradOf =
    (bug?: { name: string; flat: number }) =>
    (p: NamedTensors): NamedGradients => {
      const pairs = Object.keys(shapes).map((name, c): [string, Float64Array] => {
        const g = get(p, name).map((v) => (c + 1) * (Math.cos(v) * v + Math.sin(v)));
        if (bug && bug.name === name) g[bug.flat]! *= 1 + 1e-3;
        return [name, g];
      });
      return p instanceof Map ? new Map(pairs) : Object.fromEntries(pairs);
    };

  it('multiIndex turns a flat index into W1[3,2]', () => {
    expect(multiIndex('W1', [5, 4], 14)).toBe('W1[3,2]');
    expect(multiIndex('b', [4], 3)).toBe('b[3]');
    expect(multiIndex('s', [], 0)).toBe('s');
    expect(multiIndex('T', [2, 3, 4], 23)).toBe('T[1,2,3]');
  });

  it.each([
    ['a plain object', () => makeParams()],
    ['a Map', () => new Map(Object.entries(makeParams()))],
  ])('with %s of params, a planted bug at W1[3,2] is named W1[3,2]', (_label, make) => {
    const params = make() as NamedTensors;
    const good = checkParams(objective, params, gradOf());
    expect(good.ok, formatResult(good)).toBe(true);
    expect(good.params.map((s) => s.name)).toEqual(['W1', 'b1', 'W2']);
    expect(good.params.map((s) => s.shape)).toEqual([
      [5, 4],
      [4],
      [4, 2],
    ]);
    for (const mode of ['full', 'directional'] as const) {
      const r = checkParams(objective, params, gradOf({ name: 'W1', flat: 3 * 4 + 2 }), { mode });
      expect(r.ok).toBe(false);
      expect(r.failures.map((fl) => fl.name)).toEqual(['W1[3,2]']);
      expect(r.failures[0]!.index).toBe(14);
      expect(r.params.find((s) => s.name === 'W1')!.failures).toBe(1);
      expect(r.params.find((s) => s.name === 'W2')!.failures).toBe(0);
      expect(formatResult(r)).toContain('W1[3,2]');
    }
  });

  it('a bug in the second tensor is named with its own offset removed', () => {
    const r = checkParams(objective, makeParams(), gradOf({ name: 'W2', flat: 2 * 2 + 1 }));
    expect(r.failures.map((fl) => fl.name)).toEqual(['W2[2,1]']);
    expect(r.failures[0]!.index).toBe(20 + 4 + 5);
  });

  it('gradients may be tensors or flat arrays, and the objective gets the container kind it was given', () => {
    const kinds: string[] = [];
    const r = checkParams(
      (p) => {
        kinds.push(p instanceof Map ? 'map' : 'object');
        return objective(p);
      },
      new Map(Object.entries(makeParams())),
      (p) => {
        const g = gradOf()(p) as Map<string, Float64Array>;
        return new Map([...g].map(([k, v]): [string, Tensor | number[]] => [k, k === 'b1' ? Array.from(v) : tensor(shapes[k]!, v)]));
      },
    );
    expect(r.ok, formatResult(r)).toBe(true);
    expect(new Set(kinds)).toEqual(new Set(['map']));
  });

  it('checkModel accepts a correct backward pass and names a wrong one by parameter', () => {
    const model = mlp({ sizes: [3, 4, 2], activation: 'tanh', seed: 1 });
    const rng = new Rng(5);
    const x = tensor([4, 3], Array.from({ length: 12 }, () => rng.normal()));
    const t = tensor([4, 2], Array.from({ length: 8 }, () => rng.normal()));
    const good = checkModel(model, x, t, { mode: 'full' });
    expect(good.ok, formatResult(good)).toBe(true);
    expect(good.checked).toBe(12 + 4 + 8 + 2);
    // The first dense op's backward scales dW1[1,0] by 1.01.
    const broken = wrongBackward(model.ops[0]!, (grads) => {
      grads.get('W1')!.data[1 * 4 + 0]! *= 1.01;
    });
    const r = checkModel({ ...model, ops: [broken, ...model.ops.slice(1)] }, x, t);
    expect(r.ok).toBe(false);
    expect(r.failures.map((fl) => fl.name)).toEqual(['W1[1,0]']);
    expect(r.params.find((s) => s.name === 'W1')!.failures).toBe(1);
  });
});

describe('checkJacobian', () => {
  const f = (x: Float64Array) => [Math.sin(x[0]!) * x[1]!, x[0]! * x[0]!, Math.exp(x[2]!)];
  const vjp = (x: Float64Array, u: Float64Array) => [
    u[0]! * Math.cos(x[0]!) * x[1]! + 2 * u[1]! * x[0]!,
    u[0]! * Math.sin(x[0]!),
    u[2]! * Math.exp(x[2]!),
  ];
  const x = [0.4, -1.1, 0.3];

  it('passes a correct vjp, over the default three cotangents', () => {
    const r = checkJacobian(f, vjp, x);
    expect(r.ok, formatResult(r)).toBe(true);
    expect(r.outputs).toBe(3);
    expect(r.cotangents).toBe(3);
    expect(r.checked).toBe(9);
    expect(r.failures).toEqual([]);
  });

  it('honours the number of cotangents and works in directional mode', () => {
    expect(checkJacobian(f, vjp, x, { cotangents: 5 }).cotangents).toBe(5);
    const r = checkJacobian(f, vjp, x, { mode: 'directional' });
    expect(r.ok).toBe(true);
    expect(r.mode).toBe('directional');
  });

  it('catches a wrong Jacobian entry (∂f₁/∂x₀ = x₀ instead of 2x₀) and names the input entry', () => {
    const bad = (xx: Float64Array, u: Float64Array) => {
      const g = vjp(xx, u);
      g[0] = g[0]! - u[1]! * xx[0]!;
      return g;
    };
    const r = checkJacobian(f, bad, x);
    expect(r.ok).toBe(false);
    expect(r.failures.map((fl) => fl.index)).toEqual([0]);
    expect(r.reasons[0]).toMatch(/^cotangent 0: /);
    // every cotangent is checked, and the wrong entry is named by output row and input column
    expect(r.cotangents).toBe(3);
    expect(r.jacobianEntries.map((e) => e.name)).toEqual(['J[1,0]']);
    expect(r.jacobianEntries[0]!.analytic).toBeCloseTo(x[0]!, 12);
    expect(r.jacobianEntries[0]!.numeric).toBeCloseTo(2 * x[0]!, 6);
    expect(r.reasons).toContain('wrong Jacobian entries (output row, input column): J[1,0]');
  });

  it('catches a wrong entry that only one output contributes (∂f₂/∂x₂)', () => {
    const bad = (xx: Float64Array, u: Float64Array) => {
      const g = vjp(xx, u);
      g[2] = g[2]! * 1.001;
      return g;
    };
    const r = checkJacobian(f, bad, x);
    expect(r.ok).toBe(false);
    expect(r.failures.map((fl) => fl.index)).toEqual([2]);
    expect(r.jacobianEntries.map((e) => e.name)).toEqual(['J[2,2]']);
  });

  it('names wrong entries and failing inputs by outputNames and inputNames where given', () => {
    const bad = (xx: Float64Array, u: Float64Array) => {
      const g = vjp(xx, u);
      g[0] = g[0]! - u[1]! * xx[0]!;
      return g;
    };
    const m = (f(Float64Array.from(x)) as ArrayLike<number>).length;
    const outputs = Array.from({ length: m }, (_, i) => `y${i}`);
    const inputs = Array.from(x, (_, j) => `w${j}`);
    const r = checkJacobian(f, bad, x, { outputNames: outputs, inputNames: inputs });
    expect(r.jacobianEntries.map((e) => e.name)).toEqual(['J[y1,w0]']);
    expect(r.failures.map((fl) => fl.name)).toEqual(['w0']);
    expect(() => checkJacobian(f, bad, x, { inputNames: ['a'] })).toThrow(/^checkJacobian: options.inputNames has 1 names, but x has/);
  });

  it('counts the calls its naming of wrong entries makes', () => {
    const cf = counted(f);
    const cv = counted((xx: Float64Array, u: Float64Array) => {
      const g = vjp(xx, u);
      g[1] = g[1]! * 1.1;
      return g;
    });
    const r = checkJacobian(cf.fn, cv.fn, x);
    expect(r.ok).toBe(false);
    expect(r.jacobianEntries.map((e) => e.name)).toEqual(['J[0,1]']);
    expect(r.evaluations).toBe(cf.calls());
    expect(r.gradientCalls).toBe(cv.calls());
  });
});

describe('assertGradient and formatResult', () => {
  const x = points(6);
  const bad = planted(coupledGrad, (o) => (o[3]! *= 1.001));

  it('returns the result when the gradient is correct', () => {
    const r = assertGradient(coupled, coupledGrad, x);
    expect(r.ok).toBe(true);
    expect(r.checked).toBe(6);
  });

  it('throws a GradientCheckError with a table naming the wrong entry', () => {
    let err: unknown;
    try {
      assertGradient(coupled, bad, x);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GradientCheckError);
    expect(err).toBeInstanceOf(Error);
    const e = err as GradientCheckError;
    expect(e.name).toBe('GradientCheckError');
    expect(e.message).toMatch(/entry\s+analytic\s+numeric\s+abs error\s+rel error\s+bound/);
    expect(e.message).toMatch(/^\s+x\[3\]\s/m);
    expect(e.message).not.toMatch(/^\s+x\[[0-24-5]\]\s/m);
    expect(e.result.ok).toBe(false);
    expect(e.result.failures.map((fl) => fl.index)).toEqual([3]);
  });

  it('formatResult states the verdict, the spending, the reasons and the worst entries', () => {
    const r = checkGradient(coupled, bad, x);
    const text = formatResult(r);
    expect(text).toMatch(/^gradient check FAILED \(full, 6 entries checked, \d+ calls of f, seed 0\)/);
    expect(text).toContain(`${r.evaluations} calls of f`);
    expect(text).toContain(`  - ${r.reasons[0]}`);
    expect(text).toContain('worst entries (1 of 1):');
    const [a, n] = sciPair(r.failures[0]!.analytic, r.failures[0]!.numeric);
    expect(text).toContain(a);
    expect(a).not.toBe(n);
    const pass = formatResult(checkGradient(coupled, coupledGrad, x));
    expect(pass).toMatch(/^gradient check passed/);
    expect(pass).not.toContain('worst entries');
  });

  it('formatResult prints analytic and numeric with the digits it takes to tell them apart (a 1e-5 error shows)', () => {
    expect(sciPair(1.23456, 1.23457)).toEqual(['1.23456e+0', '1.23457e+0']);
    expect(sciPair(2, 2.5)).toEqual(['2.000e+0', '2.500e+0']);
    const f = (v: Float64Array): number => v.reduce((s2, t) => s2 + t * t * t, 0);
    const g = (v: Float64Array): number[] => Array.from(v, (t, i) => 3 * t * t * (i === 1 ? 1 + 1e-5 : 1));
    const text = formatResult(checkGradient(f, g, [0.7, 1.3, -0.4]));
    const row = text.split('\n').find((l) => l.trim().startsWith('x[1]'))!;
    const [, analytic, numeric] = row.trim().split(/\s+/);
    expect(analytic).not.toBe(numeric);
  });

  it('formatResult lists at most maxRows entries, worst first', () => {
    const r = checkGradient(coupled, planted(coupledGrad, (o) => o.forEach((_, i) => (o[i]! *= 1 + 1e-3 * (i + 1)))), x);
    expect(r.failures.length).toBe(6);
    const text = formatResult(r, 2);
    expect(text).toContain('worst entries (2 of 6):');
    const rows = text.split('\n').filter((l) => /^\s+x\[\d+\]/.test(l));
    expect(rows.length).toBe(2);
  });

  it('in directional mode without localisation, rows are named by direction', () => {
    const r = checkGradient(coupled, bad, x, { mode: 'directional', localize: false });
    expect(formatResult(r)).toMatch(/direction \d+/);
  });
});

describe('taylorTest', () => {
  const x = points(8);

  it('observes rate ≈ 2 for a correct gradient', () => {
    const r = taylorTest(coupled, coupledGrad, x);
    expect(r.ok, r.reasons.join('\n')).toBe(true);
    expect(r.rate).toBeGreaterThanOrEqual(1.8);
    expect(r.rate).toBeLessThan(2.5);
    expect(r.reasons).toEqual([]);
    expect(r.residuals.length).toBe(14);
    expect(r.evaluations).toBe(15);
  });

  it('observes rate ≈ 1 for a wrong gradient, and says so', () => {
    const r = taylorTest(coupled, planted(coupledGrad, (o) => (o[3]! += 0.5)), x);
    expect(r.ok).toBe(false);
    expect(r.rate).toBeLessThan(1.5);
    expect(r.rate).toBeGreaterThan(0.8);
    expect(r.reasons.join('\n')).toMatch(/O\(h/);
  });

  it('accepts a linear f with its exact gradient (no curvature: infinite rate) and rejects a wrong one', () => {
    const lin: Fn = (v) => v.reduce((s, q, i) => s + (i + 1) * q, 0);
    const ok = taylorTest(lin, (v) => v.map((_, i) => i + 1), x);
    expect(ok.ok).toBe(true);
    expect(ok.rate).toBe(Infinity);
    const wrong = taylorTest(lin, (v) => v.map((_, i) => i + 1.5), x);
    expect(wrong.ok).toBe(false);
    expect(wrong.rate).toBeCloseTo(1, 1);
  });

  it('honours an explicit direction (a wrong entry off the direction is invisible)', () => {
    const bad = planted(coupledGrad, (o) => (o[3]! += 0.5));
    const d = Array.from({ length: 8 }, (_, i) => (i === 3 ? 0 : 1));
    expect(taylorTest(coupled, bad, x, { direction: d }).ok).toBe(true);
    const e3 = Array.from({ length: 8 }, (_, i) => (i === 3 ? 1 : 0));
    expect(taylorTest(coupled, bad, x, { direction: e3 }).ok).toBe(false);
  });

  it('reports a throwing f as a reason, not an exception', () => {
    const r = taylorTest(() => {
      throw new Error('nope');
    }, coupledGrad, x);
    expect(r.ok).toBe(false);
    expect(r.reasons.join('\n')).toMatch(/threw.*nope/);
  });
});

describe('the vitest matcher', () => {
  const x = points(5);
  const bad = planted(coupledGrad, (o) => (o[1]! *= 1.001));

  it('passes for a correct gradient and fails for a wrong one', () => {
    expect(coupled).toHaveCorrectGradient(coupledGrad, x);
    expect(coupled).not.toHaveCorrectGradient(bad, x);
    expect(() => expect(coupled).toHaveCorrectGradient(bad, x)).toThrow(/FAILED[\s\S]*\[1\]/);
    expect(() => expect(coupled).not.toHaveCorrectGradient(coupledGrad, x)).toThrow(/expected the gradient to be wrong/);
  });

  it('passes options through', () => {
    expect(coupled).toHaveCorrectGradient(coupledGrad, x, { mode: 'directional' });
    expect(() => expect(coupled).toHaveCorrectGradient(coupledGrad, x, { mode: 'nope' as never })).toThrow(/mode/);
  });
});

describe('fast-check arbitraries', () => {
  it('positiveDefiniteArb yields symmetric matrices with positive eigenvalues', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((n) => positiveDefiniteArb(n)),
        (t) => {
          const n = t.shape[0]!;
          expect(t.shape).toEqual([n, n]);
          const m = new Matrix(n, n);
          for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
            expect(t.data[i * n + j]).toBe(t.data[j * n + i]);
            m.set(i, j, t.data[i * n + j]!);
          }
          const eig = new EigenvalueDecomposition(m, { assumeSymmetric: true });
          expect(Math.min(...eig.realEigenvalues)).toBeGreaterThan(0.5e-3);
          expect(eig.imaginaryEigenvalues.every((v) => v === 0)).toBe(true);
        },
      ),
      { numRuns: 50, seed: 20260 },
    );
  });

  it('positiveDefiniteArb respects minEigenvalue and rejects a bad size', () => {
    for (const t of fc.sample(positiveDefiniteArb(3, { minEigenvalue: 2, scale: 0.1 }), { numRuns: 20, seed: 1 })) {
      const m = new Matrix(3, 3);
      for (let i = 0; i < 9; i++) m.set(Math.floor(i / 3), i % 3, t.data[i]!);
      expect(Math.min(...new EigenvalueDecomposition(m, { assumeSymmetric: true }).realEigenvalues)).toBeGreaterThanOrEqual(2 - 1e-9);
    }
    expect(() => positiveDefiniteArb(0)).toThrow(RangeError);
  });

  it('probabilityArb stays in (0, 1) and reaches within 1e-3 of both edges', () => {
    const ps = fc.sample(probabilityArb(), { numRuns: 600, seed: 42 });
    expect(ps.every((p) => p > 0 && p < 1)).toBe(true);
    expect(ps.some((p) => p < 1e-3)).toBe(true);
    expect(ps.some((p) => p > 1 - 1e-3)).toBe(true);
    expect(ps.some((p) => p > 0.1 && p < 0.9)).toBe(true);
  });

  it('probabilityArb keeps its margin from the edges', () => {
    const ps = fc.sample(probabilityArb({ margin: 1e-6 }), { numRuns: 600, seed: 2 });
    expect(ps.every((p) => p >= 1e-6 && p <= 1 - 1e-6)).toBe(true);
    expect(() => probabilityArb({ margin: 0 })).toThrow(/margin/);
    expect(() => probabilityArb({ margin: 0.5 })).toThrow(/margin/);
  });

  it('shapeArb respects rank and dimension bounds', () => {
    for (const s of fc.sample(shapeArb({ rank: 2, maxDim: 3 }), { numRuns: 200, seed: 3 })) {
      expect(s.length).toBe(2);
      expect(s.every((d) => Number.isInteger(d) && d >= 1 && d <= 3)).toBe(true);
    }
    const ranks = new Set<number>();
    for (const s of fc.sample(shapeArb({ rank: [1, 4], minDim: 2, maxDim: 5 }), { numRuns: 300, seed: 4 })) {
      ranks.add(s.length);
      expect(s.length).toBeGreaterThanOrEqual(1);
      expect(s.length).toBeLessThanOrEqual(4);
      expect(s.every((d) => d >= 2 && d <= 5)).toBe(true);
    }
    expect(ranks).toEqual(new Set([1, 2, 3, 4]));
    for (const s of fc.sample(shapeArb(), { numRuns: 200, seed: 5 })) {
      expect(s.length).toBeGreaterThanOrEqual(1);
      expect(s.length).toBeLessThanOrEqual(3);
      expect(s.every((d) => d >= 1 && d <= 6)).toBe(true);
    }
  });

  it('tensorArb data length is the product of the shape, with finite values in range', () => {
    fc.assert(
      fc.property(tensorArb(shapeArb({ rank: [0, 3], maxDim: 4 }), { min: -2, max: 3 }), (t) => {
        expect(t.data).toBeInstanceOf(Float64Array);
        expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
        expect(Array.from(t.data).every((v) => Number.isFinite(v) && v >= -2 && v <= 3)).toBe(true);
      }),
      { numRuns: 100, seed: 20260 },
    );
    for (const t of fc.sample(tensorArb([2, 3]), { numRuns: 10, seed: 6 })) {
      expect(t.shape).toEqual([2, 3]);
      expect(t.data.length).toBe(6);
    }
  });

  it('arbitraries drive a property: a tensor function with a correct gradient is never flagged', () => {
    fc.assert(
      fc.property(tensorArb(shapeArb({ rank: [1, 2], maxDim: 4 }), { min: -3, max: 3 }), (t) => {
        const f: Fn = (v) => v.reduce((s, q) => s + Math.tanh(q) * q, 0);
        const g: Grad = (v) => v.map((q) => Math.tanh(q) + q * (1 - Math.tanh(q) ** 2));
        const r = checkGradient(f, g, t.data);
        if (!r.ok) throw new Error(formatResult(r));
        return true;
      }),
      { numRuns: 30, seed: 20260 },
    );
  });
});

describe('per-parameter summaries', () => {
  it('are filled whether or not entries are recorded: every entry checked counts, with its parameter’s worst relative error', () => {
    const p = { W: { data: Float64Array.from([1, 2, 3, 4]), shape: [2, 2] }, b: { data: Float64Array.from([0.5, -1]), shape: [2] } };
    const f = (q: typeof p): number => q.W.data.reduce((s, v) => s + v * v * v, 0) + q.b.data.reduce((s, v) => s + Math.sin(v), 0);
    const g = (q: typeof p) => ({ W: { data: q.W.data.map((v) => 3 * v * v), shape: [2, 2] }, b: { data: q.b.data.map((v) => Math.cos(v) * (v < 0 ? 1.01 : 1)), shape: [2] } });
    for (const record of [false, true]) {
      const r = checkParams(f, p, g, { record });
      expect(r.params.map((s) => [s.name, s.checked, s.failures])).toEqual([
        ['W', 4, 0],
        ['b', 2, 1],
      ]);
      expect(r.params[1]!.maxRelError).toBeGreaterThan(5e-3);
      expect(r.params[0]!.maxRelError).toBeLessThan(1e-8);
    }
  });
});
