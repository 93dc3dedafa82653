import { Rng } from '../core/rng.js';
import { CheckAbort, Guarded, NonFiniteValue, validateArgs, type EntryFn, type GradFn, type ScalarFn } from './guard.js';
import { differentiate, powerOfTwo, type Derivative, type Estimate, type Verdict } from './difference.js';
import { entryNoise, measureNoise } from './noise.js';
import { checkJointKinks } from './joint-kinks.js';
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
  /** The entry's name: `x[3]` for a flat input, `W1[3,2]` for a named tensor, `direction 4` for a direction. */
  name: string;
}

/**
 * An entry (or direction) the check could not decide: its estimate's error
 * bound never came below what it takes to tell a right value from a wrong
 * one, at any step tried. It is neither passed nor failed.
 */
export interface Unresolved {
  /** Flat index (−1 for a direction). */
  index: number;
  direction?: number;
  name: string;
  analytic: number;
  /** The best estimate reached (NaN when f was not finite at any step tried). */
  numeric: number;
  /** The error bound reached: 3 × (truncation + rounding). */
  resolution: number;
  /** The bound it needed to reach. */
  needed: number;
  /** The step of the best estimate. */
  step: number;
  /** 'noise': the bound never came low enough; 'disagreed': it differed, never provably; 'not finite': f was not finite at every step. */
  why: 'noise' | 'disagreed' | 'not finite';
}

/** pass: every entry resolved and right; fail: a wrong entry (or defence) shown; inconclusive: no failure, but some entry unresolved. */
export type CheckVerdict = 'pass' | 'fail' | 'inconclusive';

/** An entry where f is not differentiable within the step. It passes only if `analytic` lies between `left` and `right`. */
export interface Kink {
  index: number;
  left: number;
  right: number;
  analytic: number;
  ok: boolean;
  direction?: number;
  name: string;
}

/** What was measured at one checked entry or direction (kept with `record: true`). */
export interface EntryRecord {
  index: number;
  /** `x[3]`, `W1[3,2]` or `direction 4`. */
  name: string;
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
  /** pass, fail or inconclusive: see CheckVerdict. */
  verdict: CheckVerdict;
  /** True only for a pass. */
  ok: boolean;
  mode: CheckMode;
  /** Calls of f. */
  evaluations: number;
  /** Calls of grad (or vjp). */
  gradientCalls: number;
  maxAbsError: number;
  /**
   * The largest relative error over the resolved entries: |analytic − numeric|
   * over the entry's own magnitude max(|analytic|, |numeric|), floored at the
   * entry's error bound and at 1e-6 of the largest gradient entry, so that an
   * entry at (or cancelling to) zero does not read as a large relative error:
   * a correct gradient stays near the differences' own precision, a wrong
   * entry shows its relative error.
   */
  maxRelError: number;
  failures: Failure[];
  kinks: Kink[];
  /** Entries (or directions) that could not be decided, by name: they make the verdict inconclusive. */
  unresolved: Unresolved[];
  /** Why the check did not pass, in words: one line per problem, naming the entries. Empty on a pass. */
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
  /**
   * Threads the entries were shared among, the calling one included, when more than one (checkModel's
   * `workers`; each claims chunks as it is free, so a worker that starts late may check few or none):
   * the result is the one a single thread gives.
   */
  threads?: number;
}

/** What a coordinate's check needs beyond f: plain data, so that a worker thread can receive it. */
export interface SharedContext {
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
   * The absolute precision below which no entry need be resolved:
   * resolution × ZERO_SHARE × the largest analytic entry. An entry far
   * smaller than the gradient (or zero) is resolved to this, not to a
   * zero tolerance.
   */
  floor: number;
  /**
   * At a stationary point (every analytic entry exactly 0) no relative
   * tolerance applies and f's internal cancellation cannot be seen, so the
   * check falls back on 64·u·max(1, |f(x)|) per unit of x's scale. 0 otherwise.
   */
  stationaryAtol: number;
  /** Measured noise of each analytic entry (three times its fourth-difference estimate). */
  gradNoise: Float64Array;
  /** Milliseconds one call of f took at x (for deciding whether worker threads pay). */
  callMs: number;
  /** Coordinates are checked through f's entry-at-a-time form (RunOptions.entry), which gave f's own values. */
  entryWise: boolean;
}

interface Context extends SharedContext {
  g: Guarded;
}

/** One coordinate's check, wherever it ran: its verdict (or the abort that ended it) and the calls of f it made. */
export interface EntryOutcome {
  index: number;
  calls: number;
  judged?: Judged;
  abort?: string;
}

/**
 * Checks coordinates elsewhere (worker threads, see parallel.ts): their outcomes in any order, or
 * why it could not (then they are checked here, on this thread, with the same results).
 */
export type CoordinateRunner = (
  shared: SharedContext,
  indices: Uint32Array,
  /** Checks some of them on this thread, as a thread of the team (its calls counted with the outcomes'). */
  here: (part: Uint32Array) => EntryOutcome[],
) => { outcomes: EntryOutcome[]; threads: number } | { unavailable: string; warn: boolean };

