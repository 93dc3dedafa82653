/**
 * The derivations' shared argument checks: what each accepts, what it
 * refuses, and that every refusal is a RangeError whose message starts with
 * the function and the argument.
 */
import { describe, expect, it } from 'vitest';
import {
  checkFinite,
  checkNonNegative,
  checkNumber,
  checkSameShape,
  checkTensor,
  fail,
  isTensor,
  matrixDims,
  param,
  shapeText,
  vectorLength,
} from '../../src/derivations/validate.js';
import type { Tensor } from '../../src/index.js';

const t = (shape: number[], n = shape.reduce((a, b) => a * b, 1)): Tensor => ({ shape, data: new Float64Array(n) });
const vec = (v: number[]): Tensor => ({ shape: [v.length], data: Float64Array.from(v) });

const notTensors: [string, unknown][] = [
  ['null', null],
  ['undefined', undefined],
  ['a number', 3],
  ['a string', 'tensor'],
  ['an object without data', { shape: [2] }],
  ['an object without shape', { data: new Float64Array(2) }],
  ['a shape that is not an array', { shape: '2', data: new Float64Array(2) }],
  ['data that is a plain array', { shape: [2], data: [1, 2] }],
  ['data that is a Float32Array', { shape: [2], data: new Float32Array(2) }],
];

describe('fail and shapeText', () => {
  it('fail throws a RangeError reading "fn: arg message"', () => {
    expect(() => fail('f', 'x', 'is wrong')).toThrow(RangeError);
    expect(() => fail('f', 'x', 'is wrong')).toThrow(/^f: x is wrong$/);
  });

  it('shapeText writes a shape in brackets, comma-separated', () => {
    expect(shapeText({ shape: [2, 3] })).toBe('[2, 3]');
    expect(shapeText({ shape: [] })).toBe('[]');
  });
});

describe('isTensor and checkTensor', () => {
  it.each(notTensors)('isTensor says false (without throwing) for %s', (_what, v) => {
    expect(isTensor(v)).toBe(false);
  });

  it.each(notTensors)('checkTensor refuses %s, naming the function and argument', (_what, v) => {
    expect(() => checkTensor(v, 'f', 'x')).toThrow(RangeError);
    expect(() => checkTensor(v, 'f', 'x')).toThrow(/^f: x must be a tensor \{ shape, data: Float64Array \}$/);
  });

  it('accepts a matrix, a vector, a scalar of shape [] and empty tensors with a zero dimension', () => {
    expect(isTensor(t([2, 3]))).toBe(true);
    for (const s of [[2, 3], [4], [], [0], [0, 3], [3, 0], [2, 1, 2]]) {
      expect(() => checkTensor(t(s), 'f', 'x'), `shape [${s}]`).not.toThrow();
    }
  });

  it('refuses negative or fractional dimensions even when their product matches the values', () => {
    expect(() => checkTensor(t([-1, -1], 1), 'f', 'x')).toThrow(/^f: x has an invalid shape \[-1, -1\]$/);
    expect(() => checkTensor(t([0.5, 2], 1), 'f', 'x')).toThrow(/^f: x has an invalid shape \[0.5, 2\]$/);
    expect(() => checkTensor(t([2, -0.5], 0), 'f', 'x')).toThrow(/invalid shape/);
  });

  it('refuses a shape whose product is not the number of values', () => {
    expect(() => checkTensor(t([2], 3), 'f', 'x')).toThrow(/^f: x has shape \[2\] but 3 values$/);
    expect(() => checkTensor(t([2, 3], 5), 'f', 'x')).toThrow(/has shape \[2, 3\] but 5 values/);
    expect(() => checkTensor(t([], 0), 'f', 'x')).toThrow(/has shape \[\] but 0 values/);
  });
});

describe('checkFinite', () => {
  it('accepts finite values (including an empty tensor)', () => {
    expect(() => checkFinite(vec([0, -1e308, 5e-324]), 'f', 'x')).not.toThrow();
    expect(() => checkFinite(vec([]), 'f', 'x')).not.toThrow();
  });

  it('refuses NaN and ±Infinity, naming the first entry that is not finite', () => {
    expect(() => checkFinite(vec([NaN, 1]), 'f', 'x')).toThrow(/^f: x must hold finite values, entry 0 is NaN$/);
    expect(() => checkFinite(vec([1, Infinity, NaN]), 'f', 'x')).toThrow(/entry 1 is Infinity/);
    expect(() => checkFinite(vec([1, 2, -Infinity]), 'f', 'x')).toThrow(/entry 2 is -Infinity/);
  });
});

describe('matrixDims', () => {
  it('returns [rows, cols] of a non-empty matrix', () => {
    expect(matrixDims(t([2, 3]), 'f', 'X')).toEqual([2, 3]);
    expect(matrixDims(t([1, 1]), 'f', 'X')).toEqual([1, 1]);
  });

  it('refuses vectors, higher ranks and matrices with no rows or no columns', () => {
    for (const s of [[3], [2, 3, 1], [0, 3], [3, 0], []]) {
      expect(() => matrixDims(t(s), 'f', 'X'), `shape [${s}]`).toThrow(
        new RegExp(`^f: X must be a non-empty matrix \\[rows, cols\\], got shape \\[${s.join(', ')}\\]$`),
      );
    }
  });

  it('refuses what is not a tensor before looking at its shape', () => {
    expect(() => matrixDims({ shape: [2, 2], data: [1, 2, 3, 4] }, 'f', 'X')).toThrow(/^f: X must be a tensor/);
    expect(() => matrixDims(t([2, 2], 3), 'f', 'X')).toThrow(/^f: X has shape \[2, 2\] but 3 values$/);
  });
});

