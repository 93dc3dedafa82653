import type { TargetResult } from './run-target.js';
import { junitXml, type JunitCase } from './junit.js';

/** The machine-readable record of a `gradproof check` run (reports/gradcheck.json). */
export interface GradcheckReport {
  format: 'gradproof-gradcheck/1';
  generated: string;
  seed: number;
  mode: string;
  /** `inconclusive`: checks with no failure but some entry unresolved (absent in reports written before 0.2). */
  totals: { checks: number; passed: number; failed: number; inconclusive?: number; kinks: number; evaluations: number; worstRelError: number };
  checks: GradcheckEntry[];
}

export interface GradcheckEntry {
  name: string;
  kind: string;
  description: string;
  /** True only for a pass. */
  ok: boolean;
  /** pass, fail or inconclusive (absent in reports written before 0.2: read `ok`). */
  verdict?: 'pass' | 'fail' | 'inconclusive';
  /** Entries that could not be resolved, by name. */
  unresolved?: string[];
  size: number;
  /** Wall time of the check and its Taylor test, milliseconds (absent in reports written before 0.2). */
  ms?: number;
  mode: string;
  checked: number;
  evaluations: number;
  gradientCalls: number;
  maxAbsError: number;
  maxRelError: number;
  noise: number;
  reasons: string[];
  warnings: string[];
  failures: { entry: string; analytic: number; numeric: number; absError: number; relError: number; bound: number }[];
  kinks: { entry: string; left: number; right: number; analytic: number; ok: boolean }[];
  params: { name: string; shape: number[]; checked: number; failures: number; maxRelError: number }[];
  /** Relative error of every checked entry (for histograms). */
  relErrors: number[];
  /** The error-versus-step trail of the entry with the largest error. */
  stepTrail?: { entry: string; analytic: number; steps: { step: number; value: number; truncation: number; rounding: number; error: number }[] };
  taylor: { ok: boolean; rate: number; residuals: { h: number; residual: number }[] };
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

export function summarize(results: TargetResult[], seed: number, mode: string, now = new Date()): GradcheckReport {
  const checks = results.map((t): GradcheckEntry => {
    const r = t.result;
    const entries = r.entries ?? [];
    const worst = entries.filter((e) => e.trail.length > 0).sort((a, b) => b.absError - a.absError)[0];
    const entry: GradcheckEntry = {
      name: t.name,
      kind: t.kind,
      description: t.description,
      ok: r.ok,
      verdict: r.verdict,
      unresolved: r.unresolved.map((u) => u.name),
      size: t.size,
      ms: t.ms,
      mode: r.mode,
      checked: r.checked,
      evaluations: r.evaluations,
      gradientCalls: r.gradientCalls,
      maxAbsError: r.maxAbsError,
      maxRelError: r.maxRelError,
      noise: r.noise,
      reasons: r.reasons,
      warnings: r.warnings,
      failures: r.failures.map((f) => ({ entry: f.name, analytic: f.analytic, numeric: f.numeric, absError: f.absError, relError: f.relError, bound: f.bound })),
      kinks: r.kinks.map((k) => ({ entry: k.name, left: k.left, right: k.right, analytic: k.analytic, ok: k.ok })),
      params: r.params,
      relErrors: entries.map((e) => e.relError),
      taylor: { ok: t.taylor.ok, rate: finite(t.taylor.rate) as number, residuals: t.taylor.residuals },
    };
    if (worst) {
      entry.stepTrail = {
        entry: worst.name,
        analytic: worst.analytic,
        steps: worst.trail.map((s) => ({ step: s.step, value: s.value, truncation: s.truncation, rounding: s.rounding, error: Math.abs(s.value - worst.analytic) })),
      };
    }
    return entry;
  });
  return {
    format: 'gradproof-gradcheck/1',
    generated: now.toISOString(),
    seed,
    mode,
    totals: {
      checks: checks.length,
      passed: checks.filter((c) => c.ok).length,
      failed: checks.filter((c) => c.verdict === 'fail' || (!c.ok && c.verdict === undefined)).length,
      inconclusive: checks.filter((c) => c.verdict === 'inconclusive').length,
      kinks: checks.reduce((a, c) => a + c.kinks.length, 0),
      evaluations: checks.reduce((a, c) => a + c.evaluations, 0),
      worstRelError: Math.max(0, ...checks.map((c) => c.maxRelError)),
    },
    checks,
  };
}

/** JUnit XML: one testcase per check, a failure element with the reasons and the worst entries. */
export function checkJunit(report: GradcheckReport, formatted: Map<string, string>): string {
  return junitXml('gradproof check', [
    {
      name: `gradproof check (${report.mode}, seed ${report.seed})`,
      timestamp: new Date(report.generated),
      cases: report.checks.map((c): JunitCase => ({
        name: c.name,
        classname: `gradproof.${c.kind}`,
        time: (c.ms ?? 0) / 1000,
        ...(c.ok
          ? {}
          : { failure: { type: c.verdict === 'inconclusive' ? 'gradient-check-inconclusive' : 'gradient-check', message: c.reasons.join('; ') || 'failed', text: formatted.get(c.name) ?? '' } }),
      })),
    },
  ]);
}
