import { Rng } from '../core/rng.js';
import { CheckAbort, validateArgs } from './guard.js';
import { autoMode, flatName, runCheck, type CheckResult, type CheckVerdict } from './gradient.js';
import { CHECK_OPTION_RULES, resolveWith, rule, type CheckOptions, type OptionRules } from './options.js';

export type VectorFn = (x: Float64Array) => ArrayLike<number>;
export type VjpFn = (x: Float64Array, cotangent: Float64Array) => ArrayLike<number>;

export interface JacobianOptions extends CheckOptions {
  /** Random ±1 cotangents u; each turns f into the scalar uᵀf, whose gradient is vjp(x, u). Default 3. */
  cotangents?: number;
  /** Names of f's outputs, one per output: wrong entries are then `J[loss,b2]`. Default: row numbers. */
  outputNames?: readonly string[];
  /** Names of x's entries, one per entry: wrong entries and failures are then named by them. Default: `x[j]` / column numbers. */
  inputNames?: readonly string[];
}

const JACOBIAN_OPTION_RULES: OptionRules<JacobianOptions> = { ...CHECK_OPTION_RULES, cotangents: rule.positiveInt(3), outputNames: rule.names, inputNames: rule.names };

/** A Jacobian entry found wrong: output row, input column, and the two values. */
export interface JacobianEntry {
  /** `J[row,col]`. */
  name: string;
  row: number;
  col: number;
  analytic: number;
  numeric: number;
}

export interface JacobianResult extends CheckResult {
  /** Length of f's output. */
  outputs: number;
  cotangents: number;
  /**
   * The wrong Jacobian entries J[i,j] (output i, input j) of the columns that
   * failed, found by comparing vjp with unit cotangents against a central
   * difference of f along the column (for at most MAX_ROWS_LOCALIZED outputs).
   */
  jacobianEntries: JacobianEntry[];
}

/** Outputs up to which the rows of a failing column are localised (one vjp call per output). */
export const MAX_ROWS_LOCALIZED = 256;

/**
 * The rows of column `col` whose analytic entry disagrees with a Richardson
 * estimate of ∂f_i/∂x_col well beyond that estimate's own error: a diagnostic
 * of a column already shown wrong, never a verdict of its own.
 */
function wrongRows(f: VectorFn, rows: Float64Array[], x: Float64Array, col: number, rtol: number, eps: number, label: (row: number, col: number) => string): JacobianEntry[] {
  const m = rows.length;
  const h = Math.cbrt(eps) * Math.max(1, Math.abs(x[col]!));
  const at = (t: number): ArrayLike<number> => {
    const v = x.slice();
    v[col] = x[col]! + t;
    return f(v);
  };
  const d = (step: number): Float64Array => {
    const up = at(step);
    const down = at(-step);
    const out = new Float64Array(m);
    for (let i = 0; i < m; i++) out[i] = (up[i]! - down[i]!) / (2 * step);
    return out;
  };
  const coarse = d(h);
  const fine = d(h / 2);
  const y0 = f(x.slice());
  const found: JacobianEntry[] = [];
  for (let i = 0; i < m; i++) {
    const numeric = (4 * fine[i]! - coarse[i]!) / 3;
    const analytic = rows[i]![col]!;
    const truncation = Math.abs(numeric - fine[i]!);
    const rounding = (4 * eps * Math.max(1, Math.abs(y0[i]!))) / h;
    const bound = 8 * (truncation + rounding) + rtol * Math.abs(numeric);
    if (Number.isFinite(numeric) && Math.abs(analytic - numeric) > bound) found.push({ name: label(i, col), row: i, col, analytic, numeric });
  }
  return found;
}

/**
 * Checks a vector-Jacobian product against finite differences of a
 * vector-valued f by random cotangent projections: for each ±1 vector u,
 * the scalar function uᵀf(x) must have gradient vjp(x, u). A wrong Jacobian
 * entry J_jk shows in output j's share of uᵀJ for every u. Every cotangent is
 * checked; the columns that fail are then split into their wrong entries
 * J[i,j] (see `jacobianEntries`).
 */