describe('vectorLength', () => {
  it('returns the length of a non-empty vector, and checks it against n when n is given', () => {
    expect(vectorLength(t([3]), 'f', 'v')).toBe(3);
    expect(vectorLength(t([1]), 'f', 'v', 1)).toBe(1);
    expect(vectorLength(t([4]), 'f', 'v', 4, 'one per row')).toBe(4);
  });

  it('refuses matrices, scalars and empty vectors', () => {
    for (const s of [[1, 3], [], [0]]) {
      expect(() => vectorLength(t(s), 'f', 'v'), `shape [${s}]`).toThrow(
        new RegExp(`^f: v must be a non-empty vector \\[d\\], got shape \\[${s.join(', ')}\\]$`),
      );
    }
    expect(() => vectorLength(null, 'f', 'v')).toThrow(/^f: v must be a tensor/);
  });

  it('refuses a vector of the wrong length, saying which length and why when told', () => {
    expect(() => vectorLength(t([3]), 'f', 'v', 4)).toThrow(/^f: v must be a vector \[4\], got shape \[3\]$/);
    expect(() => vectorLength(t([3]), 'f', 'v', 2, 'one per column')).toThrow(
      /^f: v must be a vector \[2\] \(one per column\), got shape \[3\]$/,
    );
  });
});

describe('checkSameShape', () => {
  it('accepts equal shapes', () => {
    expect(() => checkSameShape(t([2, 3]), t([2, 3]), 'f', 'a', 'b')).not.toThrow();
    expect(() => checkSameShape(t([]), t([]), 'f', 'a', 'b')).not.toThrow();
  });

  it('refuses transposed shapes, a different rank with a common prefix and equal sizes of other shapes', () => {
    expect(() => checkSameShape(t([2, 3]), t([3, 2]), 'f', 'a', 'b')).toThrow(/^f: a \[2, 3\] and b \[3, 2\] must have the same shape$/);
    expect(() => checkSameShape(t([2, 3]), t([2, 3, 1]), 'f', 'a', 'b')).toThrow(RangeError);
    expect(() => checkSameShape(t([2, 3, 1]), t([2, 3]), 'f', 'a', 'b')).toThrow(RangeError);
    expect(() => checkSameShape(t([6]), t([2, 3]), 'f', 'a', 'b')).toThrow(RangeError);
    expect(() => checkSameShape(t([2, 4]), t([2, 3]), 'f', 'a', 'b')).toThrow(RangeError);
  });
});

describe('checkNumber and checkNonNegative', () => {
  it('honours an open lower end and a closed upper end', () => {
    const ok = (x: unknown) => () => checkNumber(x, 'f', 'p', '(', 0, 1, ']');
    expect(ok(1)).not.toThrow();
    expect(ok(5e-324)).not.toThrow();
    expect(ok(0.5)).not.toThrow();
    expect(ok(0)).toThrow(/^f: p must be a finite number in \(0, 1\], got 0$/);
    expect(ok(1 + 2 ** -52)).toThrow(RangeError);
    expect(ok(-1)).toThrow(RangeError);
  });

  it('honours a closed lower end and an open upper end', () => {
    const ok = (x: unknown) => () => checkNumber(x, 'f', 'a', '[', 0, 1, ')');
    expect(ok(0)).not.toThrow();
    expect(ok(1 - 2 ** -53)).not.toThrow();
    expect(ok(1)).toThrow(/^f: a must be a finite number in \[0, 1\), got 1$/);
    expect(ok(-5e-324)).toThrow(RangeError);
  });

  it('refuses NaN, ±Infinity and what is not a number, even inside infinite bounds', () => {
    for (const x of [NaN, Infinity, -Infinity, '0.5', null, undefined]) {
      expect(() => checkNumber(x, 'f', 'b', '(', -Infinity, Infinity, ')'), String(x)).toThrow(RangeError);
    }
    expect(() => checkNumber(-1e300, 'f', 'b', '(', -Infinity, Infinity, ')')).not.toThrow();
  });

  it('checkNonNegative accepts 0 and positive finite numbers only', () => {
    expect(() => checkNonNegative(0, 'f', 'alpha')).not.toThrow();
    expect(() => checkNonNegative(1e300, 'f', 'alpha')).not.toThrow();
    expect(() => checkNonNegative(-1e-300, 'f', 'alpha')).toThrow(/^f: alpha must be a finite number in \[0, Infinity\), got -1e-300$/);
    expect(() => checkNonNegative(Infinity, 'f', 'alpha')).toThrow(RangeError);
  });
});

describe('param', () => {
  it('returns the named parameter and refuses a missing one, naming the target', () => {
    const W = t([2, 2]);
    const p = new Map([['W', W]]);
    expect(param(p, 'W', 'target')).toBe(W);
    expect(() => param(p, 'b', 'my/target')).toThrow(/^my\/target: b is missing from the parameters$/);
  });
});
