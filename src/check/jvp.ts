import { Rng } from '../core/rng.js';
import { CheckAbort, validateArgs } from './guard.js';
import { coordinateScales, runCheck, type CheckResult, type CheckVerdict } from './gradient.js';
import { CHECK_OPTION_RULES, resolveWith, rule, type CheckOptions, type OptionRules } from './options.js';

/** f: ℝⁿ → ℝᵐ (a number counts as one output). */
export type ForwardFn = (x: Float64Array) => ArrayLike<number> | number;
/** The forward-mode derivative: J(x)·v, one value per output of f. */
export type JvpFn = (x: Float64Array, tangent: Float64Array) => ArrayLike<number> | number;

export interface JvpOptions extends Omit<CheckOptions, 'mode' | 'samples' | 'directions' | 'localize' | 'maxLocalized'> {
  /** Random tangents v = ±1 ⊙ (x's scale); each is checked as d/dt uᵀf(x + t·v) = uᵀ·jvp(x, v) for a random ±1 u. Default 3. */
  tangents?: number;
  /** Names of f's outputs: wrong outputs are then `(J·v1)[loss]`. Default: output numbers. */
  outputNames?: readonly string[];
}

/** An output whose forward derivative along a tangent is wrong. */
export interface WrongOutput {
  /** `(J·v0)[2]` (or `(H·v0)[2]` for checkHessianVector). */
  name: string;
  tangent: number;
  output: number;
  analytic: number;
  numeric: number;
}

export interface JvpResult extends Omit<CheckResult, 'mode'> {
  mode: 'forward';
  /** Length of f's output. */
  outputs: number;
  tangents: number;
  /** The outputs found wrong along the tangents that failed (for at most MAX_OUTPUTS_LOCALIZED outputs). */
  wrongOutputs: WrongOutput[];
}

/** Outputs up to which a failing tangent is split into its wrong outputs (one derivative check per output). */
export const MAX_OUTPUTS_LOCALIZED = 256;

const { mode: _m, samples: _s, directions: _d, localize: _l, maxLocalized: _x, ...SCALAR_RULES } = CHECK_OPTION_RULES;
const JVP_OPTION_RULES: OptionRules<JvpOptions> = { ...SCALAR_RULES, tangents: rule.positiveInt(3), outputNames: rule.names };

const asArray = (y: ArrayLike<number> | number): ArrayLike<number> => (typeof y === 'number' ? [y] : y);

/**
 * The check shared by checkJvp and checkHessianVector: for each tangent v,
 * the scalar t ↦ uᵀf(x + t·v) has derivative uᵀ·jvp(x + t·v, v) at t = 0,
 * checked with the gradient checker's tableau, noise and verdicts; a wrong
 * output shows in uᵀ(J·v) for every u. A failing tangent is then split into
 * its wrong outputs, each checked alone.
 */
