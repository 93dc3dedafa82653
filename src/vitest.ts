/**
 * `gradproof/vitest`: registers gradproof's matchers with vitest's `expect`
 * and declares their types, so a test needs only `import 'gradproof/vitest'`
 * (or this module as a vitest `setupFiles` entry):
 *
 *     expect(f).toHaveCorrectGradient(grad, x, options?)
 */
import { expect } from 'vitest';
import { gradproofMatchers, type GradproofMatchers } from './check/matchers.js';

expect.extend(gradproofMatchers);

// vitest's documented way to type custom matchers (vitest 3.2 and later)
declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends GradproofMatchers<T> {}
}

export { gradproofMatchers, type GradproofMatchers };
