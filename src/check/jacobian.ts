import { Rng } from '../core/rng.js';
import { CheckAbort, validateArgs } from './guard.js';
import { runCheck, type CheckResult } from './gradient.js';
import { CHECK_OPTION_RULES, resolveWith, rule, type CheckOptions, type OptionRules } from './options.js';

export type VectorFn = (x: Float64Array) => ArrayLike<number>;
export type VjpFn = (x: Float64Array, cotangent: Float64Array) => ArrayLike<number>;

export interface JacobianOptions extends CheckOptions {
  /** Random ±1 cotangents u; each turns f into the scalar uᵀf, whose gradient is vjp(x, u). Default 3. */
  cotangents?: number;
}

const JACOBIAN_OPTION_RULES: OptionRules<JacobianOptions> = { ...CHECK_OPTION_RULES, cotangents: rule.positiveInt(3) };

export interface JacobianResult extends CheckResult {
  /** Length of f's output. */
  outputs: number;
  cotangents: number;
}

/**
 * Checks a vector-Jacobian product against finite differences of a
 * vector-valued f by random cotangent projections: for each ±1 vector u,
 * the scalar function uᵀf(x) must have gradient vjp(x, u). A wrong Jacobian
 * entry J_jk shows in output j's share of uᵀJ for every u.
 */
export function checkJacobian(f: VectorFn, vjp: VjpFn, x: ArrayLike<number>, options?: JacobianOptions): JacobianResult {
  const where = 'checkJacobian';
  const { cotangents: k, ...opts } = resolveWith<JacobianOptions>(where, options, JACOBIAN_OPTION_RULES);
  const x0 = validateArgs(where, f, vjp, 'vjp', x);
  const aborted = (reason: string, evaluations: number): JacobianResult => ({
    ok: false,
    mode: opts.mode,
    evaluations,
    gradientCalls: 0,
    maxAbsError: 0,
    maxRelError: 0,
    failures: [],
    kinks: [],
    reasons: [reason],
    warnings: [],
    checked: 0,
    noise: 0,
    seed: opts.seed,
    outputs: 0,
    cotangents: 0,
  });
  let first: unknown;
  try {
    first = f(x0.slice());
  } catch (e) {
    return aborted(`f threw at x: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, 1);
  }
  if (first === null || typeof first !== 'object' || typeof (first as ArrayLike<number>).length !== 'number' || (first as ArrayLike<number>).length === 0) {
    return aborted('f must return a non-empty array of numbers at x', 1);
  }
  const m = (first as ArrayLike<number>).length;
  const rng = new Rng(opts.seed);
  const results: CheckResult[] = [];
  let evaluations = 1;
  for (let c = 0; c < k; c++) {
    const u = new Float64Array(m);
    for (let j = 0; j < m; j++) u[j] = rng.uniform() < 0.5 ? -1 : 1;
    const scalar = (v: Float64Array): number => {
      const y = f(v);
      if (!y || y.length !== m) throw new CheckAbort(`f returned ${y?.length ?? "no"} outputs at a perturbed point, but ${m} at x`);
      let s = 0;
      for (let j = 0; j < m; j++) s += u[j]! * y[j]!;
      return s;
    };
    const g = (v: Float64Array): ArrayLike<number> => vjp(v, u.slice());
    const r = runCheck(scalar, g, x0, { ...opts, seed: opts.seed + 7919 * (c + 1) });
    results.push(r);
    evaluations += r.evaluations;
    if (!r.ok) break;
  }
  const reasons = results.flatMap((r, c) => r.reasons.map((s) => `cotangent ${c}: ${s}`));
  return {
    ok: results.every((r) => r.ok),
    mode: opts.mode,
    evaluations,
    gradientCalls: results.reduce((a, r) => a + r.gradientCalls, 0),
    maxAbsError: Math.max(...results.map((r) => r.maxAbsError)),
    maxRelError: Math.max(...results.map((r) => r.maxRelError)),
    failures: results.flatMap((r) => r.failures),
    kinks: results.flatMap((r) => r.kinks),
    reasons,
    warnings: [...new Set(results.flatMap((r) => r.warnings))],
    checked: results.reduce((a, r) => a + r.checked, 0),
    noise: Math.max(...results.map((r) => r.noise)),
    seed: opts.seed,
    outputs: m,
    cotangents: results.length,
  };
}
