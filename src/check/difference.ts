import { NonFiniteValue } from './guard.js';

/**
 * The numerical core: the derivative of a scalar function of one variable at
 * 0, by central differences on steps h, h/2, h/4, … combined by Richardson
 * extrapolation (Neville's tableau, as in Ridders' method), with two error
 * estimates carried along:
 *
 *  - truncation: the gap between the best tableau entry and its neighbours;
 *  - rounding: σ (the noise of one call of f) times the sum of the absolute
 *    weights the tableau puts on the function values.
 *
 * A kink (f not differentiable within the step) shows in the second
 * differences S_k = f(h_k) + f(−h_k) − 2f(0): they shrink like h² where f is
 * smooth but only like h across a kink. When the caller's verdict is not a
 * pass, the step is shrunk and the tableau rebuilt, which separates a kink
 * merely near the point (it drops out of the stencil) from one at the point
 * (it stays at every scale), whose one-sided derivatives are then reported.
 */

export interface Estimate {
  /** The extrapolated derivative. */
  value: number;
  /** Estimated truncation error of `value`. */
  truncation: number;
  /** Bound on the rounding error of `value` from the noise of f. */
  rounding: number;
  /** The largest step of the stencil that produced `value`. */
  step: number;
  /** Every value of f on the stencil was bit-identical to f(x): f does not change at this scale. */
  flat?: boolean;
  /** How far f's slope changes across the stencil: |f″|·h at the coarsest level, or the plain central differences' spread around `value`. */
  spread?: number;
  /** How far the plain central differences of the stencil stray from `value` (f‴h²/6 and beyond). */
  stray?: number;
}

export interface Derivative extends Estimate {
  /** Present when f has a kink at the point: the one-sided derivatives at the finest step. */
  kink?: { left: number; right: number; step: number };
  /** Every step tried returned a non-finite value somewhere: no estimate could be made. */
  undefinedNearby?: boolean;
  /** Estimates disagreed with the analytic value, but none precisely enough to call it a failure. */
  unresolved?: boolean;
  /** Every estimate made, in order (for error-versus-step reports). */
  trail: Estimate[];
}

export type Verdict = 'pass' | 'fail' | 'undecided';

export interface DifferentiateOptions {
  /**
   * The step actually taken for a nominal t (x + t rounds: across a power of
   * two, x + h − x ≠ h). Default: t itself.
   */
  actualStep?: (t: number) => number;
  /** Whether an estimate is precise enough to witness a verdict on its own. Default: always. */
  precise?: (e: Estimate) => boolean;
  /**
   * Whether an estimate at another step clears a failure the estimate
   * `failing` showed (it agrees, more precisely than the disagreement it
   * clears). Default: a pass that is precise.
   */
  clears?: (e: Estimate, failing: Estimate) => boolean;
  /** Disagreement over the bound, for an estimate that fails. Default: Infinity. */
  severity?: (e: Estimate) => number;
  /** Largest step any growth may reach. Default: Infinity. */
  maxStep?: number;
  /**
   * |x_i| for a coordinate: x_i ± h itself rounds by u·|x_i|, an error in f of
   * that times f's slope on the stencil. Default 0.
   */
  inputMagnitude?: number;
  /** Levels of the tableau per attempt. Default 4. */
  maxLevels?: number;
  /** Levels needed before a failure is believed. Default 3. */
  minLevelsForFail?: number;
  /** Attempts with a smaller step after the first, for kinks and truncation. Default 6. */
  retries?: number;
  /** Attempts with a smaller step when f is not finite somewhere on the stencil (a domain edge). Default 12. */
  nonFiniteRetries?: number;
  /** Factor the step grows by when rounding alone keeps the verdict open. Default 16. */
  grow?: number;
  /** Most growths of the step. Default 8. */
  maxGrowths?: number;
  /** Factor the step shrinks by between attempts. Default 16. */
  shrink?: number;
  /**
   * The entry's scale s: when given, the first two levels decide on their own where T11's error,
   * bounded through GROWTH_MARGIN (see twoLevelTruncation), already decides. Absent: three levels.
   */
  scale?: number;
  /** |f′| as the caller knows it (the analytic value), for that bound. Default 0. */
  slope?: number;
  /** Unit roundoff of f's arithmetic (rounding of large values of f). */
  unitRoundoff: number;
}

/**
 * How far f's fifth derivative may exceed what its lower ones suggest, for two levels' bound to
 * hold: |f⁽⁵⁾| ≤ GROWTH_MARGIN · |f′| · ρ⁴, where ρ, the rate at which f's derivatives grow, is the
 * largest of 1/s (the entry's scale), |f″|/|f′| and |f‴|/|f″| as measured.
 */
