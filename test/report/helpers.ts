import type { GradcheckEntry, GradcheckReport } from '../../src/check/summary.js';

/** A check entry with sensible defaults, for the report builders. */
export function entry(over: Partial<GradcheckEntry> & { name: string }): GradcheckEntry {
  return {
    kind: 'op',
    description: 'a test op',
    ok: true,
    size: 6,
    mode: 'full',
    checked: 6,
    evaluations: 40,
    gradientCalls: 2,
    maxAbsError: 1e-12,
    maxRelError: 3e-11,
    noise: 1e-15,
    reasons: [],
    warnings: [],
    failures: [],
    kinks: [],
    params: [
      { name: 'W', shape: [2, 2], checked: 4, failures: 0, maxRelError: 3e-11 },
      { name: 'b', shape: [2], checked: 2, failures: 0, maxRelError: 1e-13 },
    ],
    relErrors: [1e-12, 3e-11, 2e-12, 0, 1e-13, 5e-14],
    stepTrail: {
      entry: '[1]',
      analytic: 1.5,
      steps: [
        { step: 1e-3, value: 1.5000001, truncation: 1e-7, rounding: 1e-12, error: 1e-7 },
        { step: 1e-3, value: 1.5, truncation: 1e-11, rounding: 2e-12, error: 1e-12 },
      ],
    },
    taylor: {
      ok: true,
      rate: 2,
      residuals: [
        { h: 0.1, residual: 1e-2 },
        { h: 0.05, residual: 2.5e-3 },
        { h: 0.025, residual: 6.25e-4 },
      ],
    },
    ...over,
  };
}

export function report(checks: GradcheckEntry[]): GradcheckReport {
  return {
    format: 'gradproof-gradcheck/1',
    generated: '2026-01-01T00:00:00.000Z',
    seed: 0,
    mode: 'full',
    totals: {
      checks: checks.length,
      passed: checks.filter((c) => c.ok).length,
      failed: checks.filter((c) => !c.ok).length,
      kinks: checks.reduce((a, c) => a + c.kinks.length, 0),
      evaluations: checks.reduce((a, c) => a + c.evaluations, 0),
      worstRelError: Math.max(0, ...checks.map((c) => c.maxRelError)),
    },
    checks,
  };
}

/** Every match of a regex's first group. */
export function all(html: string, re: RegExp): string[] {
  return [...html.matchAll(new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g'))].map((m) => m[1] ?? m[0]);
}
