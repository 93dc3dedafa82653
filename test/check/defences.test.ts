/**
 * Defences: misbehaving f or grad gives ok:false with a reason that says what
 * happened; bad arguments and options throw, naming the culprit.
 */
import { describe, expect, it } from 'vitest';
import { assertGradient, checkGradient, checkJacobian, checkParams, taylorTest, type CheckResult } from '../../src/index.js';
import { tensor } from '../../src/core/index.js';
import { coupled, coupledGrad, points, type Fn, type Grad } from './helpers.js';
import { Guarded } from '../../src/check/guard.js';

const sq: Fn = (x) => x.reduce((s, v) => s + v * v, 0);
const sqGrad: Grad = (x) => x.map((v) => 2 * v);
const X = [0.5, -1.25, 2, 0.75];

function expectRejected(r: CheckResult, pattern: RegExp): void {
  expect(r.ok).toBe(false);
  expect(r.reasons.join('\n')).toMatch(pattern);
}

describe('misbehaving f and grad give ok:false with a reason, never an exception', () => {
  it('f that mutates its input', () => {
    const f: Fn = (x) => {
      const v = sq(x);
      x[1] = 99;
      return v;
    };
    const r = checkGradient(f, sqGrad, X);
    expectRejected(r, /f mutated its input/);
    expect(r.reasons.join('\n')).toMatch(/x\[1\]/);
  });

  it('f that mutates its input only at perturbed points', () => {
    let calls = 0;
    const f: Fn = (x) => {
      if (++calls > 5) x[0] = 0;
      return sq(x);
    };
    expectRejected(checkGradient(f, sqGrad, X), /mutat/);
  });

  it('grad that mutates its input', () => {
    const g: Grad = (x) => {
      const out = sqGrad(x);
      x.fill(0);
      return out;
    };
    expectRejected(checkGradient(sq, g, X), /grad mutated its input/);
  });

  it('grad of the wrong length', () => {
    const r = checkGradient(sq, (x) => sqGrad(x).subarray(0, 3), X);
    expectRejected(r, /grad returned 3 values/);
    expect(r.reasons.join('\n')).toMatch(/x has 4/);
  });

  it('grad returning NaN', () => {
    expectRejected(
      checkGradient(sq, planted((o) => (o[2] = NaN)), X),
      /NaN/,
    );
  });

  it('grad returning Infinity', () => {
    expectRejected(
      checkGradient(sq, planted((o) => (o[0] = -Infinity)), X),
      /Infinity/,
    );
  });

  it('grad returning something that is not an array', () => {
    expectRejected(checkGradient(sq, (() => 3) as unknown as Grad, X), /grad must return an array/);
  });

  it('f returning NaN at x', () => {
    expectRejected(checkGradient(() => NaN, sqGrad, X), /f returned NaN/);
  });

  it('f returning Infinity at x', () => {
    expectRejected(checkGradient(() => Infinity, sqGrad, X), /f returned Infinity/);
  });

  it('f returning a non-number', () => {
    expectRejected(checkGradient((() => 'one') as unknown as Fn, sqGrad, X), /f must return a number/);
    // a vector-valued f is pointed to checkJacobian
    expectRejected(checkGradient(((x: number[]) => x.map((v) => v * v)) as unknown as Fn, sqGrad, X), /returned a vector of 4 values .*use checkJacobian\(f, vjp, x\)/);
    expectRejected(checkGradient(((x: number[]) => Float64Array.from(x)) as unknown as Fn, sqGrad, X), /returned a vector of 4 values/);
  });

  it('f throwing (the message names the error)', () => {
    const f: Fn = () => {
      throw new Error('shape mismatch in layer 3');
    };
    const r = checkGradient(f, sqGrad, X);
    expectRejected(r, /f threw/);
    expect(r.reasons.join('\n')).toMatch(/shape mismatch in layer 3/);
  });

  it('f throwing only at perturbed points', () => {
    let calls = 0;
    const f: Fn = (x) => {
      if (++calls > 3) throw new RangeError('out of domain');
      return sq(x);
    };
    expectRejected(checkGradient(f, sqGrad, X), /f threw.*out of domain/);
  });

  it('grad throwing', () => {
    const g: Grad = () => {
      throw new TypeError('cannot read dW');
    };
    const r = checkGradient(sq, g, X);
    expectRejected(r, /grad threw/);
    expect(r.reasons.join('\n')).toMatch(/cannot read dW/);
  });

  it('a non-deterministic f (Math.random noise)', () => {
    const f: Fn = (x) => sq(x) + Math.random() * 1e-9;
    expectRejected(checkGradient(f, sqGrad, X), /not deterministic/);
    expectRejected(checkGradient(f, sqGrad, X, { mode: 'directional' }), /not deterministic/);
  });

  it('a non-deterministic grad', () => {
    const g: Grad = (x) => x.map((v) => 2 * v + Math.random() * 1e-9);
    expectRejected(checkGradient(sq, g, X), /grad is not deterministic/);
  });

  it('one ulp of jitter is rounding, not a bug: by default f = 848 + Σx² jittering by 1e-13 passes, and a wrong gradient under that jitter still fails', () => {
    let k = 0;
    const ulp = 2 ** -43; // the spacing of doubles in [512, 1024)
    const f: Fn = (x) => 848 + sq(x) + (k++ % 2) * ulp;
    expect(ulp).toBeGreaterThan(1e-13);
    for (const mode of ['full', 'directional'] as const) {
      const r = checkGradient(f, sqGrad, X, { mode });
      expect(r.ok, `${mode}: ${r.reasons.join('\n')}`).toBe(true);
      const bad = checkGradient(f, planted((o) => (o[1]! *= 1.01)), X, { mode });
      expect(bad.ok, mode).toBe(false);
    }
    // the old behaviour on request: calls must agree exactly
    expectRejected(checkGradient(f, sqGrad, X, { nondeterminismTolerance: 0 }), /not deterministic/);
    // a grad jittering by one ulp of its largest entry passes too
    const g: Grad = (x) => x.map((v, i) => 2 * v + (i === 0 ? (k++ % 2) * 2 ** -50 : 0));
    expect(checkGradient(sq, g, X).ok).toBe(true);
  });

  it('with nondeterminismTolerance above the noise, the noisy f passes (and a wrong gradient is still caught)', () => {
    const f: Fn = (x) => sq(x) + (Math.random() - 0.5) * 1e-9;
    const r = checkGradient(f, sqGrad, X, { nondeterminismTolerance: 1e-8 });
    expect(r.ok, r.reasons.join('\n')).toBe(true);
    expect(r.noise).toBeGreaterThanOrEqual(1e-8);
    const d = checkGradient(f, sqGrad, X, { nondeterminismTolerance: 1e-8, mode: 'directional' });
    expect(d.ok, d.reasons.join('\n')).toBe(true);
    const bad = checkGradient(f, planted((o) => (o[1]! *= 1.1)), X, { nondeterminismTolerance: 1e-8 });
    expect(bad.ok).toBe(false);
    expect(bad.failures.map((fl) => fl.index)).toEqual([1]);
  });

  it('a non-finite f at perturbed points only (a domain edge) is not a failure of the gradient', () => {
    // log near 0: steps that cross 0 give NaN; the checker must shrink, not fail or throw.
    const f: Fn = (x) => x.reduce((s, v) => s + Math.log(v), 0);
    const g: Grad = (x) => x.map((v) => 1 / v);
    const r = checkGradient(f, g, [1e-8, 3, 5]);
    expect(r.ok, r.reasons.join('\n')).toBe(true);
  });

  function planted(change: (o: Float64Array) => void): Grad {
    return (x) => {
      const o = Float64Array.from(sqGrad(x));
      change(o);
      return o;
    };
  }
});

