/**
 * Shared test functions for the gradient checker's tests: smooth functions
 * with hand-written gradients, and assertions that print the checker's own
 * report when they fail.
 */
import { expect } from 'vitest';
import { checkGradient, formatResult, type CheckOptions, type CheckResult } from '../../src/index.js';
import type { Op } from '../../src/core/ops/op.js';
import type { Params } from '../../src/core/params.js';

export type Fn = (x: Float64Array) => number;
export type Grad = (x: Float64Array) => Float64Array;

/** Expects a passing check with no failures and no reasons; on failure shows the formatted result. */
export function expectPass(r: CheckResult, label = ''): void {
  const report = `${label}\n${formatResult(r)}\n${JSON.stringify(r.failures.slice(0, 5))}`;
  expect(r.ok, report).toBe(true);
  expect(r.failures, report).toEqual([]);
  expect(r.reasons, report).toEqual([]);
}

/** Runs the check in full and in directional mode and expects both to pass. */
export function expectNoFalseAlarm(f: Fn, g: Grad, x: ArrayLike<number>, opts: CheckOptions = {}, label = ''): CheckResult[] {
  const out: CheckResult[] = [];
  for (const mode of ['full', 'directional'] as const) {
    const r = checkGradient(f, g, x, { ...opts, mode });
    expectPass(r, `${label} (${mode})`);
    expect(r.mode).toBe(mode);
    out.push(r);
  }
  return out;
}

/** Extended Rosenbrock: Σ 100(x_{i+1} − x_i²)² + (1 − x_i)². */
export const rosenbrock: Fn = (x) => {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) s += 100 * (x[i + 1]! - x[i]! * x[i]!) ** 2 + (1 - x[i]!) ** 2;
  return s;
};
export const rosenbrockGrad: Grad = (x) => {
  const g = new Float64Array(x.length);
  for (let i = 0; i + 1 < x.length; i++) {
    const d = x[i + 1]! - x[i]! * x[i]!;
    g[i]! += -400 * x[i]! * d - 2 * (1 - x[i]!);
    g[i + 1]! += 200 * d;
  }
  return g;
};

/** log Σ exp(x_i), computed stably. */
export const logSumExp: Fn = (x) => {
  let m = -Infinity;
  for (const v of x) m = Math.max(m, v);
  let s = 0;
  for (const v of x) s += Math.exp(v - m);
  return m + Math.log(s);
};
export const softmaxOf: Grad = (x) => {
  let m = -Infinity;
  for (const v of x) m = Math.max(m, v);
  const e = x.map((v) => Math.exp(v - m));
  let s = 0;
  for (const v of e) s += v;
  return e.map((v) => v / s);
};

/** Σ e^{x_i} cos(3x_i) + x_i² x_{i+1} (cyclic): coupled, every entry a different size. */
export const coupled: Fn = (x) => {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(x[i]!) * Math.cos(3 * x[i]!) + x[i]! * x[i]! * x[(i + 1) % n]!;
  return s;
};
export const coupledGrad: Grad = (x) => {
  const n = x.length;
  const g = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    g[i]! += Math.exp(x[i]!) * (Math.cos(3 * x[i]!) - 3 * Math.sin(3 * x[i]!)) + 2 * x[i]! * x[(i + 1) % n]!;
    g[(i + 1) % n]! += x[i]! * x[i]!;
  }
  return g;
};

/** A cheap O(P) separable function for large P: Σ a_i x_i²/2 + sin(x_i), a_i = 1 + (i mod 7)/7. */
export const separable: Fn = (x) => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (1 + (i % 7) / 7) * 0.5 * x[i]! * x[i]! + Math.sin(x[i]!);
  return s;
};
export const separableGrad: Grad = (x) => {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) g[i] = (1 + (i % 7) / 7) * x[i]! + Math.cos(x[i]!);
  return g;
};

/** x_i = cos(i)·scale + shift: a deterministic spread of points. */
export function points(n: number, scale = 1, shift = 0): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => Math.cos(1.7 * i + 0.3) * scale + shift);
}

/** Wraps a gradient so that it returns a modified copy. */
export function planted(g: Grad, change: (out: Float64Array, x: Float64Array) => void): Grad {
  return (x) => {
    const out = Float64Array.from(g(x));
    change(out, x);
    return out;
  };
}

export function indicesOf(r: CheckResult): number[] {
  return r.failures.map((fl) => fl.index).sort((a, b) => a - b);
}

/** `op` with a wrong backward pass: after its own, `spoil` changes the gradients it accumulated (forward, spec and columns kept). */
export function wrongBackward(op: Op, spoil: (grads: Params) => void): Op {
  return {
    ...op,
    forward(x, env) {
      const step = op.forward(x, env);
      return {
        y: step.y,
        backward(dy) {
          const dx = step.backward(dy);
          spoil(env.grads);
          return dx;
        },
      };
    },
  };
}
