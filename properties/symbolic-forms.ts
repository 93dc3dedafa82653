/**
 * The properties every topic's symbolic forms share: math.js's derivative of
 * the primal equals the lecture's stated derivative, and that derivative
 * passes a gradient check against finite differences of the primal, at points
 * drawn anywhere in the domains and within 1e-6 of their ends.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { derivative, parse, type MathNode } from 'mathjs';
import { params } from './runs.js';
import { checkGradient } from '../src/check/gradient.js';
import type { SymbolicForm } from '../src/derivations/types.js';
import { expectNoFalseAlarm } from './assert.js';

/** Points of an open interval: anywhere, and within 1e-6 of each end. */
function domainPoint([lo, hi]: [number, number]): fc.Arbitrary<number> {
  const w = hi - lo;
  return fc.oneof(
    fc.double({ min: 1e-9, max: 1 - 1e-9, noNaN: true }).map((t) => lo + t * w),
    fc.double({ min: 1e-9, max: 1e-6, noNaN: true }).map((t) => lo + t * w),
    fc.double({ min: 1e-9, max: 1e-6, noNaN: true }).map((t) => hi - t * w),
  );
}

function scopeArb(form: SymbolicForm): fc.Arbitrary<Record<string, number>> {
  // A plain object (fast-check's records have no prototype, which math.js rejects as a scope).
  return fc.record(Object.fromEntries(Object.entries(form.domains).map(([k, d]) => [k, domainPoint(d)]))).map((r) => ({ ...r }));
}

/** The additive terms of an expression (through +, − and unary −): where cancellation can happen. */
function terms(node: MathNode): MathNode[] {
  const n = node as MathNode & { fn?: string; args?: MathNode[]; content?: MathNode };
  if (n.type === 'ParenthesisNode' && n.content) return terms(n.content);
  if (n.type === 'OperatorNode' && (n.fn === 'add' || n.fn === 'subtract') && n.args?.length === 2) {
    return [...terms(n.args[0]!), ...terms(n.args[1]!)];
  }
  if (n.type === 'OperatorNode' && n.fn === 'unaryMinus' && n.args?.length === 1) return terms(n.args[0]!);
  return [node];
}

function termScale(node: MathNode, scope: Record<string, number>): number {
  return terms(node).reduce((s, t) => s + Math.abs(Number(t.evaluate(scope))), 0);
}

export function symbolicProperties(forms: SymbolicForm[]): void {
  for (const form of forms) {
    const primal = parse(form.primal);
    const lecture = parse(form.derivative);
    const mathjs = derivative(primal, form.wrt);
    it(`holds ${form.name}: math.js's derivative of ${form.primal} by ${form.wrt} equals ${form.derivative} (relative 1e-9) at every generated point of its domains`, () => {
      fc.assert(
        fc.property(scopeArb(form), (scope) => {
          const a = Number(mathjs.evaluate(scope));
          const b = Number(lecture.evaluate(scope));
          const T = Math.max(termScale(lecture, scope), termScale(mathjs, scope));
          expect(Number.isFinite(a) && Number.isFinite(b)).toBe(true);
          expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(a), Math.abs(b)) + 1e-12 * T);
        }),
        params(),
      );
    });
    it(`holds ${form.name}: ${form.derivative} passes checkGradient against finite differences of ${form.primal} at every generated point`, () => {
      fc.assert(
        fc.property(scopeArb(form), (scope) => {
          const f = (x: Float64Array): number => Number(primal.evaluate({ ...scope, [form.wrt]: x[0]! }));
          const g = (x: Float64Array): number[] => [Number(lecture.evaluate({ ...scope, [form.wrt]: x[0]! }))];
          // The primal's rounding is at least ε times the size of its additive terms, which the
          // checker cannot measure when its noise probe steps off the domain (within ~1e-6 of an
          // edge) and underrates when f is a cancellation of larger terms: pass it as a noise floor.
          const floor = 8 * Number.EPSILON * termScale(primal, scope);
          const r = checkGradient(f, g, [scope[form.wrt]!], { nondeterminismTolerance: floor });
          expectNoFalseAlarm(r, r.reasons.join('; '));
        }),
        params(),
      );
    });
  }
}
