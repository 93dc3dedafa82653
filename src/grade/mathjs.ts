import { create, all, type MathJsInstance } from 'mathjs';

/**
 * The grader's math.js instance. `predictable: true` makes functions return
 * NaN instead of a complex number outside their real domain (sqrt(-1),
 * log(-1)), so every evaluation of an answer is a plain number.
 */
export const math: MathJsInstance = create(all, { predictable: true });