/** How runCheck runs, for callers that know their objective (checkModel). */
export interface RunOptions {
  /** Checks coordinates elsewhere: see CoordinateRunner. */
  runner?: CoordinateRunner;
  /** f never keeps its input: one buffer is refilled for every call instead of a fresh copy. */
  reuseInput?: boolean;
  /**
   * f with one entry of x changed, bit for bit f (checkModel: the core's incremental evaluation):
   * coordinates are checked through it once it has given f's values at three entries.
   */
  entry?: EntryFn;
}

/** Coordinates checked in order on `g`, each with the calls it made; an abort ends the list. */
export function checkCoordinates(shared: SharedContext, g: Guarded, indices: ArrayLike<number>): EntryOutcome[] {
  const ctx: Context = { ...shared, g };
  const out: EntryOutcome[] = [];
  for (let k = 0; k < indices.length; k++) {
    const index = indices[k]!;
    const before = g.evaluations;
    try {
      out.push({ index, judged: checkCoordinate(ctx, index), calls: g.evaluations - before });
    } catch (e) {
      if (!(e instanceof CheckAbort)) throw e;
      out.push({ index, abort: e.reason, calls: g.evaluations - before });
      break;
    }
  }
  return out;
}

/** Entries below this share of the largest entry are resolved absolutely (to resolution × share × max), not relative to themselves. */
const ZERO_SHARE = 1e-9;
/** The safety factor on the estimate's error bound (truncation + rounding). */
const SAFETY = 3;
/** The analytic value's own rounding, in units of |entry|: below this no disagreement is called a failure. */
const ANALYTIC_ULPS = 32;
/**
 * No relative disagreement below this is a failure: both sides' roundings through cancellation
 * inside f or grad that neither noise probe shows live there (σ² − 1 − log σ² at σ ≈ 1).
 */
const TOL_FLOOR = { float64: 1e-8, float32: 1e-4 } as const;
/**
 * A direction's allowance, in ulps of Σ|terms|: the analytic sum's rounding, and f's rounding
 * relative to intermediates it never shows in its noise (log(1 + ε) moves in steps of u whatever
 * ε's share of the direction). 256u·Σ|terms| still catches a 1e-6 error in one of 1,000 similar terms.
 */
const DIRECTION_ULPS = 256;
/**
 * The largest error bound, relative to the entry's own scale, with which an
 * agreeing entry still passes; above it the entry is unresolved. The scale is
 * max(|analytic|, |numeric|, |f″|·h): an entry indistinguishable from zero is
 * judged against how fast f's slope changes across the stencil.
 */
const UNRESOLVED_SHARE = { float64: 1e-2, float32: 1e-1 } as const;

/**
 * Per-coordinate scale: |x_i|, but never below a tenth of x's RMS (and 1 when
 * x is all zeros), rounded to a power of two: with power-of-two steps, x + t·d
 * is then exact in every entry, so a direction's step is the step taken.
 */
export function coordinateScales(x: Float64Array): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const rms = Math.sqrt(ss / x.length);
  const floor = rms > 0 ? 0.1 * rms : 1;
  return x.map((v) => powerOfTwo(Math.max(Math.abs(v), floor)));
}

/** Entries below this share of the largest gradient entry are measured against it, not against themselves, in relError. */
const REL_FLOOR = 1e-6;

/** |analytic − numeric| relative to the entry's own magnitude (floored: see REL_FLOOR), never beyond 1 for an entry within its bound of zero. */
function relErr(abs: number, a: number, n: number, bound: number): number {
  const d = Math.max(Math.abs(a), Math.abs(n), bound);
  return d > 0 ? abs / d : 0;
}

/**
 * How one quantity is judged. `tol`: the disagreement allowed on top of the
 * estimate's own bound (the user's atol/rtol and the analytic value's
 * rounding); `needed`: the bound an estimate must reach to decide (the
 * resolution asked for). Both from the analytic value and the estimate.
 */
interface Tolerance {
  tol: (a: number, n: number) => number;
  needed: (a: number, n: number) => number;
}

const fdBound = (e: Estimate): number => SAFETY * (e.truncation + e.rounding);

/** f bit-identical across the whole stencil and an analytic value within its bound: nothing finer exists to resolve. */
const flatAgrees = (a: number, e: Estimate, t: Tolerance): boolean => e.flat === true && Math.abs(a) <= fdBound(e) + t.tol(a, e.value);

/** An agreeing estimate decides (passes) when its bound is within UNRESOLVED_SHARE of the entry's own scale (or f is flat). */
function decides(a: number, e: Estimate, t: Tolerance, share: number): boolean {
  const fd = fdBound(e);
  if (flatAgrees(a, e, t)) return true;
  // (a bound within a few times the allowed disagreement decides too: differences below it do not matter)
  return fd <= Math.max(4 * t.tol(a, e.value), t.needed(a, e.value), share * Math.max(Math.abs(a), Math.abs(e.value), e.spread ?? 0));
}

/** An estimate is precise enough to stop refining when its bound is within what is needed (or within the allowed disagreement itself). */
function resolvedBy(a: number, e: Estimate, t: Tolerance): boolean {
  if (flatAgrees(a, e, t)) return true;
  return fdBound(e) <= Math.max(t.tol(a, e.value), t.needed(a, e.value));
}

