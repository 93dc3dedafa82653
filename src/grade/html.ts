/**
 * One submission's report as a self-contained HTML page (the student's
 * feedback page). No scripts, no external resources. The class report is in
 * class-report.ts.
 */
import { esc } from '../html/format.js';
import { page } from '../html/page.js';
import { pts, seedLine } from './report-lines.js';
import type { ExerciseResult, FormResult, GradeReport } from './types.js';


export const FOOTER = 'Written by <code>gradproof grade</code>. Self-contained: no scripts, and nothing loaded from the network.';

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
    { title: `${r.submission}: ${pts(r.score)}/${pts(r.maxScore)}`, subtitle: seedLine(r), footer: FOOTER, scripts: false },
    `<table><tr><th>exercise</th><th>points</th><th>answered as</th></tr>${summary}</table>
${errors}
${r.exercises.map(exerciseSection).join('\n')}`,
  );
}
