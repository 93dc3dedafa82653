import fc from 'fast-check';

/**
 * How many generated cases each property runs. `npm test` uses the default;
 * GRADPROOF_RUNS raises it, and `npm run test:deep` runs ten times as many.
 * A failing property prints its shrunk counterexample and the seed and path
 * that replay it (fast-check's report), e.g.
 *   fc.assert(prop, { seed: 1234, path: "5:1:0" })
 */
export const DEFAULT_RUNS = 40;

export function runs(scale = 1): number {
  const env = process.env.GRADPROOF_RUNS;
  const base = env === undefined || env === '' ? DEFAULT_RUNS : Number(env);
  if (!Number.isInteger(base) || base < 1) throw new RangeError(`GRADPROOF_RUNS must be a positive integer, got '${env}'`);
  return Math.max(1, Math.round(base * scale));
}

/** fast-check parameters for one property: the run count, and a fixed seed when GRADPROOF_SEED is set. */
export function params<T>(scale = 1): fc.Parameters<T> {
  const seed = process.env.GRADPROOF_SEED;
  return seed === undefined ? { numRuns: runs(scale) } : { numRuns: runs(scale), seed: Number(seed) };
}
