/** Assertions and point grids shared by the property suites. */
import { expect } from 'vitest';
import type { CheckResult } from '../src/check/gradient.js';

/**
 * A correct gradient is never failed. The checker may still call an entry it
 * could not resolve at a random point inconclusive (an honest "could not
 * decide", naming it); how rarely is measured in test/check/verdicts.test.ts.
 */
export function expectNoFalseAlarm(r: CheckResult, label: string): void {
  expect(r.verdict, `${label}: ${r.reasons.join('; ')} ${JSON.stringify(r.failures.slice(0, 3))}`).not.toBe('fail');
  if (r.verdict === 'inconclusive') expect(r.unresolved.length, label).toBeGreaterThan(0);
}

export function close(a: number, b: number, rel: number, abs = 0): boolean {
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) + abs;
}

export function expectAllClose(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, abs: number, label: string): void {
  expect(got.length, label).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(close(got[i]!, want[i]!, rel, abs), `${label}[${i}]: got ${got[i]}, want ${want[i]}`).toBe(true);
  }
}

/** Multiples of 2⁻²⁰, so x ± h is exact for the checker's power-of-two steps. */
export function dyadic(d: number): number {
  return Math.round(d * 2 ** 20) / 2 ** 20;
}
