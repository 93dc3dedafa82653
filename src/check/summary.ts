import type { TargetResult } from './suite.js';

/** The machine-readable record of a `gradproof check` run (reports/gradcheck.json). */
export interface GradcheckReport {
  format: 'gradproof-gradcheck/1';
  generated: string;
  seed: number;
  mode: string;
  totals: { checks: number; passed: number; failed: number; kinks: number; evaluations: number; worstRelError: number };
  checks: GradcheckEntry[];
}

export interface GradcheckEntry {
  name: string;
  kind: string;
  description: string;
  ok: boolean;
  size: number;
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
    const label = (index: number, name?: string): string => name ?? (index >= 0 ? `[${index}]` : 'direction');
    const entry: GradcheckEntry = {
      name: t.name,
      kind: t.kind,
      description: t.description,
      ok: r.ok,
      size: t.size,
      mode: r.mode,
      checked: r.checked,
      evaluations: r.evaluations,
      gradientCalls: r.gradientCalls,
      maxAbsError: r.maxAbsError,
      maxRelError: r.maxRelError,
      noise: r.noise,
      reasons: r.reasons,
      warnings: r.warnings,
      failures: r.failures.map((f) => ({ entry: label(f.index, f.name), analytic: f.analytic, numeric: f.numeric, absError: f.absError, relError: f.relError, bound: f.bound })),
      kinks: r.kinks.map((k) => ({ entry: label(k.index, k.name), left: k.left, right: k.right, analytic: k.analytic, ok: k.ok })),
      params: r.params,
      relErrors: entries.map((e) => e.relError),
      taylor: { ok: t.taylor.ok, rate: finite(t.taylor.rate) as number, residuals: t.taylor.residuals },
    };
    if (worst) {
      entry.stepTrail = {
        entry: label(worst.index, r.failures.find((f) => f.index === worst.index)?.name),
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
      failed: checks.filter((c) => !c.ok).length,
      kinks: checks.reduce((a, c) => a + c.kinks.length, 0),
      evaluations: checks.reduce((a, c) => a + c.evaluations, 0),
      worstRelError: Math.max(0, ...checks.map((c) => c.maxRelError)),
    },
    checks,
  };
}

function xml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** JUnit XML: one testcase per check, a failure element with the reasons and worst entries. */
export function junitXml(report: GradcheckReport, formatted: Map<string, string>): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="gradproof check" tests="${report.totals.checks}" failures="${report.totals.failed}">`,
    `  <testsuite name="gradproof check (${xml(report.mode)}, seed ${report.seed})" tests="${report.totals.checks}" failures="${report.totals.failed}" timestamp="${report.generated}">`,
  ];
  for (const c of report.checks) {
    const open = `    <testcase classname="gradproof.${xml(c.kind)}" name="${xml(c.name)}">`;
    if (c.ok) lines.push(`${open}</testcase>`);
    else {
      lines.push(open);
      lines.push(`      <failure message="${xml(c.reasons.join('; '))}">${xml(formatted.get(c.name) ?? '')}</failure>`);
      lines.push('    </testcase>');
    }
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
