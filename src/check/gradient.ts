import { Rng } from '../core/rng.js';
import { CheckAbort, Guarded, validateArgs, type GradFn, type ScalarFn } from './guard.js';
import { differentiate, powerOfTwo, type Derivative, type Estimate, type Verdict } from './difference.js';
import { measureNoise } from './noise.js';
import { NOISE_ULPS, resolveOptions, UNIT_ROUNDOFF, type CheckMode, type CheckOptions, type ResolvedOptions } from './options.js';

/** One entry whose analytic and numerical derivatives disagree beyond the bound. */
export interface Failure {
  /** Flat index of the entry (−1 for a whole direction in directional mode). */
  index: number;
  analytic: number;
  numeric: number;
  absError: number;
  relError: number;
  /** The largest disagreement the check would have accepted here. */
  bound: number;
  /** In directional mode, the direction that failed (for index −1). */
  direction?: number;
  /** Set by checkParams: `W1[3,2]`. */
  name?: string;
}

/** An entry where f is not differentiable within the step. It passes only if `analytic` lies between `left` and `right`. */
export interface Kink {
  index: number;
  left: number;
  right: number;
  analytic: number;
  ok: boolean;
  direction?: number;
  name?: string;
}

/** What was measured at one checked entry or direction (kept with `record: true`). */
export interface EntryRecord {
  index: number;
  direction?: number;
  analytic: number;
  numeric: number;
  absError: number;
  relError: number;
  bound: number;
  truncation: number;
  rounding: number;
  step: number;
  ok: boolean;
  kink: boolean;
  /** Every step the difference tried and its estimates. */
  trail: Estimate[];
}

export interface CheckResult {
  ok: boolean;
  mode: CheckMode;
  /** Calls of f. */
  evaluations: number;
  /** Calls of grad (or vjp). */
  gradientCalls: number;
  maxAbsError: number;
  maxRelError: number;
  failures: Failure[];
  kinks: Kink[];
  /** Why the check failed, in words: one line per problem. Empty when ok. */
  reasons: string[];
  /** Things that did not fail the check but limit what it proves (imprecise entries, …). */
  warnings: string[];
  /** Entries (full, sampled) or directions (directional) checked. */
  checked: number;
  /** The measured noise of one call of f. */
  noise: number;
  seed: number;
  /** Directional mode: the directions whose derivative disagreed (index −1, `direction` set). */
  directionFailures?: Failure[];
  /** Present with `record: true`. */
  entries?: EntryRecord[];
}

interface Context {
  g: Guarded;
  x: Float64Array;
  f0: number;
  grad: Float64Array;
  sigma: number;
  scale: Float64Array;
  /** σ/|f(x)|: the relative noise of f. */
  relNoise: number;
  /** Largest |analytic entry|. */
  gmax: number;
  opts: ResolvedOptions;
  eps: number;
  /**
   * Precision worth paying for: 1% of rtol times the largest analytic entry.
   * An estimate this precise is accepted without refining further, so
   * entries that are (near) zero do not chase a zero tolerance.
   */
  floor: number;
  /**
   * At a stationary point (every analytic entry exactly 0) no relative
   * tolerance applies and f's internal cancellation cannot be seen, so the
   * check falls back on 64·u·max(1, |f(x)|) per unit of x's scale. 0 otherwise.
   */
  stationaryAtol: number;
}

/** Per-coordinate scale: |x_i|, but never below a tenth of x's RMS (and 1 when x is all zeros). */
function coordinateScales(x: Float64Array): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const rms = Math.sqrt(ss / x.length);
  const floor = rms > 0 ? 0.1 * rms : 1;
  return x.map((v) => Math.max(Math.abs(v), floor));
}

function relErr(abs: number, a: number, n: number, floor: number): number {
  const d = Math.max(Math.abs(a), Math.abs(n), floor);
  return d > 0 ? abs / d : 0;
}

/** The judge for one quantity: analytic `a` against the estimate, with tolerance `tol` on top of the estimate's own error. */
/**
 * An estimate is precise enough when its error bound is within the
 * tolerance, or, for an entry indistinguishable from zero (both values
 * within the bound), when the bound is below `floor`: a zero entry has no
 * relative tolerance to reach.
 */