/** The judge for one quantity: analytic `a` against the estimate. */
function judgeFor(a: number, t: Tolerance): (e: Estimate) => Verdict {
  return (e) => {
    const diff = Math.abs(a - e.value);
    if (diff <= t.tol(a, e.value) + fdBound(e)) return resolvedBy(a, e, t) ? 'pass' : 'undecided';
    return 'fail';
  };
}

type Status = 'pass' | 'fail' | 'unresolved';

export interface Judged {
  status: Status;
  /** status === 'pass' (a kink's subgradient included). */
  ok: boolean;
  kink: boolean;
  numeric: number;
  absError: number;
  relError: number;
  bound: number;
  /** The bound that was needed to decide (for unresolved). */
  needed: number;
  why?: Unresolved['why'];
  d: Derivative;
}

/** Differentiates along `phi` and decides: pass, fail, unresolved, or kink (pass iff a subgradient). */
function judgeDerivative(
  ctx: Context,
  phi: (t: number) => number,
  h: number,
  a: number,
  t: Tolerance,
  unit = 1,
  actualStep?: (t: number) => number,
  maxStep = Infinity,
  inputMagnitude = 0,
  scale?: number,
): Judged {
  // With `unit` ≠ 1, phi and `a` are in units of 2^-k of f (directions whose ∇f·d overflows).
  const sigma = ctx.sigma * unit;
  const share = UNRESOLVED_SHARE[ctx.opts.precision];
  const judge = judgeFor(a, t);
  const d = differentiate(phi, ctx.f0 * unit, h, sigma, judge, {
    unitRoundoff: ctx.eps,
    precise: (e) => resolvedBy(a, e, t),
    // another step clears a failure only by agreeing more precisely than the disagreement it shows
    clears: (e, w) => Math.abs(a - e.value) <= t.tol(a, e.value) + fdBound(e) && decides(a, e, t, share) && fdBound(e) < Math.abs(a - w.value) / 2,
    severity: (e) => Math.abs(a - e.value) / (t.tol(a, e.value) + fdBound(e)),
    ...(actualStep ? { actualStep } : {}),
    maxStep,
    inputMagnitude,
    ...(scale === undefined ? {} : { scale, slope: Math.abs(a) }),
  });
  if (d.kink) {
    const { left, right, step } = d.kink;
    const lo = Math.min(left, right);
    const hi = Math.max(left, right);
    // One-sided differences at the finest step: noise 2σ/h each, and the curvature the stencil showed
    // (f‴h²/6 shifts both one-sided values alike where f is merely steep, not kinked).
    const slack = t.tol(a, hi) + 3 * ((2 * sigma) / step) + (d.stray ?? 0);
    const ok = a >= lo - slack && a <= hi + slack;
    const absError = a < lo ? lo - a : a > hi ? a - hi : 0;
    return { status: ok ? 'pass' : 'fail', ok, kink: true, numeric: (left + right) / 2, absError, relError: relErr(absError, a, hi, Math.max(slack, REL_FLOOR * ctx.gmax * unit)), bound: slack, needed: slack, d };
  }
  if (d.undefinedNearby) {
    return { status: 'unresolved', ok: false, kink: false, numeric: NaN, absError: 0, relError: 0, bound: Infinity, needed: t.needed(a, a), why: 'not finite', d };
  }
  const fd = fdBound(d);
  const bound = t.tol(a, d.value) + fd;
  const absError = Math.abs(a - d.value);
  const relError = relErr(absError, a, d.value, Math.max(fd, REL_FLOOR * ctx.gmax * unit));
  const needed = Math.max(t.tol(a, d.value), t.needed(a, d.value));
  if (d.unresolved) return { status: 'unresolved', ok: false, kink: false, numeric: d.value, absError, relError, bound, needed, why: 'disagreed', d };
  if (absError > bound) return { status: 'fail', ok: false, kink: false, numeric: d.value, absError, relError, bound, needed, d };
  if (!decides(a, d, t, share)) return { status: 'unresolved', ok: false, kink: false, numeric: d.value, absError, relError, bound, needed, why: 'noise', d };
  return { status: 'pass', ok: true, kink: false, numeric: d.value, absError, relError, bound, needed, d };
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
  const g = Math.max(slope, 1e-4 * ctx.gmax);
  let rel = g > 0 ? ctx.sigma / (s * g) : ctx.relNoise;
  // Underflow (s·g = 0) or an all-zero problem: fall back on the noise of f alone.
  if (!Number.isFinite(rel) || !(rel > 0)) rel = ctx.relNoise;
  if (!Number.isFinite(rel) || !(rel > 0)) rel = ctx.eps;
  return s * Math.min(0.1, Math.max(2 * Math.max(rel, ctx.eps) ** 0.2, 1e-10));
}

/**
 * The step at which the tableau's rounding (about 3σ/h at two levels, times SAFETY, with room for
 * truncation) fits what an entry needs, up to a tenth of its scale: for an entry whose own
 * resolution is what it needs (not a floor), this skips the growths a small entry would spend.
 * 0 (no floor) otherwise.
 */
function roundingFit(ctx: Context, a: number, t: Tolerance, scale: number): number {
  const own = ctx.opts.resolution * Math.abs(a);
  if (!(own > 0) || t.needed(a, a) > own) return 0;
  return fitStep(ctx.sigma, own, scale);
}