export const GROWTH_MARGIN = 64;

/**
 * A bound on the error of T11 = D(h/2) + (D(h/2) − D(h))/3, which is f⁽⁵⁾h⁴/480, from what the
 * two central pairs measure: |f‴| ≤ 8|D(h) − D(h/2)|/h² and |f″| ≤ 2|S₀|/h², their rounding counted
 * in (bounds, not estimates), f′ from the pairs and `slope`, through GROWTH_MARGIN. Infinite when
 * f′ is 0: nothing then sets the rate.
 */
export function twoLevelTruncation(d0: number, d1: number, s0: number, h: number, sigma: number, s: number, slope: number): number {
  const f1 = slope;
  if (!(f1 > 0)) return Infinity;
  const f2 = (2 * Math.abs(s0) + 4 * sigma) / (h * h);
  const f3 = (8 * Math.abs(d0 - d1) + (24 * sigma) / h) / (h * h);
  const rate = Math.max(1 / s, f2 / f1, f3 / f2);
  return (GROWTH_MARGIN * f1 * rate ** 4 * h ** 4) / 480;
}

/** The nearest power of two: steps that are exact in binary keep x + h − x = h. */
export function powerOfTwo(h: number): number {
  return 2 ** Math.round(Math.log2(h));
}

function tableauDerivative(
  phi: (t: number) => number,
  f0: number,
  h0: number,
  sigma: number,
  judge: (e: Estimate) => Verdict,
  opts: DifferentiateOptions,
): Derivative {
  const maxLevels = opts.maxLevels ?? 4;
  const minFail = Math.min(opts.minLevelsForFail ?? 3, maxLevels);
  const retries = opts.retries ?? 6;
  const nonFiniteRetries = opts.nonFiniteRetries ?? 12;
  let shrinks = 0;
  let nonFiniteShrinks = 0;
  let grown = 0;
  let lastGrowthFd = Infinity;
  const maxGrowths = opts.maxGrowths ?? 8;
  let flatGrowths = 0;
  const grow = opts.grow ?? 16;
  const shrink = opts.shrink ?? 16;
  const trail: Estimate[] = [];
  let overall: Estimate | undefined;
  let straddled: Estimate | undefined;
  let unconverged: Estimate | undefined;
  let h = h0;
  // Growth stops at the largest power of two within maxStep (a step that would overshoot is clamped, not refused).
  const maxStep = opts.maxStep ?? Infinity;
  const ceiling = Number.isFinite(maxStep) ? 2 ** Math.floor(Math.log2(maxStep)) : Infinity;

  for (;;) {
    const T: number[][] = [];
    const A: number[][] = [];
    const S: number[] = [];
    let best: Estimate | undefined;
    let verdict: Verdict = 'undecided';
    let nonFinite = false;
    // f bit-identical at every step: the change is below f's resolution, or f does not depend on this entry.
    let flat = true;
    let fpLast = NaN;
    let fmLast = NaN;
    let hLast = NaN;
    let sig = sigma;
    for (let k = 0; k < maxLevels; k++) {
      const hk = h / 2 ** k;
      let fp: number;
      let fm: number;
      try {
        fp = phi(hk);
        fm = phi(-hk);
      } catch (e) {
        if (e instanceof NonFiniteValue) {
          nonFinite = true;
          break;
        }
        throw e;
      }
      // Values near the top of the range: their difference overflows; treat like leaving f's domain.
      if (!Number.isFinite(fp - fm)) {
        nonFinite = true;
        break;
      }
      // Large values of f carry rounding of their own size.
      sig = Math.max(sig, 2 * opts.unitRoundoff * Math.max(Math.abs(fp), Math.abs(fm)));
      if (fp !== f0 || fm !== f0) flat = false;
      fpLast = fp;
      fmLast = fm;
      hLast = hk;
      // Half the second difference, (fp − f0)/2 + (fm − f0)/2, which cannot overflow.
      S.push((fp - f0) / 2 + (fm - f0) / 2);
      const span = opts.actualStep ? opts.actualStep(hk) - opts.actualStep(-hk) : 2 * hk;
      T.push([(fp - fm) / span]);
      if (opts.inputMagnitude) {
        // slope on the stencil ≈ |D| + |f″|·h, with f″·h ≈ 2·S/h (S is half the second difference)
        const slope = Math.abs(T[k]![0]!) + (2 * Math.abs(S[k]!)) / hk;
        sig = Math.max(sig, 2 * opts.unitRoundoff * opts.inputMagnitude * slope);
      }
      A.push([1 / hk]); // |central-difference weights| = 2 · 1/(2h)
      for (let j = 1; j <= k; j++) {
        const p = 4 ** j;
        // (p·a − b)/(p − 1), written a + (a − b)/(p − 1) so that values near 1e308 do not overflow
        T[k]!.push(T[k]![j - 1]! + (T[k]![j - 1]! - T[k - 1]![j - 1]!) / (p - 1));
        A[k]!.push((p * A[k]![j - 1]! + A[k - 1]![j - 1]!) / (p - 1));
      }
      if (k === 0) continue;
      const value = T[k]![k]!;
      if (!Number.isFinite(value) || !Number.isFinite(T[k]![k - 1]!) || !Number.isFinite(T[k - 1]![k - 1]!)) {
        nonFinite = true;
        break;
      }
      const truncation = Math.max(Math.abs(value - T[k]![k - 1]!), Math.abs(value - T[k - 1]![k - 1]!));
      // how far the plain central differences stray from the estimate, and f″·h: the scale of f's slope across the stencil
      let stray = 0;
      for (let j = 0; j <= k; j++) stray = Math.max(stray, Math.abs(T[j]![0]! - value));
      const spread = Math.max((2 * Math.abs(S[0]!)) / h, stray);
      const est: Estimate = { value, truncation, rounding: sig * A[k]![k]!, step: h, spread, stray, ...(flat ? { flat } : {}) };
      trail.push(est);
      if (!best || est.truncation + est.rounding <= best.truncation + best.rounding) best = est;
      verdict = judge(best);
      // Two levels decide when T11's own error bound already does (Richardson's third level only where the verdict is open).
      if (k === 1 && verdict !== 'pass' && opts.scale !== undefined && !flat) {
        const early: Estimate = { ...est, truncation: twoLevelTruncation(T[0]![0]!, T[1]![0]!, S[0]!, h, sig, opts.scale, Math.max(Math.abs(value), opts.slope ?? 0)) };
        if (judge(early) === 'pass') {
          trail[trail.length - 1] = early;
          best = early;
          verdict = 'pass';
        }
      }
      // a pass on a flat stencil waits for the larger steps (only a function flat there too is flat)
      if (verdict === 'pass' && best.flat && flatGrowths < 3 && h < ceiling) break;
      if (verdict === 'pass') {
        // Agreement at a kink (a subgradient equal to the central difference) is still reported as one.
        const nS = S.length;
        const ratio = S[nS - 1]! / S[nS - 2]!;
        if (Math.abs(S[nS - 1]!) > 8 * sig && ratio > 0.35 && ratio < 0.7) {
          return { ...best, trail, kink: { left: (f0 - fm) / hk, right: (fp - f0) / hk, step: hk } };
        }
        return { ...best, trail };
      }
      if (verdict === 'fail' && k + 1 >= minFail) break;
      // Finer levels only add rounding: stop here (and perhaps try a larger step).
      if (verdict === 'undecided' && best.rounding >= best.truncation) break;
    }

    // Across a kink S halves with the step (ratio 1/2); where f is smooth it quarters; noise has no pattern.
    const n = S.length;
    const halving = (k: number): boolean => {
      const r = S[k]! / S[k - 1]!;
      return r > 0.35 && r < 0.7;
    };
    const kinky = n >= 2 && Math.abs(S[n - 1]!) > 8 * sig && halving(n - 1) && (n < 3 || halving(n - 2));
    // A smaller step helps only where truncation dominates and the tableau has not converged.
    const truncationBound =
      best !== undefined && best.truncation > 2 * best.rounding && best.truncation > 1e-12 * Math.abs(best.value);
    // An attempt whose stencil straddled a kink says nothing about the derivative at x; once a
    // smaller step has left the kink behind, only such clean attempts compete for the answer.
    if (best) {
      if (kinky) straddled ??= best;
      else if (truncationBound) unconverged ??= best;
      else if (!overall || best.truncation + best.rounding <= overall.truncation + overall.rounding) overall = best;
    }
    // A flat stencil is tried again with far larger steps: only a function that is flat there too is flat.
    if (flat && best && !nonFinite && flatGrowths < 3 && h < ceiling) {
      flatGrowths++;
      h = Math.min(h * 1024, ceiling);
      continue;
    }
    // Rounding alone keeps the verdict open: larger steps (the point's scale may be far smaller than f's).
    const roundingBound = best !== undefined && verdict === 'undecided' && !kinky && !truncationBound;
    const fdNow = best ? best.truncation + best.rounding : Infinity;
    // Grow once freely; again only while truncation is still negligible (a point whose scale is far
    // below f's, like x ~ 1e-20 in e^x), since each growth multiplies it by about grow⁴.
    // (A quadratic's truncation estimate is rounding noise itself: growth stops where it stops improving.)
    const improving = fdNow < lastGrowthFd / 2 && (grown === 0 || (best !== undefined && best.truncation < best.rounding));
    if (roundingBound && grown < maxGrowths && !nonFinite && shrinks === 0 && improving && h < ceiling) {
      grown++;
      lastGrowthFd = fdNow;
      h = Math.min(h * grow, ceiling);
      continue;
    }
    // After growing, a truncation-bound attempt only says the growth went too far: the best clean attempt stands.
    const again = nonFinite
      ? nonFiniteShrinks++ < nonFiniteRetries
      : (grown === 0 || kinky) && shrinks++ < retries && (kinky || truncationBound);
    if (!again) {
      if (kinky && Number.isFinite(hLast)) {
        const base = best ?? overall ?? unconverged ?? straddled ?? { value: (fpLast - fmLast) / (2 * hLast), truncation: Infinity, rounding: Infinity, step: h };
        return {
          ...base,
          trail,
          kink: { left: (f0 - fmLast) / hLast, right: (fpLast - f0) / hLast, step: hLast },
        };
      }
      const answer = overall ?? unconverged ?? straddled;
      if (answer) return { ...answer, trail };
      return { value: NaN, truncation: Infinity, rounding: Infinity, step: h, trail, undefinedNearby: true };
    }
    h /= shrink;
    // A kink at distance d inside the stencil gives S_k ∝ h_k − d: jump straight below it.
    if (kinky && n >= 2) {
      const r = S[n - 1]! / S[n - 2]!;
      // Curvature bends r slightly below 1/2 at a kink at x itself; only a clear drop means a kink beside it.
      const d = (hLast * (1 - 2 * r)) / (1 - r);
      if (r < 0.45 && d > 0 && d < hLast) h = Math.min(h, powerOfTwo(d / 4));
    }
  }
}

