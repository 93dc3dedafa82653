import { describe, expect, it } from 'vitest';
import { checkGradient } from '../../src/index.js';
import { twoLevelTruncation } from '../../src/check/difference.js';

// a smooth function of unit scale: every entry resolves at the tableau's second level
const f = (x: Float64Array): number => x.reduce((s, v, i) => s + Math.sin(v) * (i + 1) + 0.1 * v * v * v, 0);
const grad = (x: Float64Array): number[] => Array.from(x, (v, i) => Math.cos(v) * (i + 1) + 0.3 * v * v);
const x0 = Array.from({ length: 200 }, (_, i) => 0.3 + 0.007 * i);

describe('Richardson levels only where the verdict is open', () => {
  it('decides smooth entries from two central pairs, where three levels cost half as much again', () => {
    const open = checkGradient(f, grad, x0, { mode: 'full' });
    const always = checkGradient(f, grad, x0, { mode: 'full', richardson: 'always' });
    expect(open.verdict).toBe('pass');
    expect(always.verdict).toBe('pass');
    // two pairs an entry against three (the noise probe's calls are the same in both)
    expect(open.evaluations / always.evaluations).toBeLessThan(0.8);
  });

  it('still fails a 1e-7 relative error in one entry', () => {
    const wrong = (x: Float64Array): number[] => grad(x).map((v, i) => (i === 7 ? v * (1 + 1e-7) : v));
    const r = checkGradient(f, wrong, x0, { mode: 'full' });
    expect(r.verdict).toBe('fail');
    expect(r.failures.map((fl) => fl.name)).toEqual(['x[7]']);
  });

  it('bounds the fifth derivative by the fastest growth it measures, not by the entry scale alone', () => {
    // e^t at t = −34: every derivative equal, so the rate is 1 whatever |x| (32) says
    const h = 2 ** -4;
    const d = (t: number): number => (Math.exp(-34 + t) - Math.exp(-34 - t)) / (2 * t);
    const s0 = (Math.exp(-34 + h) + Math.exp(-34 - h) - 2 * Math.exp(-34)) / 2;
    const bound = twoLevelTruncation(d(h), d(h / 2), s0, h, 0, 32, Math.exp(-34));
    const error = Math.abs(d(h / 2) + (d(h / 2) - d(h)) / 3 - Math.exp(-34));
    expect(bound).toBeGreaterThan(error);
    // and f′ = 0 leaves nothing to set the rate: no bound
    expect(twoLevelTruncation(0, 0, 0, h, 1e-16, 1, 0)).toBe(Infinity);
  });
});