describe("the caller's x is never modified", () => {
  it('not by a correct check, a failing check, nor an f and grad that mutate their input', () => {
    const f: Fn = (x) => {
      const v = coupled(x);
      x[0] = 1e9;
      return v;
    };
    const g: Grad = (x) => {
      const o = coupledGrad(x);
      x.fill(-1);
      return o;
    };
    for (const mode of ['full', 'directional', 'sampled'] as const) {
      const typed = points(7);
      const copy = Float64Array.from(typed);
      const plain = Array.from(points(7));
      const plainCopy = [...plain];
      checkGradient(coupled, coupledGrad, typed, { mode });
      checkGradient(coupled, (x) => coupledGrad(x).map((v) => v * 2), typed, { mode });
      checkGradient(f, coupledGrad, typed, { mode });
      checkGradient(coupled, g, plain, { mode });
      checkGradient(coupled, (x) => coupledGrad(x).map((v) => v * 2), plain, { mode });
      expect(typed).toEqual(copy);
      expect(plain).toEqual(plainCopy);
    }
  });

  it('f receives a fresh copy on every call, so keeping a reference to it is harmless', () => {
    const seen: Float64Array[] = [];
    const f: Fn = (x) => {
      seen.push(x);
      return sq(x);
    };
    const x = Float64Array.from(X);
    checkGradient(f, sqGrad, x);
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.every((s) => s !== x)).toBe(true);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("checkParams leaves the caller's tensors alone even when the objective writes into them", () => {
    const W = tensor([2, 2], [1, 2, 3, 4]);
    const before = Float64Array.from(W.data);
    checkParams(
      (p) => {
        const w = (p as Record<string, { data: Float64Array }>).W!.data;
        const v = w.reduce((s, q) => s + q * q, 0);
        w[0] = 0;
        return v;
      },
      { W },
      (p) => ({ W: (p as Record<string, { data: Float64Array }>).W!.data.map((q) => 2 * q) }),
    );
    expect(W.data).toEqual(before);
  });
});

describe('bad arguments throw a TypeError or RangeError naming the argument', () => {
  it('f not a function', () => {
    expect(() => checkGradient('f' as unknown as Fn, sqGrad, X)).toThrow(TypeError);
    expect(() => checkGradient(null as unknown as Fn, sqGrad, X)).toThrow(/\bf must be a function/);
  });

  it('grad not a function', () => {
    expect(() => checkGradient(sq, 42 as unknown as Grad, X)).toThrow(TypeError);
    expect(() => checkGradient(sq, undefined as unknown as Grad, X)).toThrow(/grad must be a function/);
  });

  it('x not array-like', () => {
    expect(() => checkGradient(sq, sqGrad, 5 as unknown as number[])).toThrow(TypeError);
    expect(() => checkGradient(sq, sqGrad, null as unknown as number[])).toThrow(/\bx\b/);
    expect(() => checkGradient(sq, sqGrad, { a: 1 } as unknown as number[])).toThrow(/\bx\b/);
    expect(() => checkGradient(sq, sqGrad, ['1', '2'] as unknown as number[])).toThrow(TypeError);
    expect(() => checkGradient(sq, sqGrad, ['1', '2'] as unknown as number[])).toThrow(/x\[0\]/);
  });

  it('x empty', () => {
    expect(() => checkGradient(sq, sqGrad, [])).toThrow(RangeError);
    expect(() => checkGradient(sq, sqGrad, new Float64Array(0))).toThrow(/\bx\b.*empty/);
  });

  it('x with NaN or Infinity', () => {
    expect(() => checkGradient(sq, sqGrad, [1, NaN])).toThrow(RangeError);
    expect(() => checkGradient(sq, sqGrad, [1, NaN])).toThrow(/x\[1\]/);
    expect(() => checkGradient(sq, sqGrad, [Infinity, 1])).toThrow(RangeError);
    expect(() => checkGradient(sq, sqGrad, [1, 2, -Infinity])).toThrow(/x\[2\].*finite/);
  });

  it('every checker validates its arguments the same way', () => {
    expect(() => assertGradient(sq, 'g' as unknown as Grad, X)).toThrow(/grad must be a function/);
    expect(() => taylorTest(sq, sqGrad, [])).toThrow(RangeError);
    expect(() => taylorTest(7 as unknown as Fn, sqGrad, X)).toThrow(TypeError);
    expect(() => checkJacobian((x) => [x[0]!], 'vjp' as never, X)).toThrow(/vjp must be a function/);
    expect(() => checkJacobian((x) => [x[0]!], (x) => x, [NaN])).toThrow(RangeError);
    expect(() => checkParams(sq as never, {}, sqGrad as never)).toThrow(/params/);
    expect(() => checkParams('obj' as never, { W: tensor([1], [1]) }, sqGrad as never)).toThrow(/objective/);
  });
});

describe('options are validated, bad ones rejected by name', () => {
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['an unknown option', { rtoll: 1e-6 }, /rtoll/],
    ['mode not one of full, sampled, directional', { mode: 'random' }, /mode/],
    ['a negative rtol', { rtol: -1 }, /rtol/],
    ['a NaN rtol', { rtol: NaN }, /rtol/],
    ['an infinite atol', { atol: Infinity }, /atol/],
    ['a step of 0', { step: 0 }, /step/],
    ['a negative step', { step: -1e-6 }, /step/],
    ['a step that is neither auto nor a number', { step: 'small' }, /step/],
    ['an unknown precision', { precision: 'float16' }, /precision/],
    ['samples not a positive integer', { samples: 0 }, /samples/],
    ['a fractional samples', { samples: 2.5 }, /samples/],
    ['directions of 0', { directions: 0 }, /directions/],
    ['a fractional seed', { seed: 0.5 }, /seed/],
    ['a non-boolean localize', { localize: 'yes' }, /localize/],
    ['a negative nondeterminismTolerance', { nondeterminismTolerance: -1 }, /nondeterminismTolerance/],
    ['maxLocalized of 0', { maxLocalized: 0 }, /maxLocalized/],
  ];
  it.each(bad)('%s throws naming it', (_label, opts, name) => {
    expect(() => checkGradient(sq, sqGrad, X, opts as never)).toThrow(name);
    expect(() => assertGradient(sq, sqGrad, X, opts as never)).toThrow(name);
    expect(() => checkJacobian((x) => [sq(x)], (x, u) => sqGrad(x).map((v) => v * u[0]!), X, opts as never)).toThrow(name);
  });

  it('options that are not an object throw a TypeError', () => {
    expect(() => checkGradient(sq, sqGrad, X, 'fast' as never)).toThrow(TypeError);
    expect(() => checkGradient(sq, sqGrad, X, null as never)).toThrow(/options/);
  });

  it('an option is validated before f is ever called', () => {
    let calls = 0;
    const f: Fn = (x) => {
      calls++;
      return sq(x);
    };
    expect(() => checkGradient(f, sqGrad, X, { rtol: -1 })).toThrow(/rtol/);
    expect(calls).toBe(0);
  });

  it('checkJacobian rejects a bad number of cotangents by name', () => {
    expect(() => checkJacobian((x) => [sq(x)], (x, u) => sqGrad(x).map((v) => v * u[0]!), X, { cotangents: 0 })).toThrow(
      /cotangents/,
    );
  });

  it('taylorTest rejects unknown options and bad steps by name', () => {
    expect(() => taylorTest(sq, sqGrad, X, { rtol: 1 } as never)).toThrow(/rtol/);
    expect(() => taylorTest(sq, sqGrad, X, { h0: -1 })).toThrow(/h0/);
    expect(() => taylorTest(sq, sqGrad, X, { steps: 2 })).toThrow(/steps/);
    expect(() => taylorTest(sq, sqGrad, X, { direction: [1, 2] })).toThrow(/direction/);
  });

  it('valid options are accepted', () => {
    const r = checkGradient(sq, sqGrad, X, {
      mode: 'sampled',
      samples: 2,
      seed: 3,
      rtol: 1e-6,
      atol: 1e-12,
      step: 1e-4,
      localize: false,
      maxLocalized: 3,
      precision: 'float64',
      nondeterminismTolerance: 0,
      record: true,
    });
    expect(r.ok).toBe(true);
    expect(r.checked).toBe(2);
  });
});

