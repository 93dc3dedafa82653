/**
 * Correct gradients on which earlier versions of the checker raised false
 * alarms; each was found by a property test of the derivations.
 */
import { describe, expect, it } from 'vitest';
import { checkGradient, formatResult } from '../../src/index.js';

const sigmoid = (t: number): number => 1 / (1 + Math.exp(-t));

describe('false alarms found by fuzzing stay fixed', () => {
  it('a naively computed softmax cross-entropy at a confident logit (f a staircase of 3.6e-15 steps) is accepted', () => {
    const y = [0, 1, 0, 0];
    const f = (x: Float64Array): number => {
      let mx = -Infinity;
      for (const v of x) mx = Math.max(mx, v);
      let s = 0;
      for (const v of x) s += Math.exp(v - mx);
      const lse = mx + Math.log(s);
      let tot = 0;
      for (let j = 0; j < 4; j++) if (y[j]) tot -= y[j]! * (x[j]! - lse);
      return tot;
    };
    const g = (x: Float64Array): number[] => {
      let mx = -Infinity;
      for (const v of x) mx = Math.max(mx, v);
      let s = 0;
      for (const v of x) s += Math.exp(v - mx);
      return Array.from(x, (v, j) => Math.exp(v - mx) / s - y[j]!);
    };
    const r = checkGradient(f, g, [0, 23.123295117115173, 0, 0]);
    expect(r.ok, formatResult(r)).toBe(true);
    // …and the measured noise reflects the staircase, not the 1e-25 a tiny probe would see.
    expect(r.noise).toBeGreaterThan(1e-16);
  });

  it('a scalar point at 5e-11 in a function of unit scale is accepted (the step grows past the point’s own scale)', () => {
    const t2 = 4.849198719928585;
    const y = 1e-6;
    const f = (x: Float64Array): number => {
      const z = Math.exp(x[0]!) + Math.exp(t2);
      return -(y * Math.log(Math.exp(x[0]!) / z) + (1 - y) * Math.log(Math.exp(t2) / z));
    };
    const g = (x: Float64Array): number[] => [Math.exp(x[0]!) / (Math.exp(x[0]!) + Math.exp(t2)) - y];
    const r = checkGradient(f, g, [-5.1448789686149814e-11]);
    expect(r.ok, formatResult(r)).toBe(true);
  });

  it('a derivative of 1e-34, far below the rounding of f, is not failed (steps never grow past the point’s scale)', () => {
    const x = -8.410616910204158e-7;
    const v = 4.2682523874482e-22;
    const f = (a: Float64Array): number => (v * sigmoid(a[0]! * x) - x) ** 2;
    const g = (a: Float64Array): number[] => {
      const s = sigmoid(a[0]! * x);
      return [2 * (v * s - x) * v * s * (1 - s) * x];
    };
    expect(checkGradient(f, g, [0]).ok).toBe(true);
    expect(checkGradient(f, g, [0], { step: 2 ** -8 }).ok).toBe(true);
  });

  it('a wrong gradient at those same awkward points is still caught', () => {
    const y = [0, 1, 0, 0];
    const f = (x: Float64Array): number => {
      let mx = -Infinity;
      for (const v of x) mx = Math.max(mx, v);
      let s = 0;
      for (const v of x) s += Math.exp(v - mx);
      return mx + Math.log(s) - x[1]!;
    };
    const wrong = (x: Float64Array): number[] => {
      let mx = -Infinity;
      for (const v of x) mx = Math.max(mx, v);
      let s = 0;
      for (const v of x) s += Math.exp(v - mx);
      return Array.from(x, (v, j) => (Math.exp(v - mx) / s - y[j]!) * (j === 0 ? 2 : 1));
    };
    const r = checkGradient(f, wrong, [0, 23.123295117115173, 0, 0]);
    expect(r.ok).toBe(false);
    expect(r.failures.map((fl) => fl.index)).toEqual([0]);
  });
});
