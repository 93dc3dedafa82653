import { esc } from './format.js';

/**
 * The shell of every report page: one self-contained HTML document with its
 * style and script inline. No network, no CDN, no library: the pages open from
 * the file system (file://) on a machine without internet access.
 */

export const STYLE = `
:root { --fg: #1b1f24; --muted: #59636e; --line: #d0d7de; --bg-alt: #f6f8fa; --pass: #1a7f37; --fail: #c62828; --warn: #9a6700; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; color: var(--fg); margin: 0; background: #fff; }
main { max-width: 1280px; margin: 0 auto; padding: 16px 24px 48px; }
header.top { border-bottom: 1px solid var(--line); margin-bottom: 12px; }
nav.crumbs { font-size: 13px; color: var(--muted); padding-top: 8px; }
nav.crumbs a { margin-right: 12px; }
h1 { font-size: 26px; margin: 8px 0 4px; }
h2 { font-size: 20px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
p.meta, .muted { color: var(--muted); }
a { color: var(--accent); }
code, .num { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 13px; }
.pass { color: var(--pass); font-weight: 600; white-space: nowrap; }
.fail { color: var(--fail); font-weight: 700; white-space: nowrap; }
.warn { color: var(--warn); font-weight: 600; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; padding: 0; list-style: none; }
.cards li { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 130px; background: var(--bg-alt); }
.cards .label { display: block; font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.cards .value { display: block; font-size: 22px; font-weight: 600; }
.banner { border-radius: 6px; padding: 8px 14px; margin: 8px 0; border: 1px solid; }
.banner.ok { border-color: var(--pass); background: #dafbe1; }
.banner.bad { border-color: var(--fail); background: #ffebe9; }
.table-wrap { overflow-x: auto; max-height: 80vh; overflow-y: auto; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
caption { text-align: left; padding: 6px 8px; color: var(--muted); caption-side: top; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; text-align: left; }
thead th { position: sticky; top: 0; background: #eaeef2; z-index: 1; }
tbody tr:nth-child(even) { background: var(--bg-alt); }
tbody tr.row-fail { background: #ffebe9; }
tbody tr.row-neither { background: #fff1c2; }
td.n, th.n { text-align: right; }
td.num, .entries li { white-space: nowrap; }
.cards .value .num { font-size: inherit; }
th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; text-align: inherit; }
th button::after { content: " ↕"; color: var(--muted); font-weight: 400; }
th[aria-sort="ascending"] button::after { content: " ▲"; color: var(--fg); }
th[aria-sort="descending"] button::after { content: " ▼"; color: var(--fg); }
td .desc { display: block; color: var(--muted); font-size: 12px; }
ul.entries { margin: 0; padding-left: 16px; }
ul.titles { margin: 2px 0 4px; padding-left: 16px; font-size: 12px; color: var(--muted); max-width: 420px; }
details summary { white-space: nowrap; }
#coverage-table { table-layout: fixed; min-width: 1100px; }
#coverage-table .entries li { white-space: normal; overflow-wrap: anywhere; }
#coverage-table td code { overflow-wrap: anywhere; }
#coverage-table th:nth-child(1) { width: 20%; } #coverage-table th:nth-child(2) { width: 8%; } #coverage-table th:nth-child(3) { width: 20%; }
#coverage-table th:nth-child(4) { width: 24%; } #coverage-table th:nth-child(5) { width: 18%; } #coverage-table th:nth-child(6) { width: 10%; }
.plots { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px; background: #fff; }
figcaption { font-size: 13px; color: var(--muted); max-width: 560px; }
svg.plot { display: block; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
svg.plot text { fill: #1b1f24; }
label.picker { font-weight: 600; }
select { font: inherit; padding: 2px 4px; max-width: 100%; }
details { margin: 8px 0; }
summary { cursor: pointer; }
.legend-note { font-size: 13px; color: var(--muted); }
pre { background: var(--bg-alt); border: 1px solid var(--line); padding: 6px 8px; overflow-x: auto; font-size: 12px; white-space: pre-wrap; margin: 0; }
footer { margin-top: 40px; font-size: 12px; color: var(--muted); border-top: 1px solid var(--line); padding-top: 8px; }
`;

/**
 * Sorting for every `table.sortable`: a click on a header button sorts the
 * body rows by that column (numbers by their `data-value`, text otherwise),
 * again to reverse. Plain DOM, no library.
 */
