import { esc, slug } from '../html/format.js';
import { cards, page, sortableTable } from '../html/page.js';
import type { ItemStatus } from './inventory.js';
import type { LineMeasure, UncoveredLine } from './code-coverage.js';

/**
 * The gradient-coverage page (reports/coverage-gradients.html): every item of
 * the inventory with the checks of `gradproof check` and the property suites
 * that exercise it; items that nothing exercises are listed first and marked.
 */

export interface CoveragePageOptions {
  indexHref?: string;
  gradientsHref?: string;
  /** When the gradcheck.json was written, for the subtitle. */
  generated?: string;
  /** Line coverage of src/core by the test suite (vitest, v8) and by the gate (`gradproof check` under c8), when measured. */
  code?: { suite?: LineMeasure; gate?: LineMeasure; uncovered?: readonly UncoveredLine[] };
}

const measure = (m: LineMeasure | undefined): string => (m ? `${m.pct.toFixed(1)}% <span class="desc">${m.covered} of ${m.total} lines</span>` : '<span class="warn">not measured</span>');

/** The two measures of src/core, and first the backward-pass lines that no gradient check executes. */
function codeSection(code: CoveragePageOptions['code']): string {
  if (!code || (!code.suite && !code.gate)) {
    return `<section id="code-coverage"><h2>Lines of the core</h2><p class="warn" role="status">Not measured: <code>npm run coverage</code> measures the test suite (vitest) and the gate (<code>gradproof check</code> under c8), then <code>npm run report</code> shows both here.</p></section>`;
  }
  const lines = code.uncovered;
  const list =
    lines === undefined
      ? '<p class="warn" role="status" id="uncovered-backward">The gate was not measured, so its unexecuted backward-pass lines are unknown.</p>'
      : lines.length === 0
        ? '<p class="banner ok" role="status" id="uncovered-backward"><span class="pass">✔ Every line</span> of the core\'s backward passes runs in some gradient check of <code>gradproof check</code>.</p>'
        : `<div class="banner bad" role="status" id="uncovered-backward"><span class="fail">⚠ ${lines.length} ${lines.length === 1 ? 'line' : 'lines'} of the core's backward passes ${lines.length === 1 ? 'runs' : 'run'} in no gradient check of <code>gradproof check</code>:</span><ul class="entries">${lines
            .map((l) => `<li><code>${esc(l.file)}:${l.line}</code> (${esc(l.fn)})${l.text ? ` <code>${esc(l.text.length > 110 ? l.text.slice(0, 107) + '…' : l.text)}</code>` : ''}</li>`)
            .join('')}</ul></div>`;
  return `<section id="code-coverage"><h2>Lines of the core</h2>${list}
${cards([
  { label: 'src/core lines run by the tests', value: measure(code.suite), id: 'suite-lines' },
  { label: 'src/core lines run by gradproof check', value: measure(code.gate), id: 'gate-lines' },
])}
<p class="muted">The first measure is the test suite's (<code>vitest run --coverage</code>, v8); the second is the gate's own: <code>gradproof check</code> run under c8, so a line counted there is executed by a gradient check. Backward-pass lines are those of every op's <code>backward</code> and of the core's functions named for gradients.</p></section>`;
}

const CHECK_TEXT: Record<ItemStatus['check'], string> = {
  passed: '<span class="pass">✔ PASS</span>',
  failed: '<span class="fail">✘ FAIL</span>',
  'not run': '<span class="warn">○ not run</span>',
  'no check': '<span class="fail">— no check</span>',
};

const PROPERTY_TEXT: Record<ItemStatus['property'], string> = {
  named: '<span class="pass">✔ yes</span>',
  used: '<span class="pass">◐ code only</span>',
  no: '<span class="fail">— no</span>',
};

const ORDER: Record<string, number> = { op: 0, loss: 1, penalty: 2, model: 3, 'derivation topic': 4, derivation: 5, 'symbolic form': 6 };

