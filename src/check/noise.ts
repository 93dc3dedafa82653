import { NonFiniteValue } from './guard.js';

/**
 * The noise level of f: the typical error of one call, measured rather than
 * assumed (after Moré & Wild's ECnoise). f is sampled at eight points a tiny
 * distance δ apart on each side of x (x itself excluded, so a kink at x, such
 * as relu at 0, is never inside a stencil); fourth differences of five
 * consecutive values remove any smooth trend (they scale like δ⁴) and keep
 * the noise, whose standard deviation they multiply by √70
 * (= ‖(1, −4, 6, −4, 1)‖₂). Returns 0 when f is perfectly smooth at that
 * scale, or when a sample is not finite (the caller then relies on the unit
 * roundoff alone).
 */
function fourthDifferenceNoise(phi: (t: number) => number, delta: number): { sigma: number; flatShare: number } {
  let ss = 0;
  let windows = 0;
  let flat = 0;
  let pairs = 0;
  try {
    for (const sign of [1, -1]) {
      const raw: number[] = [];
      for (let j = 1; j <= 8; j++) raw.push(phi(sign * j * delta));
      // Scaled by the largest value, so values near 1e308 do not overflow in 6·v.
      let big = 0;
      for (const r of raw) big = Math.max(big, Math.abs(r));
      const unit = big > 0 ? big : 1;
      const v = raw.map((r) => r / unit);
      for (let j = 1; j < raw.length; j++) {
        pairs++;
        if (raw[j] === raw[j - 1]) flat++;
      }
      for (let s = 0; s + 4 < v.length; s++) {
        const d4 = (v[s]! - 4 * v[s + 1]! + 6 * v[s + 2]! - 4 * v[s + 3]! + v[s + 4]!) * unit;
        ss += d4 * d4;
        windows++;
      }
    }
  } catch (e) {
    if (e instanceof NonFiniteValue) return { sigma: 0, flatShare: 0 };
    throw e;
  }
  const sigma = Math.sqrt(ss / windows / 70);
  return { sigma: Number.isFinite(sigma) ? sigma : 0, flatShare: flat / pairs };
}

/**
 * The noise, with a check that it is noise: a smooth trend in the fourth
 * differences scales like δ⁴, noise does not. When the first estimate stands
 * above the roundoff of f(x) (`floor`), it is measured again at δ/64; if it
 * falls by more than 8×, the first was f's own curvature (sin(x) at x ~ 10⁶
 * probed a unit apart) and the smaller scale is tried again, down to δ/64².
 */
export function measureNoise(phi: (t: number) => number, delta: number, floor: number): number {
  let probe = fourthDifferenceNoise(phi, delta);
  // A staircase: f is quantised far more coarsely than its own value suggests (cancellation inside
  // it), and at this δ most neighbours are equal, which reads as no noise at all. Widen δ until f moves.
  for (let k = 0; k < 4 && probe.flatShare > 0.25; k++) {
    delta *= 32;
    probe = fourthDifferenceNoise(phi, delta);
  }
  let sigma = probe.sigma;
  for (let k = 0; k < 2 && sigma > 64 * floor; k++) {
    delta /= 64;
    const finer = fourthDifferenceNoise(phi, delta);
    if (!(finer.sigma < sigma / 8) || finer.flatShare > 0.25) break;
    sigma = finer.sigma;
  }
  return sigma;
}

/**
 * The noise of each entry of the analytic gradient, measured the same way as
 * f's: fourth differences of grad at eight points a tiny distance apart
 * along one line (`points`). An analytic value computed by cancellation
 * (σ − 1/σ at σ ≈ 1) carries rounding far above u·|entry|, which no
 * tolerance relative to the entry covers. Returns zeros when a value is not
 * finite.
 */
export function entryNoise(points: readonly ArrayLike<number>[]): Float64Array {
  const n = points[0]?.length ?? 0;
  const out = new Float64Array(n);
  if (points.length < 5) return out;
  for (let i = 0; i < n; i++) {
    let ss = 0;
    let windows = 0;
    for (let s = 0; s + 4 < points.length; s++) {
      const d4 = points[s]![i]! - 4 * points[s + 1]![i]! + 6 * points[s + 2]![i]! - 4 * points[s + 3]![i]! + points[s + 4]![i]!;
      ss += d4 * d4;
      windows++;
    }
    const sigma = Math.sqrt(ss / windows / 70);
    out[i] = Number.isFinite(sigma) ? sigma : 0;
  }
  return out;
}