function preciseEnough(a: number, e: Estimate, tol: number, floor: number): boolean {
  const fd = 3 * (e.truncation + e.rounding);
  return fd <= tol || (Math.max(Math.abs(a), Math.abs(e.value)) <= fd && fd <= floor);
}

/** The judge for one quantity: analytic `a` against the estimate, with tolerance `tol` on top of the estimate's own error. */
function judgeFor(a: number, tolOf: (a: number, n: number) => number, floor: number): (e: Estimate) => Verdict {
  return (e) => {
    const diff = Math.abs(a - e.value);
    const fd = 3 * (e.truncation + e.rounding);
    const tol = tolOf(a, e.value);
    if (diff <= tol + fd) return preciseEnough(a, e, tol, floor) ? 'pass' : 'undecided';
    return 'fail';
  };
}

interface Judged {
  ok: boolean;
  kink: boolean;
  numeric: number;
  absError: number;
  relError: number;
  bound: number;
  imprecise: boolean;
  /** Disagreed, but never precisely enough to call it a failure. */
  unresolved?: boolean;
  d: Derivative;
}

/** Differentiates along `phi` and decides: pass, fail, or kink (pass iff a subgradient). */
function judgeDerivative(
  ctx: Context,
  phi: (t: number) => number,
  h: number,
  a: number,
  tolOf: (a: number, n: number) => number,
  unit = 1,
  actualStep?: (t: number) => number,
  maxStep = Infinity,
  inputMagnitude = 0,
): Judged {
  // With `unit` ≠ 1, phi and `a` are in units of 2^-k of f (directions whose ∇f·d overflows).
  const sigma = ctx.sigma * unit;
  const floor = ctx.floor * unit;
  const d = differentiate(phi, ctx.f0 * unit, h, sigma, judgeFor(a, tolOf, floor), {
    unitRoundoff: ctx.eps,
    precise: (e) => preciseEnough(a, e, tolOf(a, e.value), floor),
    severity: (e) => Math.abs(a - e.value) / (tolOf(a, e.value) + 3 * (e.truncation + e.rounding)),
    ...(actualStep ? { actualStep } : {}),
    maxStep,
    inputMagnitude,
  });
  if (d.kink) {
    const { left, right, step } = d.kink;
    const lo = Math.min(left, right);
    const hi = Math.max(left, right);
    // One-sided differences at the finest step: noise 2σ/h each.
    const slack = tolOf(a, hi) + 3 * ((2 * sigma) / step);
    const ok = a >= lo - slack && a <= hi + slack;
    const absError = a < lo ? lo - a : a > hi ? a - hi : 0;
    return { ok, kink: true, numeric: (left + right) / 2, absError, relError: relErr(absError, a, hi, 0), bound: slack, imprecise: false, d };
  }
  if (d.undefinedNearby) {
    return { ok: true, kink: false, numeric: NaN, absError: 0, relError: 0, bound: Infinity, imprecise: true, d };
  }
  if (d.unresolved) {
    const absError = Math.abs(a - d.value);
    return { ok: true, kink: false, numeric: d.value, absError, relError: relErr(absError, a, d.value, 0), bound: Infinity, imprecise: true, unresolved: true, d };
  }
  const fd = 3 * (d.truncation + d.rounding);
  const tol = tolOf(a, d.value);
  const bound = tol + fd;
  const absError = Math.abs(a - d.value);
  return {
    ok: absError <= bound,
    kink: false,
    numeric: d.value,
    absError,
    relError: relErr(absError, a, d.value, fd),
    bound,
    imprecise: !preciseEnough(a, d, tol, ctx.floor * unit) && absError <= bound,
    d,
  };
}

/**
 * The step along a direction of scale `s` whose derivative is about `slope`:
 * h/s ≈ 2·(σ/(s·slope))^(1/5) balances the O(h⁴) truncation estimate of
 * three tableau levels against their rounding term ≈ 6.6σ/h, so that the
 * estimate is usually decided at the third level. The slope comes from the
 * analytic gradient (floored at 1% of its largest entry), which sets the
 * scale even when it is wrong; without it, f's relative noise stands in.
 */
