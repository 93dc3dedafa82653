/**
 * A grade report as Gradescope's and PrairieLearn's results.json, JUnit XML,
 * JSON and text for a terminal (HTML is in html.ts), and `renderReport` to
 * pick one by name.
 */
import { junitXml, type JunitCase, type JunitSuite } from '../check/junit.js';
import { toHtml } from './html.js';
import { confinementLine, pts, reproduceLine, seedLine } from './report-lines.js';
import type { GradeReport, TestVisibility } from './types.js';

export type GradeFormat = 'gradescope' | 'prairielearn' | 'junit' | 'json' | 'text' | 'html';
export const GRADE_FORMATS: readonly GradeFormat[] = ['gradescope', 'prairielearn', 'junit', 'json', 'text', 'html'];

export { confinementLine, reproduceLine, seedLine } from './report-lines.js';

// ---------------------------------------------------------------- Gradescope

export interface GradescopeTest {
  name: string;
  score?: number;
  max_score?: number;
  status?: 'passed' | 'failed';
  output: string;
  visibility: TestVisibility;
}

export interface GradescopeResults {
  score: number;
  max_score: number;
  output: string;
  execution_time: number;
  /** Who sees what run_autograder printed: 'hidden' (default: staff only) or a test visibility. */
  stdout_visibility: TestVisibility;
  tests: GradescopeTest[];
}

export interface GradescopeOptions {
  /** Gradescope's `stdout_visibility`. Default 'hidden': the autograder's own output is for staff. */
  stdoutVisibility?: TestVisibility;
}

/** The name of the staff-only test that says how to grade the submission again. */
export const REPRODUCE_TEST = 'staff: reproduce this grade';

/**
 * Gradescope's results.json: one test per named test of every graded
 * exercise, named "<exercise id>: <test name>", with the catalog's
 * visibility; and a hidden test (staff only, no points) with the command that
 * grades the submission again. Students see the seed, not the command.
 */
export function toGradescope(r: GradeReport, opts: GradescopeOptions = {}): GradescopeResults {
  const header = [`gradproof: ${pts(r.score)}/${pts(r.maxScore)}; ${seedLine(r)}`];
  if (r.errors.length) header.push('', 'Problems with the submission:', ...r.errors.map((e) => `- ${e}`));
  return {
    score: r.score,
    max_score: r.maxScore,
    output: header.join('\n'),
    execution_time: Math.round(r.ms) / 1000,
    stdout_visibility: opts.stdoutVisibility ?? 'hidden',
    tests: [
      ...r.exercises.flatMap((e) =>
        e.tests.map((t) => ({
          name: `${e.id}: ${t.name}`,
          score: t.points,
          max_score: t.maxPoints,
          status: t.passed ? ('passed' as const) : ('failed' as const),
          output: t.output,
          visibility: t.visibility ?? ('visible' as const),
        })),
      ),
      { name: REPRODUCE_TEST, output: `${reproduceLine(r)}\n${confinementLine(r)}`, visibility: 'hidden' as const },
    ],
  };
}

// ---------------------------------------------------------------- PrairieLearn

export interface PrairieLearnTest {
  name: string;
  description: string;
  points: number;
  max_points: number;
  message: string;
  output: string;
}

export interface PrairieLearnResults {
  gradable: boolean;
  /** In [0, 1]; left out when the submission is not gradable. */
  score?: number;
  message: string;
  output: string;
  /** Why a submission is not gradable (a malformed answer): PrairieLearn shows them and charges no attempt. */
  format_errors?: string[];
  tests: PrairieLearnTest[];
}

/** PrairieLearn refuses results larger than 1 MB; outputs are cut to stay below this many bytes. */
export const PRAIRIELEARN_LIMIT = 1_000_000;

