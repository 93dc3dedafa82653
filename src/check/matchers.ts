import type { GradFn, ScalarFn } from './guard.js';
import { checkGradient } from './gradient.js';
import type { CheckOptions } from './options.js';
import { formatResult } from './format.js';

interface MatcherResult {
  pass: boolean;
  message: () => string;
}

/**
 * Matchers for vitest (or Jest): `expect.extend(gradproofMatchers)`, then
 * `expect(f).toHaveCorrectGradient(grad, x, options?)`. With vitest,
 * `import 'gradproof/vitest'` does both the registration and the types.
 */
export const gradproofMatchers = {
  toHaveCorrectGradient(received: unknown, grad: GradFn, x: ArrayLike<number>, options?: CheckOptions): MatcherResult {
    const r = checkGradient(received as ScalarFn, grad, x, options);
    return {
      pass: r.ok,
      message: () =>
        r.ok
          ? `expected the gradient to be wrong, but it matched finite differences (${r.checked} checked, max rel error ${r.maxRelError.toExponential(2)})`
          : r.verdict === 'inconclusive'
            ? `the gradient check was inconclusive: no entry was shown wrong, but not every entry could be resolved (a pass is earned, not assumed)\n${formatResult(r)}`
            : formatResult(r),
    };
  },
};

export interface GradproofMatchers<R = unknown> {
  toHaveCorrectGradient(grad: GradFn, x: ArrayLike<number>, options?: CheckOptions): R;
}
