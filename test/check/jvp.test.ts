import { describe, expect, it } from 'vitest';
import { checkHessianVector, checkJvp } from '../../src/index.js';
import { rosenbrock, rosenbrockGrad } from './helpers.js';

const f = (x: Float64Array): number[] => [Math.sin(x[0]!) * x[1]!, x[0]! ** 2 * x[2]!, Math.exp(x[1]!)];
const jvp = (bug = 1) => (x: Float64Array, v: Float64Array): number[] => [
  Math.cos(x[0]!) * x[1]! * v[0]! + Math.sin(x[0]!) * v[1]!,
  2 * x[0]! * x[2]! * v[0]! + x[0]! ** 2 * v[2]! * bug,
  Math.exp(x[1]!) * v[1]!,
];
const x = [0.3, -1.2, 0.8];

/** Rosenbrock's Hessian times v, with `bug` scaling one term of output 2. */
const hvp = (bug = 1) => (y: Float64Array, v: Float64Array): Float64Array => {
  const out = new Float64Array(y.length);
  for (let i = 0; i + 1 < y.length; i++) {
    const a = 1200 * y[i]! ** 2 - 400 * y[i + 1]! + 2;
    const b = -400 * y[i]!;
    out[i]! += a * v[i]! + b * v[i + 1]!;
    out[i + 1]! += b * v[i]! + 200 * v[i + 1]! * (i === 1 ? bug : 1);
  }
  return out;
};

describe('checkJvp: forward-mode derivatives', () => {
  it('passes a correct J·v of a vector function, and of a scalar one', () => {
    expect(checkJvp(f, jvp(), x).verdict).toBe('pass');
    expect(checkJvp((y) => y[0]! * y[1]!, (y, v) => y[1]! * v[0]! + y[0]! * v[1]!, [2, 3]).ok).toBe(true);
  });

  it('catches a 1e-6 relative error in one term and names the wrong output along every tangent', () => {
    const r = checkJvp(f, jvp(1 + 1e-6), x);
    expect(r.verdict).toBe('fail');
    expect(new Set(r.wrongOutputs.map((w) => w.output))).toEqual(new Set([1]));
    expect(r.wrongOutputs.map((w) => w.name)).toEqual(['(J·v0)[1]', '(J·v1)[1]', '(J·v2)[1]']);
    expect(r.reasons.at(-1)).toMatch(/wrong outputs of J·v: \(J·v0\)\[1\]/);
  });

  it('names outputs by outputNames, and refuses a jvp of the wrong length or bad options, naming them', () => {
    const r = checkJvp(f, jvp(2), x, { outputNames: ['a', 'b', 'c'], tangents: 1 });
    expect(r.wrongOutputs.map((w) => w.name)).toEqual(['(J·v0)[b]']);
    const short = checkJvp(f, (y, v) => jvp()(y, v).slice(0, 2), x);
    expect(short.verdict).toBe('fail');
    expect(short.reasons.join('\n')).toMatch(/jvp returned 2 values .* f has 3 outputs/);
    expect(() => checkJvp(f, jvp(), x, { mode: 'full' } as never)).toThrow(/^checkJvp: unknown option 'mode'/);
    expect(() => checkJvp(f, jvp(), x, { outputNames: ['a'] })).toThrow(/^checkJvp: options.outputNames has 1 names, but f returned 3 outputs/);
  });
});

describe('checkHessianVector: second order', () => {
  const at = [-1.2, 1, 0.5, 0.7];
  it("passes Rosenbrock's exact H·v", () => {
    expect(checkHessianVector(rosenbrockGrad, hvp(), at).verdict).toBe('pass');
  });

  it('catches a 0.1% error in one Hessian entry and names the wrong output (H·v)[2]', () => {
    const r = checkHessianVector(rosenbrockGrad, hvp(1.001), at);
    expect(r.verdict).toBe('fail');
    expect(new Set(r.wrongOutputs.map((w) => w.name.replace(/v\d/, 'v')))).toEqual(new Set(['(H·v)[2]']));
  });

  it('checks a gradient given to it: a hvp of f instead of grad (H·v against ∇f) fails', () => {
    expect(checkHessianVector((y) => [rosenbrock(y)], (y, v) => [rosenbrockGrad(y).reduce((s, g, i) => s + g * v[i]!, 0) * 2], at).verdict).toBe('fail');
  });
});