/**
 * PrairieLearn's external-grader results.json. A submission of which no form
 * of any exercise could be graded (no answer file, a malformed answers.json
 * and no code, a code file that does not load) is `gradable: false` with its
 * problems as `format_errors`; otherwise `score` is the points over the
 * maximum, and one test per named test of every exercise carries the same
 * points as Gradescope's. Test outputs are cut, longest first, until the file
 * is under PrairieLearn's 1 MB.
 */
export function toPrairieLearn(r: GradeReport, limit = PRAIRIELEARN_LIMIT): PrairieLearnResults {
  const gradable = r.exercises.some((e) => e.forms.some((f) => f.status === 'graded'));
  const tests: PrairieLearnTest[] = r.exercises.flatMap((e) =>
    e.tests.map((t) => ({
      name: `${e.id}: ${t.name}`,
      description: e.title,
      points: t.points,
      max_points: t.maxPoints,
      message: t.passed ? 'passed' : (t.output.split('\n').find((l) => l.trim()) ?? 'failed'),
      output: t.output,
    })),
  );
  const message = [`gradproof: ${pts(r.score)}/${pts(r.maxScore)} points; ${seedLine(r)}`, ...(r.errors.length ? ['Problems with the submission:', ...r.errors.map((e) => `- ${e}`)] : [])].join('\n');
  const out: PrairieLearnResults = {
    gradable,
    ...(gradable ? { score: r.maxScore > 0 ? Math.min(1, Math.max(0, r.score / r.maxScore)) : 0 } : {}),
    message,
    output: toText(r, { students: true }),
    ...(gradable ? {} : { format_errors: r.errors.length ? [...r.errors] : ['no exercise could be graded: the submission answers none of them'] }),
    tests,
  };
  return fitUnder(out, limit);
}

const bytes = (o: unknown): number => Buffer.byteLength(JSON.stringify(o), 'utf8');

/** Cuts the longest outputs (the tests', then the summary) until the whole is under `limit` bytes. */
function fitUnder(res: PrairieLearnResults, limit: number): PrairieLearnResults {
  const note = '\n… (cut to fit PrairieLearn\'s 1 MB limit)';
  for (let cap = 64_000; bytes(res) > limit && cap >= 64; cap = Math.floor(cap / 2)) {
    for (const t of res.tests) if (t.output.length > cap) t.output = t.output.slice(0, cap) + note;
    if (res.output.length > cap) res.output = res.output.slice(0, cap) + note;
    for (const t of res.tests) if (t.message.length > cap) t.message = t.message.slice(0, cap) + '…';
  }
  return res;
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

/**
 * Text for a terminal: a summary table, the submission's problems, then every
 * failed test's feedback. `students: true` leaves out what only staff can use
 * (the rerun command, the confinement).
 */
export function toText(r: GradeReport, opts: { students?: boolean } = {}): string {
  const out: string[] = opts.students
    ? [`gradproof grade ${r.submission}: ${pts(r.score)}/${pts(r.maxScore)} points; ${seedLine(r)}`, '']
    : [`gradproof grade ${r.submission}: ${pts(r.score)}/${pts(r.maxScore)} points; ${reproduceLine(r)}`, confinementLine(r), ''];
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

// ---------------------------------------------------------------- by name

/** The file extension of each format's results file. */
export const RESULT_EXTENSIONS: Readonly<Record<GradeFormat, string>> = {
  gradescope: '.gradescope.json',
  prairielearn: '.prairielearn.json',
  junit: '.xml',
  json: '.json',
  text: '.txt',
  html: '.html',
};

/** A report in the named format, as the text of its file. */
export function renderReport(r: GradeReport, format: GradeFormat, opts: GradescopeOptions = {}): string {
  switch (format) {
    case 'gradescope':
      return JSON.stringify(toGradescope(r, opts), null, 2) + '\n';
    case 'prairielearn':
      return JSON.stringify(toPrairieLearn(r), null, 2) + '\n';
    case 'junit':
      return toJunit(r);
    case 'json':
      return toJson(r);
    case 'html':
      return toHtml(r);
    case 'text':
      return toText(r);
  }
}
