/**
 * Kinks: where f is not differentiable, the checker reports the one-sided
 * derivatives and accepts any analytic value between them, never a failure.
 */
import { describe, expect, it } from 'vitest';
import { checkGradient, formatResult } from '../../src/index.js';
import type { Fn, Grad } from './helpers.js';

const reluSum: Fn = (x) => x.reduce((s, v) => s + Math.max(0, v), 0);
const reluGrad =
  (atZero: number): Grad =>
  (x) =>
    x.map((v) => (v > 0 ? 1 : v < 0 ? 0 : atZero));

const X = [0, 1.3, -0.7, 0.5, 0, -2];
const ZEROS = [0, 4];

describe('relu at exact zeros', () => {
  it.each([0, 1, 0.5])('analytic subgradient %d at the kinks passes, and the kinks are reported with left 0 and right 1', (s) => {
    const r = checkGradient(reluSum, reluGrad(s), X);
    expect(r.ok, formatResult(r)).toBe(true);
    expect(r.failures).toEqual([]);
    expect(r.kinks.map((k) => k.index).sort()).toEqual(ZEROS);
    for (const k of r.kinks) {
      expect(k.ok).toBe(true);
      expect(k.analytic).toBe(s);
      expect(k.left).toBeCloseTo(0, 6);
      expect(k.right).toBeCloseTo(1, 6);
    }
  });

  it('an analytic value of 2 at a kink fails, with that kink marked not ok', () => {
    const g: Grad = (x) => x.map((v, i) => (v > 0 ? 1 : v < 0 ? 0 : i === 4 ? 2 : 0));
    const r = checkGradient(reluSum, g, X);
    expect(r.ok).toBe(false);
    const bad = r.kinks.filter((k) => !k.ok);
    expect(bad.map((k) => k.index)).toEqual([4]);
    expect(bad[0]!.analytic).toBe(2);
    expect(bad[0]!.left).toBeCloseTo(0, 6);
    expect(bad[0]!.right).toBeCloseTo(1, 6);
    expect(r.kinks.find((k) => k.index === 0)!.ok).toBe(true);
    expect(r.reasons.join('\n')).toMatch(/kink/);
    expect(formatResult(r)).toMatch(/not a subgradient/);
  });

  it('a negative analytic value (−1) at a kink fails too', () => {
    const r = checkGradient(reluSum, reluGrad(-1), X);
    expect(r.ok).toBe(false);
    expect(r.kinks.filter((k) => !k.ok).map((k) => k.index).sort()).toEqual(ZEROS);
  });

  it('in directional mode, relu with subgradient 0 at its kinks passes', () => {
    const r = checkGradient(reluSum, reluGrad(0), X, { mode: 'directional' });
    expect(r.ok, formatResult(r)).toBe(true);
    expect(r.failures).toEqual([]);
  });

  it('in directional mode, a non-subgradient at a kink is not passed', () => {
    const r = checkGradient(reluSum, reluGrad(3), X, { mode: 'directional' });
    expect(r.ok, formatResult(r)).toBe(false);
  });
});

describe('kinks with curvature around them (relu plus an L2 penalty)', () => {
  // f = Σ relu(x) + 0.1·x²: a relu layer with weight decay. At 0 the one-sided derivatives are still 0 and 1.
  const f: Fn = (x) => x.reduce((s, v) => s + Math.max(0, v) + 0.1 * v * v, 0);
  const grad =
    (atZero: number): Grad =>
    (x) =>
      x.map((v) => (v > 0 ? 1 : v < 0 ? 0 : atZero) + 0.2 * v);

  it.each([0, 0.5, 1])('analytic subgradient %d at the exact zeros passes, reported as kinks with left 0 and right 1', (s) => {
    const r = checkGradient(f, grad(s), X);
    expect(r.ok, formatResult(r)).toBe(true);
    expect(r.failures).toEqual([]);
    expect(r.kinks.map((k) => k.index).sort()).toEqual(ZEROS);
    for (const k of r.kinks) {
      expect(k.ok).toBe(true);
      expect(k.left).toBeCloseTo(0, 3);
      expect(k.right).toBeCloseTo(1, 3);
    }
  });

  it.each([
    ['a single exact zero', [0]],
    ['an exact zero beside 1', [0, 1]],
    ['an exact zero beside −1e-9', [-1e-9, 0]],
  ])('at %s, the conventional subgradients 0 and 1 both pass, in full and directional mode', (_label, x) => {
    for (const s of [0, 1]) {
      for (const mode of ['full', 'directional'] as const) {
        const r = checkGradient(f, grad(s), x, { mode });
        expect(r.ok, `subgradient ${s}, ${mode}\n${formatResult(r)}`).toBe(true);
        expect(r.failures).toEqual([]);
      }
    }
  });

  it('an analytic value of 2 at a kink still fails', () => {
    const r = checkGradient(f, grad(2), X);
    expect(r.ok).toBe(false);
  });
});

