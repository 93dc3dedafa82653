/**
 * The class report of a batch: the totals' distribution, a sortable table of
 * every student (total, each exercise, problems, a link to the student's
 * feedback page), per exercise its score distribution and most common wrong
 * answers, and the folders that were not graded and why.
 */
import { esc } from '../html/format.js';
import { cards, page, sortableTable, type Column } from '../html/page.js';
import { histogram as histogramPlot } from '../html/svg.js';
import { normalizeExpression } from './expressions.js';
import { pts } from './report-lines.js';
import type { BatchEntry, ClassResult, ExerciseResult, FormResult } from './types.js';

/** At most this many bars: a histogram fits the page whatever the points. */
export const MAX_BINS = 20;

/** Bins of equal integer width (≥ 1) over [0, max], at most MAX_BINS of them, the maximum in the last; counts and edges. */
export function histogram(scores: readonly number[], max: number): { counts: number[]; width: number } {
  const top = Math.max(1, Math.ceil(max));
  const width = Math.max(1, Math.ceil((top + 1) / MAX_BINS));
  const n = Math.ceil((top + 1) / width);
  const counts = new Array<number>(n).fill(0);
  for (const s of scores) counts[Math.min(n - 1, Math.max(0, Math.floor((s + 1e-9) / width)))]!++;
  return { counts, width };
}

/** A histogram of scores as the shared SVG bar chart, with its axes titled; it scales to the page's width. */
export function histogramSvg(scores: readonly number[], max: number, caption: string, id: string): string {
  const { counts, width } = histogram(scores, max);
  const label = (i: number): string => String(i * width);
  const title = (i: number): string => {
    const lo = i * width;
    const hi = Math.min(lo + width, Math.ceil(max) + 1);
    return hi - lo <= 1 ? `${lo} points` : `${lo} to under ${hi} points${hi > max ? ` (${pts(max)} included)` : ''}`;
  };
  return histogramPlot({
    id,
    kind: 'scores',
    title: caption,
    xLabel: 'points',
    yLabel: 'submissions',
    bins: counts.map((count, i) => ({ label: label(i), count, title: title(i) })),
    lastEdge: width === 1 ? '' : String(counts.length * width),
    width: 640,
    height: 240,
  });
}

/** The key a wrong answer is grouped by: the normalised expression, or what a code answer got wrong. */
export function wrongAnswerKey(f: FormResult): string | undefined {
  const failed = f.tests.filter((t) => !t.passed);
  if (failed.length === 0) return undefined;
  if (f.form === 'expression') return `expression ${normalizeExpression(f.answer ?? '')}${f.status === 'invalid' ? ` (${f.error})` : ''}`;
  if (f.status === 'invalid') return `code: ${(f.error ?? '').split(':')[0]}: could not run`;
  const first = failed[0]!;
  const c = first.counterexample;
  const why = c ? (c.diagnosis ?? c.message.split(':')[0]) : first.output.split('\n')[0];
  return `code failing ${failed.map((t) => t.name).join(', ')}: ${why}`;
}

export interface ClassSummary {
  id: string;
  maxScore: number;
  scores: number[];
  mean: number;
  full: number;
  missing: number;
  wrong: [string, number][];
}

/** Per exercise: scores, mean, full marks, missing, and the most common wrong answers (top `top`). */
export function summarizeClass(entries: readonly BatchEntry[], top = 5): ClassSummary[] {
  const reports = entries.map((e) => e.report);
  const ids = [...new Set(reports.flatMap((r) => r.exercises.map((e) => e.id)))];
  return ids.map((id) => {
    const rows = reports.map((r) => r.exercises.find((e) => e.id === id)).filter((e): e is ExerciseResult => e !== undefined);
    const maxScore = rows[0]?.maxScore ?? 0;
    const scores = rows.map((e) => e.score);
    const counts = new Map<string, number>();
    for (const e of rows) {
      for (const f of e.forms) {
        const k = wrongAnswerKey(f);
        if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
      }
    }
    const wrong = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, top);
    return {
      id,
      maxScore,
      scores,
      mean: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : 0,
      full: rows.filter((e) => e.score === e.maxScore).length,
      missing: rows.filter((e) => e.missing).length,
      wrong,
    };
  });
}

export interface ClassReportOptions {
  title?: string;
  /** Each entry's feedback page, relative to the report (students/<name>.html). */
  pages?: ReadonlyMap<BatchEntry, string>;
  /** The exercises' ids in catalog order (the table's columns). */
  exerciseIds?: readonly string[];
}

