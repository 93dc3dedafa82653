/**
 * Self-contained HTML: one submission's report, and the class report of a
 * batch (score distribution per exercise as inline SVG, the most common
 * wrong answers per exercise). No scripts, no external resources.
 */
import { esc } from '../html/format.js';
import { page } from '../html/page.js';
import { histogram as histogramPlot } from '../html/svg.js';
import { normalizeExpression } from './expressions.js';
import { reproduceLine } from './formats.js';
import type { ExerciseResult, FormResult, GradeReport } from './types.js';

const pts = (x: number): string => String(Math.round(x * 1000) / 1000);

const FOOTER = 'Written by <code>gradproof grade</code>. Self-contained: no scripts, and nothing loaded from the network.';

// ---------------------------------------------------------------- one submission

function formLine(f: FormResult): string {
  const what = f.form === 'expression' ? `expression <code>${esc(f.answer ?? '')}</code>` : `code (${esc(f.answer ?? '')})`;
  const status = f.status === 'invalid' ? ` — <span class="fail">invalid: ${esc(f.error ?? '')}</span>` : '';
  return `<li>${what}: ${pts(f.score)} points${status}</li>`;
}

function exerciseSection(e: ExerciseResult): string {
  const cls = e.score === e.maxScore ? 'pass' : 'fail';
  const rows = e.tests
    .map(
      (t) =>
        `<tr><td>${esc(t.name)}</td><td class="${t.passed ? 'pass' : 'fail'}">${t.passed ? 'passed' : 'failed'}</td><td>${pts(t.points)}/${pts(t.maxPoints)}</td><td><pre>${esc(t.output)}</pre></td></tr>`,
    )
    .join('\n');
  const forms = e.missing ? '<p class="fail">missing: no answer for this exercise</p>' : `<ul>${e.forms.map(formLine).join('')}</ul>`;
  return `<h2 id="${esc(e.id)}">${esc(e.id)} <span class="${cls}">${pts(e.score)}/${pts(e.maxScore)}</span></h2>
<p class="muted">${esc(e.title)}</p>${forms}
<table><tr><th>test</th><th>result</th><th>points</th><th>feedback</th></tr>${rows}</table>`;
}

/** One submission's report as a self-contained page. */
export function toHtml(r: GradeReport): string {
  const summary = r.exercises
    .map((e) => `<tr><td><a href="#${esc(e.id)}">${esc(e.id)}</a></td><td class="${e.score === e.maxScore ? 'pass' : 'fail'}">${pts(e.score)}/${pts(e.maxScore)}</td><td>${e.missing ? 'missing' : e.forms.map((f) => f.form).join(' + ')}</td></tr>`)
    .join('\n');
  const errors = r.errors.length ? `<h2>Problems with the submission</h2><ul>${r.errors.map((e) => `<li class="fail">${esc(e)}</li>`).join('')}</ul>` : '';
  return page(
    { title: `${r.submission}: ${pts(r.score)}/${pts(r.maxScore)}`, subtitle: reproduceLine(r), footer: FOOTER, scripts: false },
    `<table><tr><th>exercise</th><th>points</th><th>answered as</th></tr>${summary}</table>
${errors}
${r.exercises.map(exerciseSection).join('\n')}`,
  );
}

// ---------------------------------------------------------------- the class report

/** Counts of scores in bins of width 1 (the maximum in its own bin). */
export function histogram(scores: readonly number[], max: number): number[] {
  const bins = new Array<number>(Math.max(1, Math.ceil(max)) + 1).fill(0);
  for (const s of scores) bins[Math.min(bins.length - 1, Math.max(0, Math.floor(s + 1e-9)))]!++;
  return bins;
}

/** A histogram of scores as the shared SVG bar chart, with its axes titled. */
export function histogramSvg(bins: readonly number[], caption: string, id: string): string {
  return histogramPlot({
    id,
    kind: 'scores',
    title: caption,
    xLabel: 'points',
    yLabel: 'submissions',
    bins: bins.map((count, i) => ({ label: String(i), count, title: i === bins.length - 1 ? `${i} points` : `${i} to ${i + 1} points` })),
    width: Math.min(900, 120 + 24 * bins.length),
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
  const why = c ? c.diagnosis ?? c.message.split(':')[0] : first.output.split('\n')[0];
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
export function summarizeClass(reports: readonly GradeReport[], top = 5): ClassSummary[] {
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

/** The class report of a batch: totals, then per exercise its score distribution and most common wrong answers. */
export function classReportHtml(reports: readonly GradeReport[], title = 'gradproof class report'): string {
  const n = reports.length;
  const max = reports[0]?.maxScore ?? 0;
  const totals = reports.map((r) => r.score);
  const mean = n ? totals.reduce((a, b) => a + b, 0) / n : 0;
  const seeds = [...new Set(reports.map((r) => r.seed))];
  const withErrors = reports.filter((r) => r.errors.length > 0);
  const sections = summarizeClass(reports).map((s) => {
    const wrong = s.wrong.length
      ? `<table><tr><th>wrong answer</th><th>submissions</th></tr>${s.wrong.map(([k, c]) => `<tr><td><code>${esc(k)}</code></td><td>${c}</td></tr>`).join('')}</table>`
      : '<p class="muted">no wrong answers</p>';
    return `<h2>${esc(s.id)}</h2>
<p>mean ${pts(s.mean)}/${pts(s.maxScore)} · full marks ${s.full}/${n} · missing ${s.missing}/${n}</p>
${histogramSvg(histogram(s.scores, s.maxScore), `${s.id}: score distribution`, `scores-${s.id}`)}
<h3>Most common wrong answers</h3>${wrong}`;
  });
  const errorList = withErrors.length
    ? `<h2>Submissions with problems</h2><table><tr><th>submission</th><th>problems</th></tr>${withErrors
        .map((r) => `<tr><td>${esc(r.submission)}</td><td>${r.errors.map(esc).join('<br>')}</td></tr>`)
        .join('')}</table>`
    : '';
  return page(
    { title, subtitle: `${n} submission${n === 1 ? '' : 's'} · mean ${pts(mean)}/${pts(max)} · seed ${seeds.map(String).join(', ')}`, footer: FOOTER, scripts: false },
    `${histogramSvg(histogram(totals, max), 'total score distribution', 'scores-total')}
${errorList}
${sections.join('\n')}`,
  );
}
