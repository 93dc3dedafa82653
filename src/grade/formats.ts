/**
 * A grade report as Gradescope's results.json, JUnit XML, JSON and text for
 * a terminal. (HTML is in html.ts.)
 */
import { junitXml, type JunitCase, type JunitSuite } from '../check/junit.js';
import type { GradeReport } from './types.js';

export type GradeFormat = 'gradescope' | 'junit' | 'json' | 'text' | 'html';
export const GRADE_FORMATS: readonly GradeFormat[] = ['gradescope', 'junit', 'json', 'text', 'html'];

const pts = (x: number): string => String(Math.round(x * 1000) / 1000);

/** How to reproduce the grading, for every format's header. */
export function reproduceLine(r: GradeReport): string {
  return `seed ${r.seed} (rerun with: gradproof grade <submission> --seed ${r.seed})`;
}

/** What the code ran inside, for every format. */
export function confinementLine(r: GradeReport): string {
  return `confinement: ${r.confinement}`;
}

// ---------------------------------------------------------------- Gradescope

export interface GradescopeTest {
  name: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  output: string;
  visibility: 'visible';
}

export interface GradescopeResults {
  score: number;
  max_score: number;
  output: string;
  execution_time: number;
  tests: GradescopeTest[];
}

/** Gradescope's results.json: one test per named test of every graded exercise, named "<exercise id>: <test name>". */
export function toGradescope(r: GradeReport): GradescopeResults {
  const header = [`gradproof: ${pts(r.score)}/${pts(r.maxScore)}; ${reproduceLine(r)}`, confinementLine(r)];
  if (r.errors.length) header.push('', 'Problems with the submission:', ...r.errors.map((e) => `- ${e}`));
  return {
    score: r.score,
    max_score: r.maxScore,
    output: header.join('\n'),
    execution_time: Math.round(r.ms) / 1000,
    tests: r.exercises.flatMap((e) =>
      e.tests.map((t) => ({
        name: `${e.id}: ${t.name}`,
        score: t.points,
        max_score: t.maxPoints,
        status: t.passed ? ('passed' as const) : ('failed' as const),
        output: t.output,
        visibility: 'visible' as const,
      })),
    ),
  };
}

// ---------------------------------------------------------------- JUnit

/** JUnit XML: a testsuite per exercise, a testcase per named test; submission problems as errors of their own suite. */
export function toJunit(r: GradeReport): string {
  const suites: JunitSuite[] = r.exercises.map((e) => ({
    name: e.id,
    properties: [['score', pts(e.score)], ['max_score', pts(e.maxScore)], ['confinement', r.confinement]] as const,
    cases: e.tests.map((t): JunitCase => {
      const c: JunitCase = { name: t.name, classname: e.id, time: (t.ms ?? 0) / 1000 };
      if (t.passed) return { ...c, systemOut: t.output };
      const msg = t.output.split('\n').find((l) => l.trim()) ?? 'failed';
      return { ...c, failure: { type: e.missing ? 'missing' : 'wrong-answer', message: `${msg} (${pts(t.points)}/${pts(t.maxPoints)} points)`, text: t.output } };
    }),
  }));
  if (r.errors.length) {
    suites.push({ name: 'submission', cases: r.errors.map((err, i) => ({ name: `problem ${i + 1}`, classname: 'submission', time: 0, error: { type: 'submission', message: err } })) });
  }
  return junitXml(`gradproof grade ${r.submission} (${reproduceLine(r)})`, suites);
}

// ---------------------------------------------------------------- JSON

/** The whole report as JSON (non-finite numbers in answers become null). */
export function toJson(r: GradeReport): string {
  return JSON.stringify(r, null, 2) + '\n';
}

// ---------------------------------------------------------------- text

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Text for a terminal: a summary table, the submission's problems, then every failed test's feedback. */
export function toText(r: GradeReport): string {
  const out: string[] = [`gradproof grade ${r.submission}: ${pts(r.score)}/${pts(r.maxScore)} points; ${reproduceLine(r)}`, confinementLine(r), ''];
  const rows = r.exercises.map((e) => [
    e.id,
    `${pts(e.score)}/${pts(e.maxScore)}`,
    e.missing ? 'missing' : e.forms.map((f) => (f.status === 'invalid' ? `${f.form} (invalid)` : f.form)).join(' + '),
    e.missing ? '' : e.tests.map((t) => `${t.passed ? 'PASS' : 'FAIL'} ${t.name}`).join(', '),
  ]);
  out.push(table(['exercise', 'points', 'answered as', 'tests'], rows));
  if (r.errors.length) out.push('', 'Problems with the submission:', ...r.errors.map((e) => `  - ${e}`));
  const failed = r.exercises.flatMap((e) => (e.missing ? [] : e.tests.filter((t) => !t.passed).map((t) => ({ e, t }))));
  for (const { e, t } of failed) {
    out.push('', `FAIL ${e.id}: ${t.name} (${pts(t.points)}/${pts(t.maxPoints)})`, t.output);
  }
  const missing = r.exercises.filter((e) => e.missing).map((e) => e.id);
  if (missing.length) out.push('', `missing (0 points): ${missing.join(', ')}`);
  return out.join('\n') + '\n';
}
