/**
 * The host half of the value encoding: non-finite numbers survive the trip,
 * look-alike strings stay strings, and `__proto__` keys are refused.
 */
import { describe, expect, it } from 'vitest';
import { decodeTransfer, encodeTransfer, TransferError } from '../../../src/grade/sandbox/codec.js';

describe('the transfer encoding', () => {
  it('round-trips NaN, ±Infinity and strings that look like their encoding', () => {
    const value = [NaN, Infinity, -Infinity, 1.5, '\u0000NaN', '\u0000', '', 'NaN', { a: [null, true, '\u0000\u0000'] }];
    const text = encodeTransfer(value);
    expect(() => JSON.parse(text)).not.toThrow();
    expect(decodeTransfer(text)).toEqual(value);
  });

  it('sends typed arrays as arrays', () => {
    expect(decodeTransfer(encodeTransfer([new Float64Array([1, NaN])]))).toEqual([[1, NaN]]);
  });

  it('refuses a __proto__ key rather than handing it to the caller', () => {
    expect(() => decodeTransfer('{"a":{"__proto__":{"polluted":true}}}')).toThrow(TransferError);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => encodeTransfer(undefined)).toThrow(TypeError);
    expect(() => encodeTransfer([1n])).toThrow(TypeError);
  });
});
