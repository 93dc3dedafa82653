/**
 * The symbolic-form properties of the §6–10 topics: math.js's derivative of
 * the primal equals the stated derivative, and finite differences agree, at
 * points drawn on the 2⁻²⁰ grid (so x ± h is exact for power-of-two steps)
 * inside each domain, away from its ends by 1e-6 of its width.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { derivative, parse } from 'mathjs';
import { params } from './runs.js';
import { close, dyadic, expectNoFalseAlarm } from './assert.js';
import { checkGradient } from '../src/check/gradient.js';
import type { SymbolicForm } from '../src/derivations/types.js';




export function symbolicPropertiesOnGrid(forms: SymbolicForm[]): void {
  it.each(forms.map((f) => [f.name, f] as const))('%s: math.js differentiates the primal to the stated derivative, and finite differences agree', (_n, form) => {
    const vars = Object.keys(form.domains);
    const dSym = derivative(parse(form.primal), form.wrt).compile();
    const dStated = parse(form.derivative).compile();
    const primal = parse(form.primal).compile();
    const point = fc.record(
      Object.fromEntries(
        vars.map((v) => {
          const [lo, hi] = form.domains[v]!;
          const margin = 1e-6 * (hi - lo);
          // on the 2⁻²⁰ grid where that stays inside the domain: 0 or at least ~1e-6, so that no
          // derivative lies far below the rounding of f (unobservable by any finite difference)
          const inside = (d: number): number => {
            const r = dyadic(d);
            return r > lo && r < hi ? r : d;
          };
          return [v, fc.double({ min: lo + margin, max: hi - margin, noNaN: true }).map(inside)];
        }),
      ) as Record<string, fc.Arbitrary<number>>,
    );
    const [lo, hi] = form.domains[form.wrt]!;
    fc.assert(
      fc.property(point, (scope) => {
        const a = Number(dSym.evaluate({ ...scope }));
        const b = Number(dStated.evaluate({ ...scope }));
        // relative 1e-9, with a 1e-12 floor for points where the derivative crosses zero by cancellation
        expect(close(a, b, 1e-9, 1e-12), `${form.name} at ${JSON.stringify(scope)}: math.js ${a}, stated ${b}`).toBe(true);
        const x = scope[form.wrt]!;
        // The checker scales its step by |x|, meaningless for a scalar near 0: there the step comes from the domain.
        const nearZero = Math.abs(x) < 1e-2 * (hi - lo);
        const room = Math.min(1e-3 * (hi - lo), 0.25 * (x - lo), 0.25 * (hi - x));
        const opts = nearZero ? { step: 2 ** Math.floor(Math.log2(room)) } : {};
        const f = (v: Float64Array): number => Number(primal.evaluate({ ...scope, [form.wrt]: v[0]! }));
        const g = (v: Float64Array): number[] => [Number(dStated.evaluate({ ...scope, [form.wrt]: v[0]! }))];
        expectNoFalseAlarm(checkGradient(f, g, [x], opts), `${form.name} at ${JSON.stringify(scope)}`);
      }),
      params(),
    );
  });
}
