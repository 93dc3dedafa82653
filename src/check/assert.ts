import type { GradFn, ScalarFn } from './guard.js';
import { checkGradient, type CheckResult } from './gradient.js';
import type { CheckOptions } from './options.js';
import { formatResult } from './format.js';

/** Thrown by assertGradient: the message is a readable table; `result` has everything. */
export class GradientCheckError extends Error {
  constructor(readonly result: CheckResult) {
    super(formatResult(result));
    this.name = 'GradientCheckError';
  }
}

/** Like checkGradient, but throws a GradientCheckError when the gradient is wrong. Returns the result otherwise. */
export function assertGradient(f: ScalarFn, grad: GradFn, x: ArrayLike<number>, options?: CheckOptions): CheckResult {
  const r = checkGradient(f, grad, x, options);
  if (!r.ok) throw new GradientCheckError(r);
  return r;
}