function autoStep(ctx: Context, s: number, slope: number): number {
  const g = Math.max(slope, 0.01 * ctx.gmax);
  let rel = g > 0 ? ctx.sigma / (s * g) : ctx.relNoise;
  // Underflow (s·g = 0) or an all-zero problem: fall back on the noise of f alone.
  if (!Number.isFinite(rel) || !(rel > 0)) rel = ctx.relNoise;
  if (!Number.isFinite(rel) || !(rel > 0)) rel = ctx.eps;
  return s * Math.min(0.1, Math.max(2 * Math.max(rel, ctx.eps) ** 0.2, 1e-10));
}

/** The check of one coordinate i of the gradient. */
function checkCoordinate(ctx: Context, i: number): Judged {
  const xp = ctx.x.slice();
  const xi = ctx.x[i]!;
  const phi = (t: number): number => {
    xp[i] = xi + t;
    const v = ctx.g.f(xp, `x + ${t}·e[${i}]`);
    xp[i] = xi;
    return v;
  };
  // Never below 128 ulps of x_i, or x_i + h would round back to x_i.
  const h =
    ctx.opts.step === 'auto'
      ? powerOfTwo(Math.max(autoStep(ctx, ctx.scale[i]!, Math.abs(ctx.grad[i]!)), 256 * ctx.eps * Math.abs(xi)))
      : ctx.opts.step;
  const { rtol } = ctx.opts;
  const atol = Math.max(ctx.opts.atol, ctx.stationaryAtol / ctx.scale[i]!);
  return judgeDerivative(ctx, phi, h, ctx.grad[i]!, (a, n) => atol + rtol * Math.max(Math.abs(a), Math.abs(n)), 1, (t) => xi + t - xi, Math.max(ctx.scale[i]!, 1));
}

/** The check of the directional derivative along d = v ⊙ scale, v a ±1 vector on `support` (all entries when absent). */
function checkDirection(ctx: Context, v: Float64Array, support?: Uint32Array): Judged & { analytic: number } {
  const n = ctx.x.length;
  const dir = new Float64Array(n);
  let analytic = 0;
  let absTerms = 0;
  let maxTerm = 0;
  let maxD = 0;
  const visit = (i: number): void => {
    const di = v[i]! * ctx.scale[i]!;
    dir[i] = di;
    const term = ctx.grad[i]! * di;
    analytic += term;
    absTerms += Math.abs(term);
    maxTerm = Math.max(maxTerm, Math.abs(term));
    maxD = Math.max(maxD, Math.abs(di));
  };
  if (support) for (const i of support) visit(i);
  else for (let i = 0; i < n; i++) visit(i);
  // ∇f·d overflows (gradient entries near 1e308): compare in units of 2^-k instead, scaling f and ∇f·d
  // alike by an exact power of two, so that d (and so the step in x) keeps its natural size.
  let unit = 1;
  if (!Number.isFinite(absTerms)) {
    let big = 0;
    const visitScaled = (i: number): void => {
      big = Math.max(big, Math.abs(ctx.grad[i]! * 2 ** -600 * dir[i]!));
    };
    if (support) for (const i of support) visitScaled(i);
    else for (let i = 0; i < n; i++) visitScaled(i);
    unit = 2 ** -(Math.ceil(Math.log2((big * n) / 1e300)) + 600);
    analytic = 0;
    absTerms = 0;
    maxTerm = 0;
    const rescale = (i: number): void => {
      const term = ctx.grad[i]! * unit * dir[i]!;
      analytic += term;
      absTerms += Math.abs(term);
      maxTerm = Math.max(maxTerm, Math.abs(term));
    };
    if (support) for (const i of support) rescale(i);
    else for (let i = 0; i < n; i++) rescale(i);
  }
  const xp = new Float64Array(n);
  const phi = (t: number): number => {
    for (let i = 0; i < n; i++) xp[i] = ctx.x[i]! + t * dir[i]!;
    return ctx.g.f(xp, `x + ${t}·d`) * unit;
  };
  const h =
    ctx.opts.step === 'auto'
      ? // φ′ = ∇f·d is a signed sum (≈ √n terms' worth), so its own size, not Σ|terms|, sets the scale.
        powerOfTwo(Math.max(autoStep(ctx, maxD, Math.max(Math.abs(analytic), maxTerm) / unit / maxD) / maxD, 256 * ctx.eps))
      : ctx.opts.step / maxD;
  const { atol, rtol } = ctx.opts;
  // Per-entry tolerance for the largest term, plus the rounding of the analytic sum itself.
  const count = support ? support.length : n;
  const tol = (atol * maxD + ctx.stationaryAtol * count) * unit + rtol * maxTerm + 16 * ctx.eps * absTerms;
  // d is already scaled like x, so steps in t beyond 1 leave the point's neighbourhood.
  return { ...judgeDerivative(ctx, phi, h, analytic, () => tol, unit, undefined, Math.max(1, h)), analytic };
}

