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
export function measureNoise(phi: (t: number) => number, delta: number): number {
  let ss = 0;
  let windows = 0;
  try {
    for (const sign of [1, -1]) {
      const v: number[] = [];
      for (let j = 1; j <= 8; j++) v.push(phi(sign * j * delta));
      for (let s = 0; s + 4 < v.length; s++) {
        const d4 = v[s]! - 4 * v[s + 1]! + 6 * v[s + 2]! - 4 * v[s + 3]! + v[s + 4]!;
        ss += d4 * d4;
        windows++;
      }
    }
  } catch (e) {
    if (e instanceof NonFiniteValue) return 0;
    throw e;
  }
  return Math.sqrt(ss / windows / 70);
}