/**
 * The derivative, with failures confirmed. A disagreement is believed when
 * an estimate precise enough to decide on its own shows it, or when it is three
 * times the estimate's bound. Otherwise it is measured again from h/256 and
 * from steps 256, 256², 256³ times larger (the stencil may be far wider than
 * the scale on which f varies, as for sin(x) at x ~ 10⁶, or far narrower than
 * the scale of f, as at x ~ 1e-11 in a function of unit scale); a precise
 * pass there clears it, and an estimate that never becomes precise leaves the
 * entry unresolved rather than failed.
 */
export function differentiate(
  phi: (t: number) => number,
  f0: number,
  h0: number,
  sigma: number,
  judge: (e: Estimate) => Verdict,
  opts: DifferentiateOptions,
): Derivative {
  const precise = opts.precise ?? (() => true);
  const severity = opts.severity ?? (() => Infinity);
  const witnessed = (e: Derivative): boolean => judge(e) === 'fail' && (precise(e) || severity(e) >= 3);
  const clears = opts.clears ?? ((e: Estimate) => judge(e) === 'pass' && precise(e));
  const first = tableauDerivative(phi, f0, h0, sigma, judge, opts);
  if (first.kink || first.undefinedNearby || judge(first) !== 'fail') return first;
  let trail = [...first.trail];
  const maxStep = opts.maxStep ?? Infinity;
  // larger steps are clamped to maxStep (one try at the neighbourhood's edge), not dropped
  const edge = Number.isFinite(maxStep) ? 2 ** Math.floor(Math.log2(maxStep)) : Infinity;
  const larger = [...new Set([256, 256 ** 2, 256 ** 3].map((g) => Math.min(first.step * g, edge)))].filter((h) => h > first.step);
  const steps = [first.step / 256, ...larger];
  let witness: Derivative | undefined = witnessed(first) ? first : undefined;
  const bound = (e: Estimate): number => 3 * (e.truncation + e.rounding);
  for (const [k, h] of steps.entries()) {
    if (witness && k > 0) break;
    const e = tableauDerivative(phi, f0, powerOfTwo(h), sigma, judge, opts);
    trail = [...trail, ...e.trail];
    if (e.kink) return { ...e, trail };
    if (e.undefinedNearby) continue;
    // A finer step (truncation 256² times smaller) that contradicts the witness beyond both bounds: the
    // noise model is wrong (f rounds relative to some larger intermediate), so neither estimate is believed.
    const w = witness;
    if (k === 0 && w && e.trail.some((t) => t.step <= w.step / 16 && Math.abs(t.value - w.value) > bound(t) + bound(w))) return { ...first, trail, unresolved: true };
    const v = judge(e);
    if (v !== 'fail' && clears(e, witness ?? first)) return { ...e, trail };
    if (!witness && witnessed(e)) witness = e;
  }
  if (witness) return { ...witness, trail };
  return { ...first, trail, unresolved: true };
}
