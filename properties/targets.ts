/**
 * The property every topic states about its gradient targets (the ones
 * `gradproof check` runs): each target, at generated seeds, passes the
 * checker, gradient shapes included. One `it` per target, so that every
 * target runs at every run count (a draw over the list could skip one).
 */
import fc from 'fast-check';
import { it } from 'vitest';
import { checkParams } from '../src/check/params.js';
import { Rng } from '../src/core/rng.js';
import type { Tensor } from '../src/core/tensor.js';
import type { DerivationTarget } from '../src/derivations/types.js';
import { expectNoFalseAlarm } from './assert.js';
import { params } from './runs.js';

export function targetProperties(targets: readonly DerivationTarget[], scale = 0.25): void {
  it.each(targets.map((t) => [t.name, t] as const))('target %s passes the gradient checker at every generated seed', (_name, target) => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const { params: p, objective, grad } = target.make(new Rng(seed));
        const r = checkParams((q) => objective(q as Map<string, Tensor>), p, (q) => grad(q as Map<string, Tensor>));
        expectNoFalseAlarm(r, `${target.name} seed ${seed}`);
      }),
      params(scale),
    );
  });
}
