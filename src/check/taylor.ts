import { Rng } from '../core/rng.js';
import { resolveWith, rule, type OptionRules } from './options.js';
import { CheckAbort, Guarded, NonFiniteValue, validateArgs, type GradFn, type ScalarFn } from './guard.js';

export interface TaylorOptions {
  /** Direction of the test; default a seeded random Gaussian direction scaled like x. */
  direction?: ArrayLike<number>;
  seed?: number;
  /** Largest step along the direction. Default 0.1. */
  h0?: number;
  /** Halvings of the step. Default 14. */
  steps?: number;
  /** Smallest observed rate accepted. Default 1.8. */
  minRate?: number;
}

const TAYLOR_OPTION_RULES: OptionRules<TaylorOptions> = {
  // checked against x by validateArgs, once x is known
  direction: (v) => v as ArrayLike<number> | undefined,
  seed: rule.integer(0),
  h0: rule.positive(0.1),
  steps: (v, _g, bad) => (v === undefined ? 14 : typeof v === 'number' && Number.isInteger(v) && v >= 3 ? v : bad('an integer ≥ 3')),
  minRate: rule.positive(1.8),
};

export interface TaylorResult {
  ok: boolean;
  /** The observed order of the residual |f(x + hd) − f(x) − h·∇f·d| in h: 2 for a correct gradient, 1 for a wrong one. */
  rate: number;
  residuals: { h: number; residual: number }[];
  evaluations: number;
  reasons: string[];
}

/**
 * A second opinion that needs no tolerance: for a correct gradient the
 * first-order Taylor residual falls as O(h²), for a wrong one only as O(h).
 * The rate is the median slope of log residual against log h over the
 * smaller half of the steps where the residual stands clear of f's rounding
 * noise (the asymptotic end, where an O(h) error outgrows the O(h²) term).
 */
export function taylorTest(f: ScalarFn, grad: GradFn, x: ArrayLike<number>, options?: TaylorOptions): TaylorResult {
  const where = 'taylorTest';
  const x0 = validateArgs(where, f, grad, 'grad', x);
  const { direction, seed, h0, steps, minRate } = resolveWith<TaylorOptions>(where, options, TAYLOR_OPTION_RULES);
  const n = x0.length;
  let d: Float64Array;
  if (direction !== undefined) {
    d = validateArgs(where, f, grad, 'grad', direction);
    if (d.length !== n) throw new RangeError(`${where}: options.direction has ${d.length} entries, x has ${n}`);
  } else {
    const rng = new Rng(seed);
    let ss = 0;
    for (const v of x0) ss += v * v;
    const floor = ss > 0 ? 0.1 * Math.sqrt(ss / n) : 1;
    d = new Float64Array(n);
    for (let i = 0; i < n; i++) d[i] = rng.normal() * Math.max(Math.abs(x0[i]!), floor);
  }
  const g = new Guarded(f, grad, n);
  const reasons: string[] = [];
  const residuals: { h: number; residual: number }[] = [];
  let rate = NaN;
  try {
    const f0 = g.f(x0, 'x', true);
    const gx = g.grad(x0, 'x');
    let slope = 0;
    for (let i = 0; i < n; i++) slope += gx[i]! * d[i]!;
    const xp = new Float64Array(n);
    for (let k = 0; k < steps; k++) {
      const h = h0 / 2 ** k;
      for (let i = 0; i < n; i++) xp[i] = x0[i]! + h * d[i]!;
      let fh: number;
      try {
        fh = g.f(xp, `x + ${h}·d`);
      } catch (e) {
        if (e instanceof NonFiniteValue) continue;
        throw e;
      }
      residuals.push({ h, residual: Math.abs(fh - f0 - h * slope) });
    }
    const noise = 64 * 2 ** -52 * Math.max(Math.abs(f0), 1e-300);
    const clear = residuals.filter((r) => r.residual > 100 * noise);
    const slopes: number[] = [];
    for (let k = 0; k + 1 < clear.length; k++) {
      const a = clear[k]!;
      const b = clear[k + 1]!;
      slopes.push(Math.log(a.residual / b.residual) / Math.log(a.h / b.h));
    }
    if (slopes.length === 0) {
      // The residual never rises above rounding: f is linear along d and the gradient exact there.
      rate = Infinity;
    } else {
      // The order is a statement about h → 0: judge it on the smaller half of the steps.
      const tail = slopes.slice(Math.floor(slopes.length / 2)).sort((p, q) => p - q);
      rate = tail[Math.floor(tail.length / 2)]!;
      if (rate < minRate) reasons.push(`the Taylor residual falls as O(h^${rate.toFixed(2)}), not O(h²): the gradient is wrong along this direction`);
    }
  } catch (e) {
    if (e instanceof CheckAbort) reasons.push(e.reason);
    else throw e;
  }
  return { ok: reasons.length === 0, rate, residuals, evaluations: g.evaluations, reasons };
}
