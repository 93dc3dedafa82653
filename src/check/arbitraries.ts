import fc from 'fast-check';
import type { Tensor } from '../core/tensor.js';

/**
 * fast-check arbitraries for gradient properties: shapes, tensors,
 * probabilities that reach the edges, positive-definite matrices. They
 * shrink towards small shapes and simple values.
 */

export interface ShapeOptions {
  /** Number of dimensions, or [min, max]. Default [1, 3]. */
  rank?: number | [number, number];
  /** Largest size of a dimension. Default 6. */
  maxDim?: number;
  /** Smallest size of a dimension. Default 1. */
  minDim?: number;
}

export function shapeArb(opts: ShapeOptions = {}): fc.Arbitrary<number[]> {
  const [rmin, rmax] = typeof opts.rank === 'number' ? [opts.rank, opts.rank] : (opts.rank ?? [1, 3]);
  const dim = fc.integer({ min: opts.minDim ?? 1, max: opts.maxDim ?? 6 });
  return fc.array(dim, { minLength: rmin, maxLength: rmax });
}

export interface ValueOptions {
  /** Default −10. */
  min?: number;
  /** Default 10. */
  max?: number;
}

function values(n: number, opts: ValueOptions): fc.Arbitrary<Float64Array> {
  return fc
    .array(fc.double({ min: opts.min ?? -10, max: opts.max ?? 10, noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n })
    .map((a) => Float64Array.from(a));
}

/** A tensor of the given shape (or of any shape from a shape arbitrary) with finite values. */
export function tensorArb(shape: readonly number[] | fc.Arbitrary<number[]>, opts: ValueOptions = {}): fc.Arbitrary<Tensor> {
  const shapes = Array.isArray(shape) ? fc.constant([...shape]) : (shape as fc.Arbitrary<number[]>);
  return shapes.chain((s) => values(s.reduce((a, b) => a * b, 1), opts).map((data): Tensor => ({ shape: s, data })));
}

/** A matrix [rows, cols]; sizes may be arbitraries. */
export function matrixArb(rows: number, cols: number, opts: ValueOptions = {}): fc.Arbitrary<Tensor> {
  return tensorArb([rows, cols], opts);
}

export interface ProbabilityOptions {
  /** Closest a value comes to 0 or 1. Default 1e-9. */
  margin?: number;
}

/** A probability in (0, 1), drawn a third of the time each from the middle and from within 1e-3 of each edge. */
export function probabilityArb(opts: ProbabilityOptions = {}): fc.Arbitrary<number> {
  const m = opts.margin ?? 1e-9;
  if (!(m > 0 && m < 1e-3)) throw new RangeError(`probabilityArb: margin must lie in (0, 1e-3), got ${m}`);
  return fc.oneof(
    fc.double({ min: 1e-3, max: 1 - 1e-3, noNaN: true }),
    fc.double({ min: m, max: 1e-3, noNaN: true }),
    fc.double({ min: 1 - 1e-3, max: 1 - m, noNaN: true }),
  );
}

export interface PositiveDefiniteOptions {
  /** Added to the diagonal of A·Aᵀ: the smallest eigenvalue is at least this. Default 1e-3. */
  minEigenvalue?: number;
  /** Entries of A lie in [−scale, scale]. Default 3. */
  scale?: number;
}

/** A symmetric positive-definite n×n matrix A·Aᵀ + δI. */
export function positiveDefiniteArb(n: number, opts: PositiveDefiniteOptions = {}): fc.Arbitrary<Tensor> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`positiveDefiniteArb: n must be a positive integer, got ${n}`);
  const delta = opts.minEigenvalue ?? 1e-3;
  const s = opts.scale ?? 3;
  return values(n * n, { min: -s, max: s }).map((a): Tensor => {
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let v = 0;
        for (let k = 0; k < n; k++) v += a[i * n + k]! * a[j * n + k]!;
        out[i * n + j] = v;
        out[j * n + i] = v;
      }
      out[i * n + i]! += delta;
    }
    return { shape: [n, n], data: out };
  });
}