describe('checkJacobian and checkParams defend the same way', () => {
  it('checkJacobian: a vjp that returns the wrong length gives ok:false', () => {
    const r = checkJacobian((x) => [x[0]! * x[1]!, x[1]!], (_x, _u) => [1], [1, 2]);
    expect(r.ok).toBe(false);
    expect(r.reasons.join('\n')).toMatch(/returned 1 values/);
  });

  it('checkJacobian: an f whose output length changes between calls gives ok:false', () => {
    let calls = 0;
    const f = (x: Float64Array) => (++calls > 4 ? [x[0]!] : [x[0]!, x[1]!]);
    const r = checkJacobian(f, (_x, u) => [u[0]!, u[1]!], [1, 2]);
    expect(r.ok).toBe(false);
    expect(r.reasons.join('\n')).toMatch(/outputs/);
  });

  it('checkJacobian: an f that throws gives ok:false with a reason, not an exception', () => {
    const f = (): number[] => {
      throw new Error('boom');
    };
    let r: CheckResult | undefined;
    expect(() => {
      r = checkJacobian(f, (_x, u) => [u[0]!], [1]);
    }).not.toThrow();
    expect(r!.ok).toBe(false);
    expect(r!.reasons.join('\n')).toMatch(/threw.*boom/);
  });

  it("checkParams: an objective that writes to its tensors is caught, and the caller's tensors stay as they were", () => {
    const W = tensor([2], [1, 2]);
    const r = checkParams(
      (p: { W: { data: Float64Array } }) => {
        const s = p.W.data.reduce((a, v) => a + v * v, 0);
        p.W.data[1] = 0;
        return s;
      },
      { W },
      (p) => ({ W: p.W.data.map((v) => 2 * v) }),
    );
    expect(r.verdict).toBe('fail');
    expect(r.reasons.join('\n')).toMatch(/f mutated its input: x\[1\]/);
    expect(Array.from(W.data)).toEqual([1, 2]);
  });

  it('checkParams: a grad that forgets a parameter gives ok:false naming it', () => {
    const r = checkParams(
      (p) => Object.values(p as Record<string, { data: Float64Array }>).reduce((s, t) => s + t.data.reduce((a, v) => a + v * v, 0), 0),
      { W: tensor([2], [1, 2]), b: tensor([1], [3]) },
      (p) => ({ W: (p as Record<string, { data: Float64Array }>).W!.data.map((v) => 2 * v) }),
    );
    expect(r.ok).toBe(false);
    expect(r.reasons.join('\n')).toMatch(/no gradient for 'b'/);
  });

  it('checkParams: a grad naming an unknown parameter gives ok:false naming it', () => {
    const r = checkParams(
      (p) => (p as Record<string, { data: Float64Array }>).W!.data.reduce((a, v) => a + v * v, 0),
      { W: tensor([2], [1, 2]) },
      (p) => ({ W: (p as Record<string, { data: Float64Array }>).W!.data.map((v) => 2 * v), V: [0] }),
    );
    expect(r.ok).toBe(false);
    expect(r.reasons.join('\n')).toMatch(/unknown parameter 'V'/);
  });

  it('checkParams: a gradient of the wrong size for one parameter gives ok:false naming it', () => {
    const r = checkParams(
      (p) => (p as Record<string, { data: Float64Array }>).W!.data.reduce((a, v) => a + v * v, 0),
      { W: tensor([3], [1, 2, 3]) },
      () => ({ W: [1, 2] }),
    );
    expect(r.ok).toBe(false);
    expect(r.reasons.join('\n')).toMatch(/2 values for 'W'/);
  });

  it('checkParams: a gradient tensor with its parameter\'s size but another shape (a transposed factor) gives ok:false naming both shapes', () => {
    const sq = (p: unknown) => (p as Record<string, { data: Float64Array }>).W!.data.reduce((a, v) => a + v * v, 0);
    const W = tensor([2, 3], [1, 2, 3, 4, 5, 6]);
    const r = checkParams(sq, { W }, (p) => ({ W: { shape: [3, 2], data: (p as Record<string, { data: Float64Array }>).W!.data.map((v) => 2 * v) } }));
    expect(r.ok).toBe(false);
    expect(r.reasons.join('\n')).toMatch(/shape \[3, 2\] for 'W', which has shape \[2, 3\]/);
    const flat = checkParams(sq, { W }, (p) => ({ W: { shape: [6], data: (p as Record<string, { data: Float64Array }>).W!.data.map((v) => 2 * v) } }));
    expect(flat.ok).toBe(false);
    const right = checkParams(sq, { W }, (p) => ({ W: { shape: [2, 3], data: (p as Record<string, { data: Float64Array }>).W!.data.map((v) => 2 * v) } }));
    expect(right.ok).toBe(true);
  });
});

describe('one refilled input buffer (checkModel: evaluate keeps no reference to its input)', () => {
  it('still hands f a copy, never the caller’s array, and still catches an f that writes to it', () => {
    const seen: Float64Array[] = [];
    const g = new Guarded(
      (v) => {
        seen.push(v);
        return v[0]!;
      },
      () => [0, 0],
      2,
      true,
    );
    const x = Float64Array.from([1, 2]);
    expect(g.f(x, 'x')).toBe(1);
    expect(g.f(Float64Array.from([3, 4]), 'y')).toBe(3);
    expect(seen[0]).not.toBe(x);
    expect(seen[0]).toBe(seen[1]);
    const writer = new Guarded((v) => ((v[1] = 9), 0), () => [0, 0], 2, true);
    expect(() => writer.f(x, 'x')).toThrow(/f mutated its input: x\[1\] went from 2 to 9/);
    expect(Array.from(x)).toEqual([1, 2]);
  });
});