function signs(rng: Rng, n: number): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.uniform() < 0.5 ? -1 : 1;
  return v;
}

/** Told of every entry checked individually (its index and relative error), whether or not entries are recorded. */
export type EntryObserver = (index: number, relError: number) => void;

class Collector {
  failures: Failure[] = [];
  kinks: Kink[] = [];
  warnings: string[] = [];
  entries: EntryRecord[] = [];
  maxAbs = 0;
  maxRel = 0;
  imprecise = 0;
  unresolved = 0;
  undefinedNearby = 0;

  constructor(
    private readonly record: boolean,
    private readonly onEntry?: EntryObserver,
  ) {}

  add(index: number, analytic: number, j: Judged, direction?: number): void {
    if (index >= 0) this.onEntry?.(index, j.relError);
    if (!j.d.undefinedNearby) {
      this.maxAbs = Math.max(this.maxAbs, j.absError);
      this.maxRel = Math.max(this.maxRel, j.relError);
    } else this.undefinedNearby++;
    if (j.unresolved) this.unresolved++;
    else if (j.imprecise && !j.d.undefinedNearby) this.imprecise++;
    const dir = direction === undefined ? {} : { direction };
    if (j.kink) {
      this.kinks.push({ index, left: j.d.kink!.left, right: j.d.kink!.right, analytic, ok: j.ok, ...dir });
    } else if (!j.ok) {
      this.failures.push({ index, analytic, numeric: j.numeric, absError: j.absError, relError: j.relError, bound: j.bound, ...dir });
    }
    if (this.record) {
      this.entries.push({
        index,
        ...dir,
        analytic,
        numeric: j.numeric,
        absError: j.absError,
        relError: j.relError,
        bound: j.bound,
        truncation: j.d.truncation,
        rounding: j.d.rounding,
        step: j.d.step,
        ok: j.ok,
        kink: j.kink,
        trail: j.d.trail,
      });
    }
  }
}

/**
 * Group testing: the coordinates of a failing direction are halved again and
 * again, each half tested with two random directions supported on it, until
 * single coordinates remain, which get a full coordinate check. A single
 * wrong entry costs O(log n) directional checks.
 */
function localize(ctx: Context, rng: Rng, out: Collector): { found: number; exhausted: boolean; indices: number[]; atKinks: number } {
  const n = ctx.x.length;
  const max = ctx.opts.maxLocalized;
  let found = 0;
  let atKinks = 0;
  // every wrong entry found, a kink's (not a subgradient) included: the reason names them all
  const indices: number[] = [];
  let exhausted = false;
  const all = new Uint32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  const stack: Uint32Array[] = [all];
  const v = new Float64Array(n);
  while (stack.length) {
    const set = stack.pop()!;
    if (set.length === 1) {
      const i = set[0]!;
      const j = checkCoordinate(ctx, i);
      if (!j.ok || j.kink) out.add(i, ctx.grad[i]!, j);
      if (!j.ok) {
        found++;
        indices.push(i);
        if (j.kink) atKinks++;
      }
      if (found >= max) {
        exhausted = stack.length > 0;
        break;
      }
      continue;
    }
    const mid = set.length >> 1;
    // Pushed right first so the left half is explored first (indices come out in order).
    for (const half of [set.subarray(mid), set.subarray(0, mid)]) {
      let bad = false;
      for (let r = 0; r < 2 && !bad; r++) {
        for (const i of half) v[i] = rng.uniform() < 0.5 ? -1 : 1;
        const j = checkDirection(ctx, v, half);
        bad = !j.ok;
      }
      for (const i of half) v[i] = 0;
      if (bad) stack.push(half);
    }
  }
  return { found, exhausted, indices, atKinks };
}