describe('kinks do not hide other errors', () => {
  // relu(x) + sin(x) over 20 entries, three of them exactly at the kink, and entry 15 (smooth, gradient ≈ 0.77) doubled.
  const f: Fn = (x) => x.reduce((s, v) => s + Math.max(0, v) + Math.sin(v), 0);
  const g: Grad = (x) => x.map((v) => (v > 0 ? 1 : 0) + Math.cos(v));
  const bad: Grad = (x) => {
    const o = g(x);
    o[15]! *= 2;
    return o;
  };
  const x = Float64Array.from({ length: 20 }, (_, i) => (i < 3 ? 0 : 0.3 + 0.1 * i));

  it('the correct subgradient passes in both modes', () => {
    expect(checkGradient(f, g, x).ok).toBe(true);
    expect(checkGradient(f, g, x, { mode: 'directional' }).ok).toBe(true);
  });

  it('full mode catches the doubled smooth entry and names it', () => {
    const r = checkGradient(f, bad, x);
    expect(r.ok).toBe(false);
    expect(r.failures.map((fl) => fl.index)).toEqual([15]);
  });

  it('directional mode catches the doubled smooth entry although the directions cross kinks', () => {
    const r = checkGradient(f, bad, x, { mode: 'directional' });
    expect(r.ok, formatResult(r)).toBe(false);
    expect(r.failures.map((fl) => fl.index)).toContain(15);
  });
});

describe('|x| and max', () => {
  const absSum: Fn = (x) => x.reduce((s, v) => s + Math.abs(v), 0);
  const sign: Grad = (x) => x.map((v) => Math.sign(v));

  it('|x| at 0 with sign(0) = 0 passes, the kink reported with left −1 and right 1', () => {
    const r = checkGradient(absSum, sign, [0, 2, -3]);
    expect(r.ok, formatResult(r)).toBe(true);
    expect(r.failures).toEqual([]);
    expect(r.kinks.length).toBe(1);
    const k = r.kinks[0]!;
    expect(k.index).toBe(0);
    expect(k.ok).toBe(true);
    expect(k.left).toBeCloseTo(-1, 6);
    expect(k.right).toBeCloseTo(1, 6);
  });

  it('|x| at 0 with analytic 1.5 fails at that kink', () => {
    const r = checkGradient(absSum, (x) => x.map((v) => (v === 0 ? 1.5 : Math.sign(v))), [0, 2, -3]);
    expect(r.ok).toBe(false);
    expect(r.kinks.filter((k) => !k.ok).map((k) => k.index)).toEqual([0]);
  });

  it('|x| at 0 in directional mode passes', () => {
    const r = checkGradient(absSum, sign, [0, 2, -3, 0], { mode: 'directional' });
    expect(r.ok, formatResult(r)).toBe(true);
  });

  describe('max(a, b) + c² at a tie a = b', () => {
    const f: Fn = (x) => Math.max(x[0]!, x[1]!) + x[2]! * x[2]!;
    const x = [0.7, 0.7, -0.4];
    it.each([
      ['[1, 0] (first argument wins)', [1, 0]],
      ['[0.5, 0.5] (shared)', [0.5, 0.5]],
      ['[0, 1] (second argument wins)', [0, 1]],
    ])('the subgradient %s passes in full and directional mode', (_label, ab) => {
      const g: Grad = (v) => Float64Array.from([ab[0]!, ab[1]!, 2 * v[2]!]);
      const full = checkGradient(f, g, x);
      expect(full.ok, formatResult(full)).toBe(true);
      expect(full.failures).toEqual([]);
      expect(full.kinks.map((k) => k.index).sort()).toEqual([0, 1]);
      for (const k of full.kinks) {
        expect(k.left).toBeCloseTo(0, 6);
        expect(k.right).toBeCloseTo(1, 6);
      }
      const dir = checkGradient(f, g, x, { mode: 'directional' });
      expect(dir.ok, formatResult(dir)).toBe(true);
    });

    it('analytic 2 for the first argument at the tie is not a subgradient, and fails at that kink', () => {
      const g: Grad = (v) => Float64Array.from([2, 0, 2 * v[2]!]);
      const r = checkGradient(f, g, x);
      expect(r.ok).toBe(false);
      expect(r.kinks.filter((k) => !k.ok).map((k) => k.index)).toEqual([0]);
    });
  });
});

describe('near-kinks: a kink just beside x is not at x', () => {
  it.each([
    ['relu at ±1e-9 alongside order-1 entries', [1e-9, -1e-9, 0.7, -0.3, 1.2]],
    ['relu at ±1e-9 alone', [1e-9, -1e-9]],
    ['relu at ±1e-12 alongside large entries', [1e-12, -1e-12, 30, -50]],
  ])('%s: the correct one-sided value gives no failure', (_label, x) => {
    const r = checkGradient(reluSum, reluGrad(0.5), x);
    expect(r.ok, formatResult(r)).toBe(true);
    expect(r.failures).toEqual([]);
    expect(r.kinks.every((k) => k.ok)).toBe(true);
    const d = checkGradient(reluSum, reluGrad(0.5), x, { mode: 'directional' });
    expect(d.ok, formatResult(d)).toBe(true);
    expect(d.failures).toEqual([]);
  });

  it('relu at 1e-9 with the other side’s derivative (0 instead of 1) is caught at that entry', () => {
    const g: Grad = (x) => x.map((v, i) => (i === 0 ? 0 : v > 0 ? 1 : 0));
    const r = checkGradient(reluSum, g, [1e-9, 0.7, -0.3]);
    expect(r.ok).toBe(false);
    const flagged = [...r.failures.map((fl) => fl.index), ...r.kinks.filter((k) => !k.ok).map((k) => k.index)];
    expect(flagged).toEqual([0]);
  });
});
