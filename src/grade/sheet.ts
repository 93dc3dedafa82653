/**
 * The assignment sheet: every exercise's prompt (Markdown with LaTeX) as one
 * HTML page students can read offline. LaTeX is rendered by KaTeX on the
 * server as MathML (no fonts, styles or scripts to load); Markdown by marked,
 * with raw HTML in a prompt shown as text, not passed through.
 */
import katex from 'katex';
import { Marked } from 'marked';
import { esc } from '../html/format.js';
import { page } from '../html/page.js';
import type { Catalog } from './catalog.js';
import type { ArgSpec, Dim, ExerciseSpec, ResultSpec } from './types.js';

export class PromptError extends Error {
  override name = 'PromptError';
}

const markdown = new Marked({ gfm: true, breaks: false });
// A prompt is text: raw HTML in it is shown, not run.
markdown.use({ renderer: { html: (token) => esc(token.text) } });

/** `$…$` and `$$…$$` (not `\$`), found before Markdown sees the backslashes and underscores. */
const MATH = /\$\$([\s\S]+?)\$\$|(?<!\\)\$((?:\\\$|[^$\n])+?)\$/g;

/** One prompt as HTML; throws a PromptError naming the exercise when its LaTeX does not render. */
export function promptHtml(prompt: string, id: string): string {
  const math: string[] = [];
  const text = prompt.replace(MATH, (_, display: string | undefined, inline: string | undefined) => {
    const tex = display ?? inline!;
    try {
      math.push(katex.renderToString(tex, { output: 'mathml', displayMode: display !== undefined, throwOnError: true, strict: 'error', trust: false }));
    } catch (e) {
      throw new PromptError(`${id}: the prompt's LaTeX ${JSON.stringify(tex.length > 60 ? tex.slice(0, 60) + '…' : tex)} does not render: ${(e as Error).message}`);
    }
    // A placeholder Markdown leaves alone (no punctuation it reads).
    return `MATHPLACEHOLDER${math.length - 1}X`;
  });
  const html = markdown.parse(text, { async: false });
  return html.replace(/MATHPLACEHOLDER(\d+)X/g, (_, i: string) => math[Number(i)]!);
}

function dims(shape: readonly Dim[] | undefined): string {
  return shape?.length ? shape.join(' × ') : '';
}

function resultText(r: ResultSpec): string {
  switch (r.kind) {
    case 'scalar':
      return 'a number';
    case 'vector':
      return `a vector [${dims(r.shape)}]`;
    case 'matrix':
      return `a matrix [${dims(r.shape)}] (array of rows)`;
    case 'record':
      return `a record { ${Object.entries(r.fields)
        .map(([k, f]) => `${k}: ${resultText(f)}`)
        .join(', ')} }`;
  }
}

function argRow(a: ArgSpec): string {
  return `<tr><td><code>${esc(a.name)}</code></td><td>${esc(a.kind)}</td><td>${esc(dims(a.shape))}</td><td>${esc(a.doc ?? '')}</td></tr>`;
}

function exerciseSection(s: ExerciseSpec, n: number): string {
  const forms = s.forms.map((f) => (f === 'expression' ? 'an expression in <code>answers.json</code>' : `code exporting <code>${esc(s.export)}</code>`)).join(' or ');
  const tests = s.tests.filter((t) => t.visibility !== 'hidden').map((t) => `${esc(t.name)} (${t.points})`).join(', ');
  return `<section class="exercise" id="${esc(s.id)}">
<h2>${n}. ${esc(s.title)} <span class="muted">— ${s.points} point${s.points === 1 ? '' : 's'}</span></h2>
<p class="meta">id <code>${esc(s.id)}</code> · answer with ${forms}${s.exprVars?.length ? ` · expression variables ${s.exprVars.map((v) => `<code>${esc(v)}</code>`).join(', ')}` : ''}</p>
<div class="prompt">${promptHtml(s.prompt, s.id)}</div>
<div class="table-wrap"><table><caption>Arguments, in order; the result is ${esc(resultText(s.result))}</caption>
<thead><tr><th>name</th><th>kind</th><th>shape</th><th>what it is</th></tr></thead>
<tbody>${s.args.map(argRow).join('')}</tbody></table></div>
${tests ? `<p class="muted">Graded on generated inputs: ${tests}.</p>` : ''}
</section>`;
}

/** Renders every prompt; throws a PromptError naming the first exercise whose LaTeX does not render. */
export function catalogSheetHtml(catalog: Catalog, title = 'Gradient exercises'): string {
  const specs = catalog.ids.map((id) => catalog.exercises.get(id)!.spec);
  const total = specs.reduce((a, s) => a + s.points, 0);
  const toc = `<nav aria-label="Exercises"><ol>${specs.map((s) => `<li><a href="#${esc(s.id)}">${esc(s.title)}</a> (${s.points})</li>`).join('')}</ol></nav>`;
  return page(
    {
      title,
      subtitle: `${specs.length} exercises, ${total} points`,
      scripts: false,
      footer: 'Written by <code>gradproof catalog sheet</code>. Self-contained: the formulas are MathML; nothing is loaded from the network.',
    },
    `${toc}\n${specs.map((s, i) => exerciseSection(s, i + 1)).join('\n')}`,
  );
}

/** Every prompt's problems (LaTeX that does not render), one message per exercise. */
export function promptProblems(specs: readonly ExerciseSpec[]): string[] {
  const out: string[] = [];
  for (const { id, prompt } of specs) {
    try {
      promptHtml(prompt, id);
    } catch (e) {
      if (!(e instanceof PromptError)) throw e;
      out.push(`${id}.json: ${e.message.replace(`${id}: `, '')}`);
    }
  }
  return out;
}