/**
 * Checks `grad` against finite differences of `f` at `x`. Never throws for
 * a wrong gradient: the result says what is wrong. Throws a TypeError or
 * RangeError naming the argument when f or grad is not a function, x is
 * empty or not finite, or an option is unknown or out of range.
 */
export function checkGradient(f: ScalarFn, grad: GradFn, x: ArrayLike<number>, options?: CheckOptions): CheckResult {
  const opts = resolveOptions('checkGradient', options);
  const x0 = validateArgs('checkGradient', f, grad, 'grad', x);
  return runCheck(f, grad, x0, opts);
}

/** The check proper, on validated arguments (shared by checkJacobian and checkParams). */
export function runCheck(f: ScalarFn, grad: GradFn, x: Float64Array, opts: ResolvedOptions, onEntry?: EntryObserver): CheckResult {
  const n = x.length;
  const g = new Guarded(f, grad, n);
  const out = new Collector(opts.record, onEntry);
  const reasons: string[] = [];
  const rng = new Rng(opts.seed);
  let checked = 0;
  let sigma = 0;
  let directionFailures: Failure[] = [];
  try {
    const f0 = g.f(x, 'x', true);
    const f1 = g.f(x, 'x (second call)', true);
    const drift = Math.abs(f1 - f0);
    // 'auto': a few ulps of the values themselves (one ulp of jitter is rounding, not a bug)
    const ulps = (v: number): number => NOISE_ULPS * UNIT_ROUNDOFF[opts.precision] * v;
    const auto = opts.nondeterminismTolerance === 'auto';
    const fTol = auto ? ulps(Math.max(Math.abs(f0), Math.abs(f1))) : (opts.nondeterminismTolerance as number);
    if (drift > fTol) {
      throw new CheckAbort(
        `f is not deterministic: two calls at the same x gave ${f0} and ${f1} (difference ${drift.toExponential(2)} > nondeterminismTolerance ${auto ? `${NOISE_ULPS} ulps of |f|, ${fTol.toExponential(2)}` : fTol})`,
      );
    }
    const a0 = g.grad(x, 'x');
    const a1 = g.grad(x, 'x (second call)');
    let amax = 0;
    for (let i = 0; i < n; i++) amax = Math.max(amax, Math.abs(a0[i]!), Math.abs(a1[i]!));
    const gTol = auto ? ulps(amax) : (opts.nondeterminismTolerance as number);
    for (let i = 0; i < n; i++) {
      const dg = Math.abs(a1[i]! - a0[i]!);
      if (dg > gTol) {
        throw new CheckAbort(`grad is not deterministic: two calls at the same x gave ${a0[i]} and ${a1[i]} at index ${i}`);
      }
    }
    const scale = coordinateScales(x);
    // Noise of one call: measured, but never below the unit roundoff of f's value.
    const probe = signs(rng, n);
    const xp = new Float64Array(n);
    const delta = opts.precision === 'float32' ? 1e-4 : 1e-6;
    const measured = measureNoise(
      (t) => {
        for (let i = 0; i < n; i++) xp[i] = x[i]! + t * probe[i]! * scale[i]!;
        return g.f(xp, `x + ${t}·probe`);
      },
      delta,
      UNIT_ROUNDOFF[opts.precision] * Math.abs(f0),
    );
    // Subnormal values are quantised in steps of 2^-1074 whatever the precision.
    // the measured drift widens the bound; so does a tolerance the user set (auto adds nothing beyond the drift)
    sigma = Math.max(Number.isFinite(measured) ? 3 * measured : 0, 2 * UNIT_ROUNDOFF[opts.precision] * Math.abs(f0), drift, auto ? 0 : fTol, 4 * Number.MIN_VALUE);
    const relNoise = Math.max(sigma / Math.max(Math.abs(f0), Number.MIN_VALUE), UNIT_ROUNDOFF[opts.precision]);
    let gmax = 0;
    for (const v of a0) gmax = Math.max(gmax, Math.abs(v));
    const floor = Math.max(1e-2 * opts.rtol * gmax, Number.MIN_VALUE);
    const stationaryAtol = gmax === 0 ? 64 * UNIT_ROUNDOFF[opts.precision] * Math.max(1, Math.abs(f0)) : 0;
    const ctx: Context = { g, x, f0, grad: a0, sigma, scale, relNoise, gmax, opts, eps: UNIT_ROUNDOFF[opts.precision], floor, stationaryAtol };

    if (opts.mode === 'directional') {
      let failedDirections = 0;
      for (let k = 0; k < opts.directions; k++) {
        const j = checkDirection(ctx, signs(rng, n));
        out.add(-1, j.analytic, j, k);
        checked++;
        if (!j.ok) failedDirections++;
      }
      // Failing directions move aside: `failures` lists wrong entries once localised.
      directionFailures = out.failures.splice(0);
      if (failedDirections > 0) {
        reasons.push(
          `${failedDirections} of ${opts.directions} random directions disagree with the analytic directional derivative`,
        );
        if (!opts.localize) out.failures.push(...directionFailures);
        else {
          const { found, exhausted, indices: idx, atKinks } = localize(ctx, rng, out);
          if (found === 0) {
            out.failures.push(...directionFailures);
            reasons.push('localisation found no single wrong entry (the errors may cancel within every half, or lie at kinks)');
          } else {
            reasons.push(
              `localised ${found} wrong ${found === 1 ? 'entry' : 'entries'}: ${idx.slice(0, 10).join(', ')}${idx.length > 10 ? ', …' : ''}${atKinks ? ` (${atKinks} at a kink, not a subgradient)` : ''}${exhausted ? ` (stopped at maxLocalized = ${opts.maxLocalized}; there may be more)` : ''}`,
            );
          }
        }
      }
    } else {
      const sampled = opts.mode === 'sampled' && opts.samples < n;
      const coords = sampled ? Uint32Array.from(rng.permutation(n).subarray(0, opts.samples)).sort() : undefined;
      const count = coords ? coords.length : n;
      for (let c = 0; c < count; c++) {
        const i = coords ? coords[c]! : c;
        const j = checkCoordinate(ctx, i);
        out.add(i, a0[i]!, j);
        checked++;
      }
      if (out.failures.length) {
        reasons.push(`${out.failures.length} of ${checked} checked entries disagree with finite differences beyond their error bound`);
      }
    }
    const badKinks = out.kinks.filter((k) => !k.ok);
    if (badKinks.length) {
      reasons.push(
        `${badKinks.length} ${badKinks.length === 1 ? 'entry lies' : 'entries lie'} at a kink with an analytic value outside the one-sided derivatives (not a subgradient)`,
      );
    }
  } catch (e) {
    if (e instanceof CheckAbort) reasons.push(e.reason);
    else throw e;
  }
  if (out.imprecise) {
    out.warnings.push(`${out.imprecise} entries could not be resolved below the tolerance (noise or curvature); they passed on the wider bound`);
  }
  if (out.unresolved) {
    out.warnings.push(
      `${out.unresolved} entries disagreed with finite differences, but never by more than the differences' own uncertainty at any step tried; they are reported as unresolved, not failed`,
    );
  }
  if (out.undefinedNearby) {
    out.warnings.push(`${out.undefinedNearby} entries could not be checked: f is not finite at every step tried around x`);
  }
  const result: CheckResult = {
    ok: reasons.length === 0,
    mode: opts.mode,
    evaluations: g.evaluations,
    gradientCalls: g.gradientCalls,
    maxAbsError: out.maxAbs,
    maxRelError: out.maxRel,
    failures: out.failures,
    kinks: out.kinks,
    reasons,
    warnings: out.warnings,
    checked,
    noise: sigma,
    seed: opts.seed,
  };
  if (opts.mode === 'directional') result.directionFailures = directionFailures;
  if (opts.record) result.entries = out.entries;
  return result;
}