export function checkJacobian(f: VectorFn, vjp: VjpFn, x: ArrayLike<number>, options?: JacobianOptions): JacobianResult {
  const where = 'checkJacobian';
  const { cotangents: k, outputNames, inputNames, ...opts } = resolveWith<JacobianOptions>(where, options, JACOBIAN_OPTION_RULES);
  const x0 = validateArgs(where, f, vjp, 'vjp', x);
  if (inputNames && inputNames.length !== x0.length) throw new RangeError(`${where}: options.inputNames has ${inputNames.length} names, but x has ${x0.length} entries`);
  const mode = opts.mode === 'auto' ? autoMode(x0.length, opts) : opts.mode;
  const inputName = (j: number): string => (inputNames ? inputNames[j]! : flatName(j));
  const aborted = (reason: string, evaluations: number): JacobianResult => ({
    verdict: 'fail',
    ok: false,
    mode,
    evaluations,
    gradientCalls: 0,
    maxAbsError: 0,
    maxRelError: 0,
    failures: [],
    kinks: [],
    unresolved: [],
    reasons: [reason],
    warnings: [],
    checked: 0,
    noise: 0,
    seed: opts.seed,
    outputs: 0,
    cotangents: 0,
    jacobianEntries: [],
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
  if (outputNames && outputNames.length !== m) throw new RangeError(`${where}: options.outputNames has ${outputNames.length} names, but f returned ${m} outputs`);
  const label = (i: number, j: number): string => `J[${outputNames ? outputNames[i] : i},${inputNames ? inputNames[j] : j}]`;
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
    const r = runCheck(scalar, g, x0, { ...opts, mode, seed: opts.seed + 7919 * (c + 1) }, undefined, inputName);
    results.push(r);
    evaluations += r.evaluations;
  }
  const reasons = results.flatMap((r, c) => r.reasons.map((s) => `cotangent ${c}: ${s}`));
  // The columns that failed, then their wrong rows: J[i,j], output i, input j.
  const cols = [...new Set(results.flatMap((r) => r.failures.map((fl) => fl.index)).filter((i) => i >= 0))].sort((a, b) => a - b);
  const entries: JacobianEntry[] = [];
  let rowCalls = 0;
  if (cols.length && m <= MAX_ROWS_LOCALIZED) {
    try {
      const rows = Array.from({ length: m }, (_, i) => {
        const e = new Float64Array(m);
        e[i] = 1;
        rowCalls++;
        return Float64Array.from(vjp(x0.slice(), e));
      });
      const eps = opts.precision === 'float32' ? 2 ** -23 : 2 ** -52;
      for (const col of cols.slice(0, opts.maxLocalized)) entries.push(...wrongRows(f, rows, x0, col, opts.rtol, eps, label));
      evaluations += 1 + 4 * Math.min(cols.length, opts.maxLocalized);
    } catch {
      // the diagnostic is best effort: the columns' failures stand on their own
    }
    if (entries.length) reasons.push(`wrong Jacobian entries (output row, input column): ${entries.slice(0, 10).map((e) => e.name).join(', ')}${entries.length > 10 ? ', …' : ''}`);
    else reasons.push(`wrong Jacobian column${cols.length > 1 ? 's' : ''} ${cols.join(', ')}: the rows could not be told apart by a central difference`);
  }
  const verdict: CheckVerdict = results.some((r) => r.verdict === 'fail') ? 'fail' : results.some((r) => r.verdict === 'inconclusive') ? 'inconclusive' : 'pass';
  return {
    verdict,
    ok: verdict === 'pass',
    mode,
    evaluations,
    gradientCalls: results.reduce((a, r) => a + r.gradientCalls, 0) + rowCalls,
    maxAbsError: Math.max(...results.map((r) => r.maxAbsError)),
    maxRelError: Math.max(...results.map((r) => r.maxRelError)),
    // one failure per input entry (the worst over the cotangents), named J[·,j]
    // (sorted by error, so the worst of each index is the one the map keeps)
    failures: [...new Map(results.flatMap((r) => r.failures).sort((a, b) => a.relError - b.relError).map((fl) => [fl.index, fl] as const)).values()].sort((a, b) => a.index - b.index),
    kinks: results.flatMap((r) => r.kinks),
    unresolved: results.flatMap((r) => r.unresolved),
    reasons,
    warnings: [...new Set(results.flatMap((r) => r.warnings))],
    checked: results.reduce((a, r) => a + r.checked, 0),
    noise: Math.max(...results.map((r) => r.noise)),
    seed: opts.seed,
    outputs: m,
    cotangents: results.length,
    jacobianEntries: entries,
  };
}