function runForward(where: string, symbol: string, f: ForwardFn, jvp: JvpFn, x: ArrayLike<number>, options: unknown): JvpResult {
  const { tangents: k, outputNames, ...opts } = resolveWith<JvpOptions>(where, options, JVP_OPTION_RULES);
  const x0 = validateArgs(where, f as (x: Float64Array) => number, jvp, where === 'checkHessianVector' ? 'hvp' : 'jvp', x);
  const base = { verdict: 'fail' as CheckVerdict, ok: false, mode: 'forward' as const, gradientCalls: 0, maxAbsError: 0, maxRelError: 0, failures: [], kinks: [], unresolved: [], warnings: [], checked: 0, noise: 0, seed: opts.seed, outputs: 0, tangents: 0, wrongOutputs: [] };
  let first: ArrayLike<number>;
  try {
    first = asArray(f(x0.slice()));
  } catch (e) {
    return { ...base, evaluations: 1, reasons: [`f threw at x: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`] };
  }
  if (first === null || typeof first !== 'object' || typeof first.length !== 'number' || first.length === 0) {
    return { ...base, evaluations: 1, reasons: ['f must return a number or a non-empty array of numbers at x'] };
  }
  const m = first.length;
  if (outputNames && outputNames.length !== m) throw new RangeError(`${where}: options.outputNames has ${outputNames.length} names, but f returned ${m} outputs`);
  const outName = (i: number): string => (outputNames ? outputNames[i]! : String(i));
  const scale = coordinateScales(x0);
  const rng = new Rng(opts.seed);
  const results: CheckResult[] = [];
  const wrong: WrongOutput[] = [];
  const reasons: string[] = [];
  let evaluations = 1;
  let gradientCalls = 0;
  const along = (v: Float64Array, u: Float64Array, label: string, seed: number): CheckResult => {
    const point = (s: number): Float64Array => Float64Array.from(x0, (xi, i) => xi + s * v[i]!);
    const project = (y: ArrayLike<number>, what: string): number => {
      if (!y || y.length !== m) throw new CheckAbort(`${what} returned ${y?.length ?? 'no'} values at a perturbed point, but f has ${m} outputs at x`);
      let s = 0;
      for (let j = 0; j < m; j++) if (u[j] !== 0) s += u[j]! * y[j]!;
      return s;
    };
    const r = runCheck(
      (s) => project(asArray(f(point(s[0]!))), 'f'),
      (s) => [project(asArray(jvp(point(s[0]!), v.slice())), where === 'checkHessianVector' ? 'hvp' : 'jvp')],
      Float64Array.of(0),
      { ...opts, mode: 'full', samples: 1, directions: 1, localize: false, maxLocalized: 1, seed },
      undefined,
      () => label,
    );
    evaluations += r.evaluations;
    gradientCalls += r.gradientCalls;
    return r;
  };
  for (let c = 0; c < k; c++) {
    const v = Float64Array.from(scale, (s) => (rng.uniform() < 0.5 ? -s : s));
    const u = Float64Array.from({ length: m }, () => (rng.uniform() < 0.5 ? -1 : 1));
    const r = along(v, u, `uᵀ(${symbol}·v${c})`, opts.seed + 7919 * (c + 1));
    results.push(r);
    reasons.push(...r.reasons.map((s) => `tangent ${c}: ${s}`));
    if (r.verdict !== 'fail' || m === 1 || m > MAX_OUTPUTS_LOCALIZED) {
      if (r.verdict === 'fail' && m === 1) wrong.push(...r.failures.map((fl) => ({ name: `(${symbol}·v${c})[${outName(0)}]`, tangent: c, output: 0, analytic: fl.analytic, numeric: fl.numeric })));
      continue;
    }
    for (let i = 0; i < m; i++) {
      const e = new Float64Array(m);
      e[i] = 1;
      const name = `(${symbol}·v${c})[${outName(i)}]`;
      const ri = along(v, e, name, opts.seed + 7919 * (c + 1) + i);
      for (const fl of ri.failures) wrong.push({ name, tangent: c, output: i, analytic: fl.analytic, numeric: fl.numeric });
    }
  }
  if (wrong.length) reasons.push(`wrong outputs of ${symbol}·v: ${wrong.slice(0, 10).map((w) => w.name).join(', ')}${wrong.length > 10 ? ', …' : ''}`);
  const verdict: CheckVerdict = results.some((r) => r.verdict === 'fail') ? 'fail' : results.some((r) => r.verdict === 'inconclusive') ? 'inconclusive' : 'pass';
  return {
    verdict,
    ok: verdict === 'pass',
    mode: 'forward',
    evaluations,
    gradientCalls,
    maxAbsError: Math.max(...results.map((r) => r.maxAbsError)),
    maxRelError: Math.max(...results.map((r) => r.maxRelError)),
    failures: results.flatMap((r) => r.failures),
    kinks: results.flatMap((r) => r.kinks),
    unresolved: results.flatMap((r) => r.unresolved),
    reasons: verdict === 'pass' ? [] : reasons,
    warnings: [...new Set(results.flatMap((r) => r.warnings))],
    checked: results.length,
    noise: Math.max(...results.map((r) => r.noise)),
    seed: opts.seed,
    outputs: m,
    tangents: results.length,
    wrongOutputs: wrong,
  };
}

/**
 * Checks a forward-mode derivative (a JVP, as PyTorch's check_forward_ad or
 * ChainRules' frule): jvp(x, v) must equal J(x)·v for f: ℝⁿ → ℝᵐ, along
 * `tangents` random tangents. Wrong outputs are named `(J·v0)[i]`.
 */
export function checkJvp(f: ForwardFn, jvp: JvpFn, x: ArrayLike<number>, options?: JvpOptions): JvpResult {
  return runForward('checkJvp', 'J', f, jvp, x, options);
}

/**
 * Checks a Hessian-vector product (second order, as PyTorch's
 * gradgradcheck): hvp(x, v) must equal the derivative of grad along v,
 * H(x)·v. `grad` is the (trusted or separately checked) gradient of the
 * scalar objective; wrong entries are named `(H·v0)[i]`.
 */
export function checkHessianVector(grad: (x: Float64Array) => ArrayLike<number>, hvp: JvpFn, x: ArrayLike<number>, options?: JvpOptions): JvpResult {
  return runForward('checkHessianVector', 'H', grad, hvp, x, options);
}
