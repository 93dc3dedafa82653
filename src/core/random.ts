import type { Tensor } from './tensor.js';
import { sizeOf } from './tensor.js';
import type { Rng } from './rng.js';

/** A tensor of independent N(0, std²) draws from `rng`. */
export function randomTensor(rng: Rng, shape: readonly number[], std = 1): Tensor {
  return { shape: [...shape], data: rng.normals(sizeOf(shape), std) };
}

/** A tensor of independent uniform draws on [lo, hi) from `rng`. */
export function uniformTensor(rng: Rng, shape: readonly number[], lo: number, hi: number): Tensor {
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.range(lo, hi);
  return { shape: [...shape], data };
}

/** Moves entries within `margin` of 0 outward, so kinks at 0 are not hit by accident (kinks have their own tests). */
export function awayFromZero(t: Tensor, margin = 0.05): Tensor {
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i]!;
    if (Math.abs(v) < margin) t.data[i] = v < 0 ? v - margin : v + margin;
  }
  return t;
}