/** The step whose two-level rounding (3σ/h, times SAFETY, with room for truncation) fits `need`, up to a tenth of `scale`. */
function fitStep(sigma: number, need: number, scale: number): number {
  return Math.min((4 * SAFETY * 3 * sigma) / need, 0.1 * scale);
}

/** f's noise over a step of the entry's whole scale, in units of σ/step: finite differences inside the point's neighbourhood resolve no further. */
const NOISE_FLOOR = 256;

/**
 * What an entry needs: its own magnitude times the resolution (floored for
 * entries near zero), but never below what f's noise permits over a step of
 * the entry's whole scale (NOISE_FLOOR·σ/maxStep).
 */
function neededFor(ctx: Context, noiseFloor: number): (a: number, n: number) => number {
  const { resolution } = ctx.opts;
  return (a, n) => Math.max(resolution * Math.max(Math.abs(a), Math.abs(n)), ctx.floor, noiseFloor);
}

/** The check of one coordinate i of the gradient. */
function checkCoordinate(ctx: Context, i: number): Judged {
  const xi = ctx.x[i]!;
  let xp: Float64Array | undefined;
  const phi = (t: number): number => {
    const at = (): string => `x + ${t}·e[${i}]`;
    if (ctx.entryWise) return ctx.g.fEntry(i, xi + t, at);
    xp ??= ctx.x.slice();
    xp[i] = xi + t;
    const v = ctx.g.f(xp, at);
    xp[i] = xi;
    return v;
  };
  const { rtol } = ctx.opts;
  const atol = Math.max(ctx.opts.atol, ctx.stationaryAtol / ctx.scale[i]!);
  const maxStep = Math.max(ctx.scale[i]!, 1);
  const analyticNoise = ctx.gradNoise[i]!;
  const a = ctx.grad[i]!;
  const t: Tolerance = {
    // below the resolution no disagreement is a failure: both sides' roundings (cancellation inside f or grad) live there
    tol: (a, n) => atol + analyticNoise + (rtol + Math.max(ANALYTIC_ULPS * ctx.eps, TOL_FLOOR[ctx.opts.precision])) * Math.max(Math.abs(a), Math.abs(n)),
    needed: neededFor(ctx, (NOISE_FLOOR * ctx.sigma) / maxStep),
  };
  // Never below 128 ulps of x_i, or x_i + h would round back to x_i.
  const h =
    ctx.opts.step === 'auto'
      ? powerOfTwo(Math.max(autoStep(ctx, ctx.scale[i]!, Math.abs(a)), roundingFit(ctx, a, t, ctx.scale[i]!), 256 * ctx.eps * Math.abs(xi)))
      : ctx.opts.step;
  const early = ctx.opts.richardson === 'open' ? ctx.scale[i]! : undefined;
  return judgeDerivative(ctx, phi, h, a, t, 1, (s) => xi + s - xi, maxStep, 0, early);
}

/** out = x + t·d. (A loop of its own: inside a closure, reading x, d and out through its context measured twice as slow.) */
function alongLine(out: Float64Array, x: Float64Array, t: number, d: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = x[i]! + t * d[i]!;
  return out;
}

/** The check of the directional derivative along d = v ⊙ scale, v a ±1 vector on `support` (all entries when absent). */
function checkDirection(ctx: Context, v: Float64Array, support?: Uint32Array): Judged & { analytic: number } {
  const n = ctx.x.length;
  const dir = new Float64Array(n);
  let analytic = 0;
  let absTerms = 0;
  let maxTerm = 0;
  let maxD = 0;
  // the smallest term that matters (above ZERO_SHARE of the largest), in units of the largest: see `needed`
  let minShare = 1;
  let analyticNoise = 0;
  const { scale, gradNoise, grad } = ctx;
  const visit = (i: number): void => {
    const di = v[i]! * scale[i]!;
    dir[i] = di;
    analyticNoise += gradNoise[i]! * Math.abs(di);
    const term = grad[i]! * di;
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
      big = Math.max(big, Math.abs(grad[i]! * 2 ** -600 * dir[i]!));
    };
    if (support) for (const i of support) visitScaled(i);
    else for (let i = 0; i < n; i++) visitScaled(i);
    unit = 2 ** -(Math.ceil(Math.log2((big * n) / 1e300)) + 600);
    analytic = 0;
    absTerms = 0;
    maxTerm = 0;
    const rescale = (i: number): void => {
      const term = grad[i]! * unit * dir[i]!;
      analytic += term;
      absTerms += Math.abs(term);
      maxTerm = Math.max(maxTerm, Math.abs(term));
    };
    if (support) for (const i of support) rescale(i);
    else for (let i = 0; i < n; i++) rescale(i);
  }
  const share = (i: number): void => {
    const r = Math.abs(grad[i]! * dir[i]!) / (maxTerm / unit);
    if (r >= ZERO_SHARE && r < minShare) minShare = r;
  };
  if (maxTerm > 0) {
    if (support) for (const i of support) share(i);
    else for (let i = 0; i < n; i++) share(i);
  }
  const xp = new Float64Array(n);
  const phi = (t: number): number => ctx.g.f(alongLine(xp, ctx.x, t, dir), () => `x + ${t}·d`) * unit;
  const { atol, rtol, resolution } = ctx.opts;
  // The terms this direction sums set its tolerance: the user's per-entry atol/rtol on its largest
  // term, and DIRECTION_ULPS of Σ|terms|, not the whole gradient's scale.
  const count = support ? support.length : n;
  const tol = (atol * maxD + ctx.stationaryAtol * count + analyticNoise) * unit + (rtol + TOL_FLOOR[ctx.opts.precision] * minShare) * maxTerm + DIRECTION_ULPS * ctx.eps * absTerms;
  // Resolved to `resolution` of the smallest term it sums, so that one entry off by that relative
  // amount shows (within what f's noise permits over the whole step, t = 1).
  const noiseFloor = NOISE_FLOOR * ctx.sigma * unit;
  const needed = Math.max(resolution * maxTerm * minShare, ctx.floor * maxD * unit, noiseFloor);
  const t: Tolerance = { tol: () => tol, needed: () => needed };
  // φ′ = ∇f·d is a signed sum (≈ √n terms' worth), so its own size, not Σ|terms|, sets the scale;
  // and never below the step whose rounding fits what the direction needs (its smallest term, or the
  // noise floor, usually far above autoStep's: the growths a direction spent to get there, skipped).
  const h =
    ctx.opts.step === 'auto'
      ? powerOfTwo(Math.max(autoStep(ctx, maxD, Math.max(Math.abs(analytic), maxTerm) / unit / maxD) / maxD, fitStep(ctx.sigma * unit, needed, 1), 256 * ctx.eps))
      : ctx.opts.step / maxD;
  // d is already scaled like x, so steps in t beyond 1 leave the point's neighbourhood.
  // (t = 1 moves every entry by its own scale: the direction's scale is 1)
  const early = ctx.opts.richardson === 'open' ? 1 : undefined;
  return { ...judgeDerivative(ctx, phi, h, analytic, t, unit, undefined, Math.max(1, h), 0, early), analytic };
}

