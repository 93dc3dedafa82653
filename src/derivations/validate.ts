/**
 * The argument checks every derivation runs at its boundary. Each failure is
 * a RangeError whose message starts `fn: arg`, naming the function and the
 * argument, so that a property, a grader or a reader of `gradproof check`
 * learns what was wrong rather than meeting a NaN three calls later.
 *
 * One module for all ten topics: the checks are the same everywhere, and one
 * set of tests (test/derivations/validate.test.ts) holds them.
 */
import type { Tensor } from '../core/tensor.js';

export function fail(fn: string, arg: string, msg: string): never {
  throw new RangeError(`${fn}: ${arg} ${msg}`);
}

export function shapeText(t: { shape: readonly number[] }): string {
  return `[${t.shape.join(', ')}]`;
}

export function isTensor(t: unknown): t is Tensor {
  return typeof t === 'object' && t !== null && Array.isArray((t as Tensor).shape) && (t as Tensor).data instanceof Float64Array;
}

/** A tensor whose shape is a list of integers ≥ 0 whose product is the number of values. */
export function checkTensor(t: unknown, fn: string, arg: string): asserts t is Tensor {
  if (!isTensor(t)) fail(fn, arg, 'must be a tensor { shape, data: Float64Array }');
  let n = 1;
  for (const d of t.shape) {
    if (!Number.isInteger(d) || d < 0) fail(fn, arg, `has an invalid shape ${shapeText(t)}`);
    n *= d;
  }
  if (n !== t.data.length) fail(fn, arg, `has shape ${shapeText(t)} but ${t.data.length} values`);
}

/** Every value finite (NaN and ±Infinity are refused, naming the first). */
export function checkFinite(t: Tensor, fn: string, arg: string): void {
  const i = t.data.findIndex((v) => !Number.isFinite(v));
  if (i >= 0) fail(fn, arg, `must hold finite values, entry ${i} is ${t.data[i]}`);
}

/** A non-empty matrix [rows, cols]; returns [rows, cols]. */
export function matrixDims(t: unknown, fn: string, arg: string): [number, number] {
  checkTensor(t, fn, arg);
  if (t.shape.length !== 2 || t.shape[0]! < 1 || t.shape[1]! < 1) {
    fail(fn, arg, `must be a non-empty matrix [rows, cols], got shape ${shapeText(t)}`);
  }
  return [t.shape[0]!, t.shape[1]!];
}

/** A non-empty vector [d], of length n when n is given (`like` names what fixes n); returns d. */
export function vectorLength(t: unknown, fn: string, arg: string, n?: number, like?: string): number {
  checkTensor(t, fn, arg);
  if (t.shape.length !== 1 || t.shape[0]! < 1) fail(fn, arg, `must be a non-empty vector [d], got shape ${shapeText(t)}`);
  const d = t.shape[0]!;
  if (n !== undefined && d !== n) fail(fn, arg, `must be a vector [${n}]${like === undefined ? '' : ` (${like})`}, got shape ${shapeText(t)}`);
  return d;
}

export function checkSameShape(a: Tensor, b: Tensor, fn: string, argA: string, argB: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    fail(fn, argA, `${shapeText(a)} and ${argB} ${shapeText(b)} must have the same shape`);
  }
}

/**
 * A finite number in the interval from lo to hi, each end open or closed:
 * `checkNumber(rho, fn, 'rho', '(', 0, 1, ')')` for ρ ∈ (0, 1).
 */
export function checkNumber(x: unknown, fn: string, arg: string, open: '(' | '[', lo: number, hi: number, close: ')' | ']'): asserts x is number {
  const ok =
    typeof x === 'number' &&
    Number.isFinite(x) &&
    (open === '(' ? x > lo : x >= lo) &&
    (close === ')' ? x < hi : x <= hi);
  if (!ok) fail(fn, arg, `must be a finite number in ${open}${lo}, ${hi}${close}, got ${String(x)}`);
}

/** A finite number ≥ 0. */
export function checkNonNegative(x: unknown, fn: string, arg: string): asserts x is number {
  checkNumber(x, fn, arg, '[', 0, Infinity, ')');
}

/** A parameter of a gradient target's map, by name. */
export function param(p: ReadonlyMap<string, Tensor>, name: string, target: string): Tensor {
  const t = p.get(name);
  if (!t) fail(target, name, 'is missing from the parameters');
  return t;
}
