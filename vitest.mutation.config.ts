import { defineConfig } from 'vitest/config';

/**
 * The suites Stryker runs against each mutant of src/core and src/derivations:
 * the core's tests and the derivation properties (at three runs per property).
 * The CLI and package-import tests spawn processes on the built dist/, which
 * a mutant of src/ does not reach, so they are left to `npm test`.
 */
export default defineConfig({
  test: {
    include: ['test/core/**/*.test.ts', 'test/cases/**/*.test.ts', 'test/derivations/**/*.test.ts', 'properties/**/*.test.ts'],
    exclude: ['test/cases/cli.test.ts'],
    testTimeout: 60_000,
    // Modules (math.js above all) are imported once per worker, not once per file and mutant.
    isolate: false,
    // Each mutant reruns every test that covers it: three generated cases per property keep a
    // run short, and an arithmetic mutant of a gradient is wrong at almost every point.
    env: { GRADPROOF_RUNS: '3' },
  },
});