function propertyCell(s: ItemStatus): string {
  const parts: string[] = [PROPERTY_TEXT[s.property]];
  for (const e of s.item.named) {
    const shown = e.titles.slice(0, 2).map((t) => `<li>${esc(t.length > 140 ? t.slice(0, 137) + '…' : t)}</li>`).join('');
    const short = e.file.replace(/^.*\//, '').replace(/\.property\.test\.ts$/, '');
    parts.push(
      `<details><summary title="${esc(e.file)}"><code>${esc(short)}</code> (${e.titles.length} ${e.titles.length === 1 ? 'test' : 'tests'})</summary><ul class="titles">${shown}${e.titles.length > 2 ? `<li>… ${e.titles.length - 2} more</li>` : ''}</ul></details>`,
    );
  }
  if (!s.item.named.length && s.item.used.length) parts.push(`<span class="desc">used in ${s.item.used.map((f) => `<code>${esc(f)}</code>`).join(', ')}, no test title names it</span>`);
  return parts.join('');
}

function checksCell(s: ItemStatus, gradientsHref: string | undefined): string {
  const list = s.checks.map((c) => {
    const name = `<code>${esc(c.name)}</code>`;
    const linked = gradientsHref ? `<a href="${esc(gradientsHref)}#row-${slug(c.name)}">${name}</a>` : name;
    return `<li>${c.ok ? '✔' : '✘'} ${linked}</li>`;
  });
  const shown = list.slice(0, 4).join('') + (list.length > 4 ? `<li>… ${list.length - 4} more</li>` : '');
  const notRun = s.notRun.length ? `<span class="desc">${s.notRun.length} target(s) not in gradcheck.json: ${s.notRun.slice(0, 3).map(esc).join(', ')}${s.notRun.length > 3 ? ', …' : ''}</span>` : '';
  return `${CHECK_TEXT[s.check]}${list.length ? `<ul class="entries">${shown}</ul>` : ''}${notRun}`;
}

export function buildCoveragePage(statuses: readonly ItemStatus[], opts: CoveragePageOptions = {}): string {
  const sorted = [...statuses].sort((a, b) => Number(b.neither) - Number(a.neither) || ORDER[a.item.kind]! - ORDER[b.item.kind]!);
  const neither = statuses.filter((s) => s.neither);
  const count = (pred: (s: ItemStatus) => boolean): number => statuses.filter(pred).length;
  const plural: Record<string, string> = { op: 'ops', loss: 'losses (loss × reduction)', penalty: 'penalties', model: 'models', 'derivation topic': 'derivation topics', derivation: 'derivations (closed forms)', 'symbolic form': 'symbolic forms' };
  const kinds = Object.keys(ORDER).map((k) => `${count((s) => s.item.kind === k)} ${plural[k]}`);
  const banner = neither.length
    ? `<div class="banner bad" role="status" id="neither"><span class="fail">⚠ ${neither.length} ${neither.length === 1 ? 'item is' : 'items are'} exercised by neither a check nor a property:</span> <ul>${neither.map((s) => `<li><a href="#${slug('item-' + s.item.kind + '-' + s.item.name)}"><code>${esc(s.item.name)}</code></a> (${esc(s.item.kind)}, ${esc(s.item.definedIn)})</li>`).join('')}</ul></div>`
    : `<p class="banner ok" role="status" id="neither"><span class="pass">✔ Every item</span> is exercised by a check of <code>gradproof check</code> or a property suite.</p>`;
  const summary = `<section id="summary"><h2>Summary</h2>${banner}
${cards([
  { label: 'items', value: String(statuses.length), id: 'total-items' },
  { label: 'checked (gradcheck.json)', value: String(count((s) => s.checks.length > 0)) },
  { label: 'with a failing check', value: count((s) => s.check === 'failed') ? `<span class="fail">✘ ${count((s) => s.check === 'failed')}</span>` : '0' },
  { label: 'named by a property test', value: String(count((s) => s.property === 'named')) },
  { label: 'neither', value: neither.length ? `<span class="fail">⚠ ${neither.length}</span>` : '0', id: 'total-neither' },
])}
<p class="muted">The inventory: ${esc(kinds.join(', '))}. It is built from the project's own registries: the ops, losses and penalties of the core's registries (<code>OPS</code>, <code>LOSSES</code>, <code>PENALTIES</code> of <code>gradproof/core</code>), the check targets of <code>gradproof check</code>, the derivation topics of <code>gradproof/derivations</code>, and the file names and test titles of <code>properties/*.property.test.ts</code> (when the property suites are present).</p>
<p class="muted"><b>Checked</b>: a check of that name (or prefix: <code>op/dense</code>, <code>op/dense-no-bias</code>, … for the op <code>dense</code>) is in gradcheck.json, with its verdict. <b>Property</b>: ✔ yes when a property test's title names the item (a derivation topic by its file; closed forms by the topic's "every target" test; symbolic forms by the topic's tests parameterised over every form); ◐ when a property file uses it in code but no title names it. Property coverage of a loss is per loss, whatever the reduction.</p></section>`;

  const rows = sorted.map((s) => ({
    id: slug('item-' + s.item.kind + '-' + s.item.name),
    ...(s.neither ? { className: 'row-neither' } : s.check === 'failed' ? { className: 'row-fail' } : {}),
    cells: [
      { html: `<code>${esc(s.item.name)}</code><span class="desc">${esc(s.item.description)}</span>`, value: s.item.name },
      { html: esc(s.item.kind), value: `${ORDER[s.item.kind]} ${s.item.kind}` },
      { html: `<code>${esc(s.item.definedIn)}</code>` },
      { html: checksCell(s, opts.gradientsHref), value: s.check },
      { html: propertyCell(s), value: s.property },
      { html: s.neither ? '<span class="fail">⚠ NEITHER</span>' : '<span class="pass">✔ exercised</span>', value: s.neither ? '0 neither' : '1 exercised' },
    ],
  }));
  const table = sortableTable({
    id: 'coverage-table',
    caption: `${statuses.length} items (click a header to sort). Items exercised by neither are listed first and highlighted.`,
    columns: [{ label: 'item' }, { label: 'kind' }, { label: 'defined in' }, { label: 'checked by gradproof check' }, { label: 'property suite' }, { label: 'status' }],
    rows,
  });
  return page(
    {
      title: 'Gradient coverage',
      subtitle: `What exercises each differentiable op, loss, penalty, model and derivation${opts.generated ? ` (checks from the run of ${opts.generated})` : ''}`,
      crumbs: [{ href: opts.indexHref ?? 'index.html', label: '← all reports' }, ...(opts.gradientsHref ? [{ href: opts.gradientsHref, label: 'gradient report' }] : [])],
    },
    `${codeSection(opts.code)}\n${summary}\n<section id="items"><h2>Items</h2>${table}</section>`,
  );
}