export const SORT_SCRIPT = `
(function () {
  function key(row, col, numeric) {
    var cell = row.cells[col];
    if (!cell) return numeric ? NaN : '';
    var v = cell.hasAttribute('data-value') ? cell.getAttribute('data-value') : cell.textContent.trim();
    if (!numeric) return v.toLowerCase();
    return v === '' ? NaN : Number(v);
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var head = table.tHead.rows[0];
    Array.prototype.forEach.call(head.cells, function (th, col) {
      var button = th.querySelector('button');
      if (!button) return;
      button.addEventListener('click', function () {
        var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
        Array.prototype.forEach.call(head.cells, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir);
        var numeric = th.getAttribute('data-type') === 'number';
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows).map(function (r, i) { return { r: r, i: i, k: key(r, col, numeric) }; });
        rows.sort(function (a, b) {
          var c;
          if (numeric) {
            var an = isNaN(a.k), bn = isNaN(b.k);
            if (an || bn) return an === bn ? a.i - b.i : an ? 1 : -1; /* missing values last either way */
            c = a.k - b.k;
          } else c = a.k < b.k ? -1 : a.k > b.k ? 1 : 0;
          if (dir === 'descending') c = -c;
          return c !== 0 ? c : a.i - b.i;
        });
        rows.forEach(function (x) { body.appendChild(x.r); });
      });
    });
  });
})();
`;

export interface PageOptions {
  title: string;
  /** Links shown above the title, e.g. back to the index. */
  crumbs?: { href: string; label: string }[];
  /** Extra inline script, after the sorting script. */
  script?: string;
  /** Include the sorting script (and `script`). Default true; grade reports are script-free. */
  scripts?: boolean;
  /** One line under the title. */
  subtitle?: string;
  footer?: string;
}

/** A complete HTML document. `body` is trusted HTML; everything else is escaped. */
export function page(opts: PageOptions, body: string): string {
  const crumbs = opts.crumbs?.length
    ? `<nav class="crumbs" aria-label="Reports">${opts.crumbs.map((c) => `<a href="${esc(c.href)}">${esc(c.label)}</a>`).join('')}</nav>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header class="top">${crumbs}<h1>${esc(opts.title)}</h1>${opts.subtitle ? `<p class="meta">${esc(opts.subtitle)}</p>` : ''}</header>
${body}
<footer>${opts.footer ?? 'Written by <code>gradproof report</code>. Self-contained: no scripts, fonts or styles are loaded from the network.'}</footer>
</main>
${opts.scripts === false ? '' : `<script>${SORT_SCRIPT}${opts.script ?? ''}</script>\n`}</body>
</html>
`;
}

/** One column of a sortable table. */
export interface Column {
  /** Header text (escaped). */
  label: string;
  /** 'number' sorts by each cell's data-value. Default 'text'. */
  type?: 'number' | 'text';
  /** Header tooltip (escaped). */
  title?: string;
  /** Right-align (numbers). Default: true for numbers. */
  numeric?: boolean;
}

/** One cell: trusted HTML, with an optional sort value. */
export interface Cell {
  html: string;
  value?: string;
}

/**
 * A table whose headers sort it (see SORT_SCRIPT): every header is a button,
 * numeric columns carry `data-type="number"` and their cells `data-value`.
 */
export function sortableTable(opts: { id: string; caption: string; columns: Column[]; rows: { cells: Cell[]; className?: string; id?: string }[] }): string {
  const head = opts.columns
    .map((c) => {
      const num = c.numeric ?? c.type === 'number';
      return `<th scope="col"${num ? ' class="n"' : ''} data-type="${c.type ?? 'text'}"${c.title ? ` title="${esc(c.title)}"` : ''}><button type="button">${esc(c.label)}</button></th>`;
    })
    .join('');
  const body = opts.rows
    .map((r) => {
      const cells = r.cells
        .map((cell, i) => {
          const col = opts.columns[i]!;
          const num = col.numeric ?? col.type === 'number';
          return `<td${num ? ' class="n num"' : ''}${cell.value !== undefined ? ` data-value="${esc(cell.value)}"` : ''}>${cell.html}</td>`;
        })
        .join('');
      return `<tr${r.className ? ` class="${esc(r.className)}"` : ''}${r.id ? ` id="${esc(r.id)}"` : ''}>${cells}</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table class="sortable" id="${esc(opts.id)}">
<caption>${esc(opts.caption)}</caption>
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table></div>`;
}

/** Summary figures as a row of cards. */
export function cards(items: { label: string; value: string; id?: string }[]): string {
  return `<ul class="cards">${items.map((c) => `<li${c.id ? ` id="${esc(c.id)}"` : ''}><span class="label">${esc(c.label)}</span><span class="value">${c.value}</span></li>`).join('')}</ul>`;
}