function studentTable(result: ClassResult, ids: readonly string[], pages: ReadonlyMap<BatchEntry, string> | undefined): string {
  const roster = result.entries.some((e) => e.student) || result.absent.length > 0;
  const columns: Column[] = [
    { label: 'student' },
    ...(roster ? [{ label: 'id' }, { label: 'name' }] : []),
    { label: 'total', type: 'number', title: 'points over all graded exercises' },
    ...ids.map((id): Column => ({ label: id, type: 'number', title: `points for ${id}` })),
    { label: 'problems', type: 'number', title: 'problems with the submission (malformed answers, load errors, …)' },
  ];
  const rows = result.entries.map((e) => {
    const r = e.report;
    const byId = new Map(r.exercises.map((x) => [x.id, x]));
    const href = pages?.get(e);
    const name = href ? `<a href="${esc(href)}">${esc(r.submission)}</a>` : esc(r.submission);
    return {
      cells: [
        { html: name, value: r.submission },
        ...(roster ? [{ html: esc(e.student?.id ?? '—') }, { html: esc(e.student?.name ?? 'not on the roster') }] : []),
        { html: `${pts(r.score)}/${pts(r.maxScore)}`, value: String(r.score) },
        ...ids.map((id) => {
          const x = byId.get(id);
          if (!x) return { html: '—', value: '-1' };
          const cls = x.missing ? 'muted' : x.score === x.maxScore ? 'pass' : 'fail';
          return { html: `<span class="${cls}">${x.missing ? 'missing' : pts(x.score)}</span>`, value: String(x.missing ? -1 : x.score) };
        }),
        { html: r.errors.length ? `<span class="fail" title="${esc(r.errors.join('\n'))}">${r.errors.length}</span>` : '0', value: String(r.errors.length) },
      ],
    };
  });
  return sortableTable({ id: 'students', caption: `${result.entries.length} students (click a header to sort; click a name for the student's feedback)`, columns, rows });
}

/** The class report of a batch (see the module comment). */
export function classReportHtml(result: ClassResult, opts: ClassReportOptions = {}): string {
  const entries = result.entries;
  const n = entries.length;
  const max = entries[0]?.report.maxScore ?? 0;
  const totals = entries.map((e) => e.report.score);
  const mean = n ? totals.reduce((a, b) => a + b, 0) / n : 0;
  const seeds = [...new Set(entries.map((e) => e.report.seed))];
  const summary = summarizeClass(entries);
  const ids = opts.exerciseIds ?? summary.map((s) => s.id);
  const sections = summary.map((s) => {
    const wrong = s.wrong.length
      ? `<table><tr><th>wrong answer</th><th>submissions</th></tr>${s.wrong.map(([k, c]) => `<tr><td><code>${esc(k)}</code></td><td>${c}</td></tr>`).join('')}</table>`
      : '<p class="muted">no wrong answers</p>';
    return `<section id="exercise-${esc(s.id)}"><h3>${esc(s.id)}</h3>
<p>mean ${pts(s.mean)}/${pts(s.maxScore)} · full marks ${s.full}/${n} · missing ${s.missing}/${n}</p>
${histogramSvg(s.scores, s.maxScore, `${s.id}: score distribution`, `scores-${s.id}`)}
<h4>Most common wrong answers</h4>${wrong}</section>`;
  });
  const notGraded = [
    ...result.skipped.map((s) => `<tr><td>${esc(s.folder)}</td><td>not a submission: ${esc(s.why)}</td></tr>`),
    ...result.absent.map((s) => `<tr><td>${esc(s.folder)}</td><td>on the roster (${esc(s.id)}${s.name ? `, ${esc(s.name)}` : ''}): ${esc(s.why)}</td></tr>`),
    ...result.unlisted.map((f) => `<tr><td>${esc(f)}</td><td>graded, but not on the roster (no student id in the gradebook)</td></tr>`),
  ];
  const withErrors = entries.filter((e) => e.report.errors.length > 0);
  const errorList = withErrors.length
    ? `<h2 id="problems">Submissions with problems</h2><table><tr><th>submission</th><th>problems</th></tr>${withErrors
        .map((e) => `<tr><td>${esc(e.report.submission)}</td><td>${e.report.errors.map(esc).join('<br>')}</td></tr>`)
        .join('')}</table>`
    : '';
  return page(
    { title: opts.title ?? 'gradproof class report', subtitle: `${n} submission${n === 1 ? '' : 's'} · mean ${pts(mean)}/${pts(max)} · seed ${seeds.map(String).join(', ')}`, footer: 'Written by <code>gradproof grade --batch</code>. Self-contained: one inline script sorts the table; nothing is loaded from the network.' },
    `${cards([
      { label: 'graded', value: String(n) },
      { label: 'mean', value: `${pts(mean)}/${pts(max)}` },
      { label: 'full marks', value: String(entries.filter((e) => e.report.score === e.report.maxScore).length) },
      { label: 'not graded', value: String(result.skipped.length + result.absent.length) },
    ])}
${histogramSvg(totals, max, 'total score distribution', 'scores-total')}
<h2 id="students-heading">Students</h2>
${studentTable(result, ids, opts.pages)}
${notGraded.length ? `<h2 id="not-graded">Not graded, or not on the roster</h2><table><tr><th>folder</th><th>why</th></tr>${notGraded.join('')}</table>` : ''}
${errorList}
<h2 id="exercises">Exercises</h2>
${sections.join('\n')}`,
  );
}