function signs(rng: Rng, n: number): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.uniform() < 0.5 ? -1 : 1;
  return v;
}

/** Told of every entry checked individually (its index and relative error), whether or not entries are recorded. */
export type EntryObserver = (index: number, relError: number) => void;

/** A list of names, at most `max` of them: `x[0], x[3], x[7] and 4 more`. */
export function nameList(names: readonly string[], max = 8): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

class Collector {
  failures: Failure[] = [];
  kinks: Kink[] = [];
  unresolved: Unresolved[] = [];
  warnings: string[] = [];
  entries: EntryRecord[] = [];
  maxAbs = 0;
  maxRel = 0;

  constructor(
    private readonly record: boolean,
    private readonly name: (i: number) => string,
    private readonly onEntry?: EntryObserver,
  ) {}

  add(index: number, analytic: number, j: Judged, direction?: number): void {
    if (index >= 0) this.onEntry?.(index, j.status === 'unresolved' ? NaN : j.relError);
    if (j.status !== 'unresolved') {
      this.maxAbs = Math.max(this.maxAbs, j.absError);
      this.maxRel = Math.max(this.maxRel, j.relError);
    }
    const dir = direction === undefined ? {} : { direction };
    const name = index >= 0 ? this.name(index) : `direction ${direction}`;
    if (j.kink) {
      this.kinks.push({ index, left: j.d.kink!.left, right: j.d.kink!.right, analytic, ok: j.ok, name, ...dir });
    } else if (j.status === 'fail') {
      this.failures.push({ index, analytic, numeric: j.numeric, absError: j.absError, relError: j.relError, bound: j.bound, name, ...dir });
    } else if (j.status === 'unresolved') {
      this.unresolved.push({
        index,
        ...dir,
        name,
        analytic,
        numeric: j.numeric,
        resolution: Number.isFinite(j.d.truncation + j.d.rounding) ? fdBound(j.d) : Infinity,
        needed: j.needed,
        step: j.d.step,
        why: j.why ?? 'noise',
      });
    }
    if (this.record) {
      this.entries.push({
        index,
        name,
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
function localize(ctx: Context, rng: Rng, out: Collector, seek: 'wrong' | 'kinks' = 'wrong'): { found: number; exhausted: boolean; indices: number[]; atKinks: number } {
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
      if (j.status !== 'pass' || j.kink) out.add(i, ctx.grad[i]!, j);
      if (j.status === 'fail') {
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
        // seeking kinks: a half whose direction is not differentiable at x holds one
        bad = seek === 'kinks' ? j.kink || j.status === 'fail' : j.status === 'fail';
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

/** Kinked entries judged jointly at most (beyond, one by one, with a warning). */
const MAX_JOINT_KINKS = 32;

/** How entries of a flat input are named: `x[3]`. */
export const flatName = (i: number): string => `x[${i}]`;

/** The names of a list of entries, with what went wrong at each in parentheses. */
function unresolvedReason(list: readonly Unresolved[], what: string): string {
  const noun = list.length === 1 ? what : what.replace(/entry$/, 'entries').replace(/direction$/, 'directions');
  const items = list.map((u) =>
    u.why === 'not finite'
      ? `${u.name} (f not finite at every step tried)`
      : `${u.name} (bound ${u.resolution.toExponential(2)} reached, ${u.needed.toExponential(2)} needed${u.why === 'disagreed' ? '; it disagreed, never provably' : ''})`,
  );
  return `${list.length} ${noun} could not be resolved, at any step tried, finely enough to decide: ${nameList(items, 6)}`;
}

/**
 * Whether f's entry-at-a-time form gives f's own values, bit for bit, at three entries moved by a
 * step: the milliseconds of its fastest call there if so; undefined if not (or if f could not be
 * compared there), and then every call runs the whole f (shared.entryWise), a disagreement a warning.
 */
function entryAgrees(g: Guarded, x: Float64Array, scale: Float64Array, name: (i: number) => string, warnings: string[]): number | undefined {
  const xp = x.slice();
  // the fastest of the calls: the first also makes the base pass, and all of them run cold
  let ms = Infinity;
  const entries = [...new Set([0, x.length >> 1, x.length - 1])];
  for (const i of entries) {
    const v = x[i]! + scale[i]! / 1024;
    xp[i] = v;
    const at = (): string => `x + ${scale[i]! / 1024}·e[${i}]`;
    const drop = (what: string): undefined => {
      warnings.push(`f one entry at a time ${what} at ${name(i)} moved by ${scale[i]! / 1024}: every call ran the whole f`);
      return undefined;
    };
    let whole: number;
    try {
      whole = g.f(xp, at);
    } catch (e) {
      // f itself is not finite there: nothing to compare (an f that throws ends the check, as it would later)
      if (!(e instanceof NonFiniteValue)) throw e;
      return undefined;
    }
    let one: number;
    const start = performance.now();
    try {
      one = g.fEntry(i, v, at);
    } catch (e) {
      if (!(e instanceof CheckAbort || e instanceof NonFiniteValue)) throw e;
      return drop(`failed (${e instanceof CheckAbort ? e.reason : e.message}), where the whole f gives ${whole},`);
    }
    ms = Math.min(ms, performance.now() - start);
    if (!Object.is(whole, one)) return drop(`gave ${one}, where the whole f gives ${whole},`);
    xp[i] = x[i]!;
  }
  return ms;
}

/** The check proper, on validated arguments (shared by checkJacobian and checkParams). */
export function runCheck(
  f: ScalarFn,
  grad: GradFn,
  x: Float64Array,
  opts: ResolvedOptions,
  onEntry?: EntryObserver,
  name: (i: number) => string = flatName,
  how: RunOptions = {},
): CheckResult {
  const { runner } = how;
  const n = x.length;
  const g = new Guarded(f, grad, n, how.reuseInput, how.entry);
  const out = new Collector(opts.record, name, onEntry);
  const reasons: string[] = [];
  const rng = new Rng(opts.seed);
  let checked = 0;
  let sigma = 0;
  let aborted = false;
  let directionFailures: Failure[] = [];
  let threads = 1;
  const mode = opts.mode === 'auto' ? autoMode(n, opts) : opts.mode;
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
        throw new CheckAbort(`grad is not deterministic: two calls at the same x gave ${a0[i]} and ${a1[i]} at ${name(i)}`);
      }
    }
    const scale = coordinateScales(x);
    // Noise of one call: measured, but never below the unit roundoff of f's value.
    const probe = signs(rng, n);
    const xp = new Float64Array(n);
    // a step of no simple ratio to f's grids (a power-of-two scale times 1e-6 aliases with ulp(1) near 0): drawn in [1, 2)·1e-6
    const delta = (opts.precision === 'float32' ? 1e-4 : 1e-6) * (1 + rng.uniform());
    const probeStart = performance.now();
    const callsBefore = g.evaluations;
    const measured = measureNoise(
      (t) => {
        for (let i = 0; i < n; i++) xp[i] = x[i]! + t * probe[i]! * scale[i]!;
        return g.f(xp, () => `x + ${t}·probe`);
      },
      delta,
      UNIT_ROUNDOFF[opts.precision] * Math.abs(f0),
    );
    const callMs = (performance.now() - probeStart) / Math.max(g.evaluations - callsBefore, 1);
    // Subnormal values are quantised in steps of 2^-1074 whatever the precision.
    // the measured drift widens the bound; so does a tolerance the user set (auto adds nothing beyond the drift)
    sigma = Math.max(Number.isFinite(measured) ? 3 * measured : 0, 2 * UNIT_ROUNDOFF[opts.precision] * Math.abs(f0), drift, auto ? 0 : fTol, 4 * Number.MIN_VALUE);
    const relNoise = Math.max(sigma / Math.max(Math.abs(f0), Number.MIN_VALUE), UNIT_ROUNDOFF[opts.precision]);
    // The analytic side's noise, entry by entry: grad at eight points along the probe line. A smooth
    // trend falls like δ⁴ and noise does not, so an entry's estimate is the least over δ, δ/64 and δ/64²
    // (tried only while some entry still stands above the analytic rounding already allowed).
    // A probe point off grad's domain, where grad throws or is not finite, leaves it at zero.
    // Each entry moves relative to itself (|x_i|, not x's RMS): near a singularity at 0 a step of x's
    // scale is all curvature.
    // Measured before the entries in full mode; in directional mode only once a direction does not
    // pass without it (the allowance it adds can only turn a failure or an open verdict into a pass).
    const gradNoise = new Float64Array(n);
    let gradNoiseMeasured = false;
    const measureGradNoise = (): void => {
      if (gradNoiseMeasured) return;
      gradNoiseMeasured = true;
      gradNoise.fill(Infinity);
      const own = Float64Array.from(x, (v, i) => (v !== 0 ? Math.min(Math.abs(v), scale[i]!) : scale[i]!));
      try {
        for (let level = 0, d = delta; level < 3; level++, d /= 64) {
          const gradPoints: Float64Array[] = [];
          for (let j = 1; j <= 8; j++) {
            for (let i = 0; i < n; i++) xp[i] = x[i]! + j * d * probe[i]! * own[i]!;
            gradPoints.push(g.grad(xp, `x + ${j * d}·probe`));
          }
          const est = entryNoise(gradPoints);
          let open = false;
          for (let i = 0; i < n; i++) {
            gradNoise[i] = Math.min(gradNoise[i]!, 3 * est[i]!);
            if (gradNoise[i]! > ANALYTIC_ULPS * UNIT_ROUNDOFF[opts.precision] * Math.abs(a0[i]!)) open = true;
          }
          if (!open) break;
        }
      } catch (e) {
        if (!(e instanceof CheckAbort)) throw e;
        gradNoise.fill(0);
      }
      for (let i = 0; i < n; i++) if (!Number.isFinite(gradNoise[i]!)) gradNoise[i] = 0;
    };
    if (mode !== 'directional') measureGradNoise();
    let gmax = 0;
    for (const v of a0) gmax = Math.max(gmax, Math.abs(v));
    const floor = Math.max(opts.resolution * ZERO_SHARE * gmax, Number.MIN_VALUE);
    const stationaryAtol = gmax === 0 ? 64 * UNIT_ROUNDOFF[opts.precision] * Math.max(1, Math.abs(f0)) : 0;
    const entryMs = g.entryWise && mode !== 'directional' ? entryAgrees(g, x, scale, name, out.warnings) : undefined;
    const shared: SharedContext = {
      x, f0, grad: a0, sigma, scale, relNoise, gmax, opts, eps: UNIT_ROUNDOFF[opts.precision], floor, stationaryAtol, gradNoise,
      callMs: entryMs ?? callMs,
      entryWise: entryMs !== undefined,
    };
    const ctx: Context = { ...shared, g };

    /** Kinked entries judged together; false (and the reason given) when the gradient is no subgradient there. */
    const jointly = (kinked: number[]): boolean => {
      if (kinked.length < 2) return true;
      if (kinked.length > MAX_JOINT_KINKS) {
        out.warnings.push(`${kinked.length} entries lie at kinks: more than ${MAX_JOINT_KINKS}, so they were checked one by one, not jointly`);
        return true;
      }
      const jr = checkJointKinks({ f: (v, where) => g.f(v, where), x, grad: a0, scale, kinked, rng });
      if (jr.ok) return true;
      const w = jr.witness!;
      for (const k of out.kinks) if (kinked.includes(k.index)) k.ok = false;
      reasons.push(
        `${nameList(kinked.map(name), 10)} lie at a shared kink where the analytic gradient is no subgradient: along w = [${w.w.map((v) => v.toFixed(3)).join(', ')}] its slope ${w.analytic.toPrecision(6)} exceeds that of every piece of f meeting there (largest ${w.largest.toPrecision(6)}, ${jr.pieces} pieces sampled)`,
      );
      return false;
    };
    if (mode === 'directional') {
      let failedDirections = 0;
      let failedAtKinks = 0;
      for (let k = 0; k < opts.directions; k++) {
        const v = signs(rng, n);
        let j = checkDirection(ctx, v);
        if (j.status !== 'pass' && !gradNoiseMeasured) {
          measureGradNoise();
          j = checkDirection(ctx, v);
        }
        out.add(-1, j.analytic, j, k);
        checked++;
        if (j.status === 'fail') failedDirections++;
        if (j.status === 'fail' && j.kink) failedAtKinks++;
      }
      // Failing directions move aside: `failures` lists wrong entries once localised.
      directionFailures = out.failures.splice(0);
      if (failedDirections > 0) {
        const disagree = `${failedDirections} of ${opts.directions} random directions disagree with the analytic directional derivative`;
        reasons.push(disagree);
        if (!opts.localize) out.failures.push(...directionFailures);
        else {
          let { found, exhausted, indices: idx, atKinks } = localize(ctx, rng, out);
          // No entry is wrong on its own: find the kinked entries themselves (a kink alone passes its halves).
          if (found === 0 && !out.kinks.some((k) => k.index >= 0)) {
            ({ found, exhausted, indices: idx, atKinks } = localize(ctx, rng, out, 'kinks'));
          }
          const kinked = [...new Set(out.kinks.filter((k) => k.index >= 0 && k.ok).map((k) => k.index))].sort((a, b) => a - b);
          if (found === 0 && failedAtKinks === failedDirections && kinked.length > 0) {
            // Every failing direction crossed kinks, and each kinked entry alone is a subgradient: a direction's
            // one-sided slopes do not bound a sum of kinks of both signs, so the entries decide, jointly.
            reasons.splice(reasons.indexOf(disagree), 1);
            if (jointly(kinked)) {
              out.kinks = out.kinks.filter((k) => k.index >= 0);
              out.warnings.push(
                `${failedDirections} of ${opts.directions} directions crossed kinks; the kinked entries (${nameList(kinked.map(name), 10)}) were checked one by one and jointly: a subgradient`,
              );
            }
          } else if (found === 0) {
            // A direction is a screen; an entry is the verdict. No entry localised is wrong on its own (each
            // within its bound and 1e-8 floor): the directions' disagreement is unconfirmed, not a failure.
            reasons.splice(reasons.indexOf(disagree), 1);
            // kinked entries met on the way are judged jointly first: a max tie with ∂ = (1, 1) fails there
            if (!jointly(kinked)) {
              reasons.unshift(disagree);
              out.failures.push(...directionFailures);
            } else for (const fl of directionFailures) {
              out.unresolved.push({ index: -1, direction: fl.direction!, name: fl.name, analytic: fl.analytic, numeric: fl.numeric, resolution: fl.bound, needed: fl.bound, step: NaN, why: 'disagreed' });
            }
            if (!reasons.length) {
              out.warnings.push(
                `${disagree}, but localisation found no entry wrong on its own: a disagreement within the entries' own floors, or errors that cancel in every half; check in full mode to decide`,
              );
            }
          } else {
            reasons.push(
              `localised ${found} wrong ${found === 1 ? 'entry' : 'entries'}: ${nameList(idx.map(name), 10)}${atKinks ? ` (${atKinks} at a kink, not a subgradient)` : ''}${exhausted ? ` (stopped at maxLocalized = ${opts.maxLocalized}; there may be more)` : ''}`,
            );
          }
        }
      }
    } else {
      const sampled = mode === 'sampled' && opts.samples < n;
      const coords = sampled ? Uint32Array.from(rng.permutation(n).subarray(0, opts.samples)).sort() : undefined;
      const indices = coords ?? Uint32Array.from({ length: n }, (_, i) => i);
      const elsewhere = runner?.(shared, indices, (part) => checkCoordinates(shared, g.fork(), part));
      let outcomes: EntryOutcome[];
      if (elsewhere && 'outcomes' in elsewhere) {
        threads = elsewhere.threads;
        // in index order, up to the first abort, counting the calls those entries made: as on one thread
        outcomes = [...elsewhere.outcomes].sort((p, q) => p.index - q.index);
        const stop = outcomes.findIndex((o) => o.abort !== undefined);
        if (stop >= 0) outcomes = outcomes.slice(0, stop + 1);
        for (const o of outcomes) g.evaluations += o.calls;
      } else {
        if (elsewhere?.warn) out.warnings.push(`worker threads unavailable (${elsewhere.unavailable}): every entry was checked on this thread`);
        outcomes = checkCoordinates(shared, g, indices);
      }
      for (const o of outcomes) {
        if (o.abort !== undefined) throw new CheckAbort(o.abort);
        out.add(o.index, a0[o.index]!, o.judged!);
        checked++;
      }
      if (out.failures.length) {
        reasons.push(
          `${out.failures.length} of ${checked} checked entries disagree with finite differences beyond their error bound: ${nameList(out.failures.map((fl) => fl.name), 10)}`,
        );
      }
      jointly(out.kinks.filter((k) => k.ok).map((k) => k.index));
    }
    const badKinks = out.kinks.filter((k) => !k.ok && !reasons.some((r) => r.includes('shared kink') && r.includes(k.name)));
    if (badKinks.length) {
      reasons.push(
        `${badKinks.length} ${badKinks.length === 1 ? 'entry lies' : 'entries lie'} at a kink with an analytic value outside the one-sided derivatives (not a subgradient): ${nameList(badKinks.map((k) => k.name), 10)}`,
      );
    }
  } catch (e) {
    if (e instanceof CheckAbort) {
      reasons.push(e.reason);
      aborted = true;
    } else throw e;
  }
  const failed = aborted || reasons.length > 0;
  if (out.unresolved.length) {
    const line = unresolvedReason(out.unresolved, mode === 'directional' ? 'entry or direction' : 'entry');
    // Beside a failure an unresolved entry is only a note; alone, it is why the check is inconclusive.
    (failed ? out.warnings : reasons).push(line);
  }
  const verdict: CheckVerdict = failed ? 'fail' : out.unresolved.length ? 'inconclusive' : 'pass';
  const result: CheckResult = {
    verdict,
    ok: verdict === 'pass',
    mode,
    evaluations: g.evaluations,
    gradientCalls: g.gradientCalls,
    maxAbsError: out.maxAbs,
    maxRelError: out.maxRel,
    failures: out.failures,
    kinks: out.kinks,
    unresolved: out.unresolved,
    reasons,
    warnings: out.warnings,
    checked,
    noise: sigma,
    seed: opts.seed,
  };
  if (mode === 'directional') result.directionFailures = directionFailures;
  if (threads > 1) result.threads = threads;
  if (opts.record) result.entries = out.entries;
  return result;
}

/**
 * 'auto' mode: full when checking every entry costs fewer calls than the
 * directions would (about 10 calls per entry against about 15 per
 * direction, plus localisation), directional otherwise.
 */
export function autoMode(n: number, opts: ResolvedOptions): 'full' | 'directional' {
  return 10 * n <= 15 * opts.directions + 40 ? 'full' : 'directional';
}
