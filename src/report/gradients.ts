import type { GradcheckEntry, GradcheckReport } from '../check/summary.js';
import { TensorLayout } from '../core/layout.js';
import { esc, fixed, powerOfTen, sci, shapeText, slug, sortValue, verdict } from '../html/format.js';
import { cards, page, sortableTable } from '../html/page.js';
import { COLORS, histogram, logLogPlot, type HistogramBin, type Series } from '../html/svg.js';

/**
 * The gradient report (reports/gradients.html) from a `gradproof check` run
 * (reports/gradcheck.json): a summary, sortable tables per check and per
 * parameter with the worst entries by multi-index, and plots (inline SVG, see
 * svg.ts): error against step size, the histogram of relative errors, and the
 * Taylor-test convergence of the check chosen in a select element.
 */

/** Plain central differences of one entry over a range of steps, measured again by the report command (sweep.ts). */
export interface StepSweep {
  /** The entry, as in stepTrail.entry. */
  entry: string;
  analytic: number;
  points: { step: number; error: number }[];
}

export interface GradientReportOptions {
  /** Sweeps by check name (optional: the plots fall back to the checker's own trail). */
  sweeps?: Map<string, StepSweep>;
  /** Relative link to the code coverage report, when it exists. */
  codeCoverageHref?: string;
  /** Relative link to the gradient coverage page. */
  gradientCoverageHref?: string;
  /** Relative link to the index. */
  indexHref?: string;
  /** Where the data came from, for the subtitle. */
  source?: string;
}

const num = (x: unknown): number => (typeof x === 'number' ? x : NaN);

const layoutOf = (params: readonly { name: string; shape: readonly number[] }[]): TensorLayout => new TensorLayout(params.map((p) => [p.name, p.shape] as const));

/** A flat index of a check's concatenated parameters as `W1[3,2]` (`[i]` when the layout does not cover it). */
export function entryName(flat: number, params: readonly { name: string; shape: readonly number[] }[]): string {
  return layoutOf(params).nameOf(flat);
}

/** The flat index an entry label denotes: `[i]` directly, `W1[3,2]` through the parameter layout; undefined otherwise. */
export function flatIndexOf(entry: string, params: readonly { name: string; shape: readonly number[] }[]): number | undefined {
  return layoutOf(params).indexOf(entry);
}

/** A trail or failure label made readable: `[14]` becomes `W1[3,2]`. */
export function readableEntry(entry: string, params: readonly { name: string; shape: readonly number[] }[]): string {
  const plain = /^\[(\d+)\]$/.exec(entry);
  return plain ? entryName(Number(plain[1]), params) : entry;
}

/**
 * The worst entries of a check by relative error, named by multi-index. In
 * full mode relErrors[i] belongs to flat entry i; otherwise only the failures
 * and the step trail's entry are known by name.
 */
export function worstEntries(c: GradcheckEntry, k = 3): { entry: string; relError: number }[] {
  const rel = c.relErrors ?? [];
  if (c.mode === 'full' && rel.length === c.size) {
    return rel
      .map((r, i) => ({ i, r: num(r) }))
      .filter((e) => !Number.isNaN(e.r))
      .sort((a, b) => b.r - a.r || a.i - b.i)
      .slice(0, k)
      .map((e) => ({ entry: entryName(e.i, c.params), relError: e.r }));
  }
  const named = c.failures.map((f) => ({ entry: readableEntry(f.entry, c.params), relError: num(f.relError) }));
  if (c.stepTrail && !named.some((n) => n.entry === readableEntry(c.stepTrail!.entry, c.params))) {
    named.push({ entry: readableEntry(c.stepTrail.entry, c.params), relError: NaN });
  }
  return named.sort((a, b) => (Number.isNaN(a.relError) ? 1 : Number.isNaN(b.relError) ? -1 : b.relError - a.relError)).slice(0, k);
}

/** Decade bins of relative errors: exact zeros apart, then [10^k, 10^(k+1)) for every decade from the smallest to the largest. */
export function relErrorBins(values: readonly number[]): { zeros: number; bins: { lo: number; count: number }[]; nonFinite: number } {
  let zeros = 0;
  let nonFinite = 0;
  const counts = new Map<number, number>();
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) nonFinite++;
    else if (v === 0) zeros++;
    else {
      const k = Math.floor(Math.log10(v));
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  const ks = [...counts.keys()];
  const bins: { lo: number; count: number }[] = [];
  if (ks.length) for (let k = Math.min(...ks); k <= Math.max(...ks); k++) bins.push({ lo: k, count: counts.get(k) ?? 0 });
  return { zeros, bins, nonFinite };
}

/** The trail estimate the checker relied on: the smallest estimated error bound (truncation + rounding). */
export function chosenStep(c: GradcheckEntry): number | undefined {
  const steps = c.stepTrail?.steps ?? [];
  let best: (typeof steps)[number] | undefined;
  for (const s of steps) if (!best || num(s.truncation) + num(s.rounding) <= num(best.truncation) + num(best.rounding)) best = s;
  return best?.step;
}

/** Whether the sweep shows truncation: its largest step's error stands clear (10×) of the rounding model σ/h. */
function truncationVisible(c: GradcheckEntry, sweep: StepSweep | undefined): { step: number; error: number } | undefined {
  if (!sweep || sweep.points.length < 2) return undefined;
  const sigma = num(c.noise);
  const big = [...sweep.points].sort((a, b) => b.step - a.step)[0]!;
  return big.error > 0 && (!(sigma > 0) || big.error > 10 * (sigma / big.step)) ? big : undefined;
}

function stepPlot(c: GradcheckEntry, sweep: StepSweep | undefined, id: string): string {
  const trail = c.stepTrail;
  const series: Series[] = [];
  const stepsShown: number[] = [];
  if (sweep) {
    series.push({ label: 'plain central difference, |numeric − analytic| (measured for this page)', points: sweep.points.map((p) => ({ x: p.step, y: p.error })), color: COLORS.blue, line: 'solid', marker: 'circle' });
    stepsShown.push(...sweep.points.map((p) => p.step));
  }
  if (trail?.steps.length) stepsShown.push(...trail.steps.map((s) => s.step));
  const lo = stepsShown.length ? Math.min(...stepsShown) : 1e-8;
  const hi = stepsShown.length ? Math.max(...stepsShown) : 1e-2;
  const [x0, x1] = sweep ? [lo, hi] : [lo / 1e3, hi * 1e3];
  const sigma = num(c.noise);
  if (sigma > 0) {
    const xs = [x0, x1];
    series.push({ label: `rounding model σ/h (σ = ${sci(sigma)}, the measured noise of one call of f)`, points: xs.map((x) => ({ x, y: sigma / x })), color: COLORS.orange, line: 'dotted', reference: true });
  }
  // Truncation of a central difference falls as h²: c·h² through the largest step, where truncation dominates.
  const big = truncationVisible(c, sweep);
  if (big) {
    const k = big.error / (big.step * big.step);
    series.push({ label: 'truncation model ∝ h² (through the largest step)', points: [x0, x1].map((x) => ({ x, y: k * x * x })), color: COLORS.green, line: 'dashed', reference: true });
  }
  if (trail?.steps.length) {
    series.push({ label: "checker's Richardson estimate, |numeric − analytic|", points: trail.steps.map((s) => ({ x: s.step, y: num(s.error) })), color: COLORS.red, line: 'none', marker: 'square' });
    series.push({ label: "checker's truncation estimate", points: trail.steps.map((s) => ({ x: s.step, y: num(s.truncation) })), color: COLORS.green, line: 'none', marker: 'triangle-up' });
    series.push({ label: "checker's rounding estimate", points: trail.steps.map((s) => ({ x: s.step, y: num(s.rounding) })), color: COLORS.orange, line: 'none', marker: 'triangle-down' });
  }
  const chosen = chosenStep(c);
  const entry = trail ? readableEntry(trail.entry, c.params) : '—';
  return logLogPlot({
    id,
    kind: 'step',
    title: `Error against step size, entry ${entry}`,
    xLabel: 'step size h (units of the entry, log scale)',
    yLabel: 'error (units of ∂J/∂entry, log scale)',
    series,
    ...(chosen !== undefined ? { vlines: [{ x: chosen, label: 'step chosen by the checker', color: COLORS.red }] } : {}),
    emptyText: 'no step trail recorded for this check',
  });
}

function taylorPlot(c: GradcheckEntry, id: string): string {
  const res = (c.taylor?.residuals ?? []).filter((r) => r.h > 0);
  const pos = res.filter((r) => r.residual > 0);
  const rate0 = c.taylor?.rate;
  const series: Series[] = [{ label: 'residual |f(x + hd) − f(x) − h·∇f·d|', points: res.map((r) => ({ x: r.h, y: r.residual })), color: COLORS.blue, line: 'solid', marker: 'circle' }];
  if (pos.length && typeof rate0 === 'number') {
    const a = pos[0]!;
    const hs = [Math.min(...res.map((r) => r.h)), Math.max(...res.map((r) => r.h))];
    series.push({ label: 'reference slope 2 (a correct gradient)', points: hs.map((h) => ({ x: h, y: a.residual * (h / a.h) ** 2 })), color: COLORS.green, line: 'dashed', reference: true });
    series.push({ label: 'reference slope 1 (a wrong gradient)', points: hs.map((h) => ({ x: h, y: a.residual * (h / a.h) })), color: COLORS.grey, line: 'dotted', reference: true });
  }
  const rate = c.taylor?.rate;
  const rateText = typeof rate === 'number' ? `observed rate ${fixed(rate)}` : 'exact (residuals at rounding level)';
  return logLogPlot({
    id,
    kind: 'taylor',
    // the Taylor test's own verdict, never read as the check's: one random direction cannot clear failing entries
    title: `Taylor test along one random direction: ${rateText}, ${c.taylor?.ok ? 'rate ✔' : 'rate ✘'}${!c.ok && c.taylor?.ok ? ` (the check itself ${c.verdict === 'inconclusive' ? 'is INCONCLUSIVE' : 'FAILED'}: a second-order rate along one direction does not clear its entries)` : ''}`,
    xLabel: 'step h along a random direction d (log scale)',
    yLabel: 'Taylor residual (units of J, log scale)',
    series,
    emptyText: 'every residual is 0: f is exactly linear along d at this scale',
  });
}

function histogramPlot(checks: GradcheckEntry[]): string {
  const all = checks.flatMap((c) => c.relErrors ?? []);
  const { zeros, bins, nonFinite } = relErrorBins(all);
  const hb: HistogramBin[] = [];
  if (zeros) hb.push({ label: '0', count: zeros, title: 'exactly 0', separate: true });
  for (const b of bins) hb.push({ label: powerOfTen(b.lo), count: b.count, title: `[1e${b.lo}, 1e${b.lo + 1})` });
  const last = bins.length ? powerOfTen(bins[bins.length - 1]!.lo + 1) : undefined;
  return (
    histogram({
      id: 'plot-histogram',
      kind: 'histogram',
      title: `Relative errors of all ${all.length} checked entries`,
      xLabel: 'relative error |numeric − analytic| / scale (decade bins, log scale)',
      yLabel: 'number of entries',
      bins: hb,
      ...(last ? { lastEdge: last } : {}),
    }) + (nonFinite ? `<p class="warn">${nonFinite} entries with a missing or non-finite relative error are not counted.</p>` : '')
  );
}

function trailTable(c: GradcheckEntry): string {
  const t = c.stepTrail;
  if (!t || !t.steps.length) return '<p class="muted">No step trail recorded.</p>';
  const chosen = chosenStep(c);
  const rows = t.steps
    .map(
      (s) =>
        `<tr${s.step === chosen ? ' class="chosen"' : ''}><td class="n num">${sci(s.step)}</td><td class="n num">${sci(s.value, 6)}</td><td class="n num">${sci(s.error)}</td><td class="n num">${sci(s.truncation)}</td><td class="n num">${sci(s.rounding)}</td></tr>`,
    )
    .join('');
  return `<table class="trail"><caption>The checker's estimates for ${esc(readableEntry(t.entry, c.params))} (analytic ${esc(sci(t.analytic, 6))}); the chosen step has the smallest truncation + rounding.</caption>
<thead><tr><th scope="col" class="n">step h</th><th scope="col" class="n">numeric</th><th scope="col" class="n">|numeric − analytic|</th><th scope="col" class="n">truncation estimate</th><th scope="col" class="n">rounding estimate</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function checkPlots(c: GradcheckEntry, i: number, sweep: StepSweep | undefined, selected: boolean): string {
  const id = slug(c.name);
  const reasons = c.reasons.length ? `<ul>${c.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : '';
  const measured = sweep
    ? `The blue curve is measured for this page: plain central differences (f(x + h) − f(x − h))/2h of entry ${esc(readableEntry(sweep.entry, c.params))} at steps over many decades. `
    : '';
  const sweepNote = !sweep
    ? `<p class="legend-note">No sweep for this check (its values could not be rebuilt): the plot shows the checker's own estimates, with the rounding model σ/h for scale.</p>`
    : truncationVisible(c, sweep)
      ? `<p class="legend-note">${measured}Truncation (∝ h²) dominates at large steps and rounding (∝ σ/h) at small ones: the V. The checker does not use plain differences: it extrapolates (Richardson) at its chosen step, so its estimate (red square) can lie below the V.</p>`
      : `<p class="legend-note">${measured}No truncation error shows: f is linear in this entry at these steps (or nearly so), so the error is rounding alone and falls as 1/h up to the largest step.</p>`;
  const taylorNote =
    typeof c.taylor?.rate === 'number'
      ? 'For a correct gradient the residual falls as h² (parallel to the slope-2 line); a wrong one leaves an O(h) term. Points where the residual is 0 cannot be drawn on a log scale.'
      : 'Every residual is at the level of rounding: f is linear along d, so the first-order Taylor expansion is exact and no rate can be measured (reported as exact).';
  return `<section class="check-plots" data-check="${esc(c.name)}" id="plots-${id}"${selected ? '' : ' hidden'}>
<h3>${esc(c.name)} ${verdict(c.ok, c.verdict)}</h3>
<p class="muted">${esc(c.description)}: ${c.size} entries, mode ${esc(c.mode)}, worst relative error ${esc(sci(c.maxRelError))}.</p>${reasons}
<div class="plots">
<figure>${stepPlot(c, sweep, `plot-step-${i}`)}<figcaption>${sweepNote}</figcaption></figure>
<figure>${taylorPlot(c, `plot-taylor-${i}`)}<figcaption>${taylorNote}</figcaption></figure>
</div>
<details><summary>The checker's step trail for this entry</summary>${trailTable(c)}</details>
</section>`;
}

/** The index of the check shown first: the first failure, else the largest relative error. */
export function defaultCheck(checks: GradcheckEntry[]): number {
  const fail = checks.findIndex((c) => !c.ok);
  if (fail >= 0) return fail;
  let best = 0;
  checks.forEach((c, i) => {
    if (num(c.maxRelError) > num(checks[best]!.maxRelError)) best = i;
  });
  return best;
}

const PICK_SCRIPT = `
(function () {
  var select = document.getElementById('check-select');
  if (!select) return;
  function show(name) {
    document.querySelectorAll('.check-plots').forEach(function (s) { s.hidden = s.getAttribute('data-check') !== name; });
  }
  select.addEventListener('change', function () { show(select.value); });
  document.querySelectorAll('a[data-plot-check]').forEach(function (a) {
    a.addEventListener('click', function () { select.value = a.getAttribute('data-plot-check'); show(select.value); });
  });
  show(select.value);
})();
`;

/** The whole gradient report page. */
export function buildGradientReport(report: GradcheckReport, opts: GradientReportOptions = {}): string {
  const t = report.totals;
  const checks = report.checks;
  const failed = checks.filter((c) => !c.ok && c.verdict !== 'inconclusive');
  const open = checks.filter((c) => c.verdict === 'inconclusive');
  const list = (cs: typeof checks): string => cs.map((c) => `<a href="#row-${slug(c.name)}">${esc(c.name)}</a>`).join(', ');
  const banner = failed.length
    ? `<p class="banner bad" role="status"><span class="fail">✘ FAIL</span>: ${failed.length} of ${t.checks} checks failed: ${list(failed)}.${open.length ? ` ${open.length} inconclusive: ${list(open)}.` : ''}</p>`
    : open.length
      ? `<p class="banner bad" role="status"><span class="fail">? INCONCLUSIVE</span>: no check failed, but ${open.length} of ${t.checks} could not resolve every entry: ${list(open)}.</p>`
      : `<p class="banner ok" role="status"><span class="pass">✔ PASS</span>: all ${t.checks} checks passed.</p>`;
  const links: string[] = [];
  if (opts.gradientCoverageHref) links.push(`<a href="${esc(opts.gradientCoverageHref)}">Gradient coverage</a>: which ops, losses, penalties and derivations are checked.`);
  links.push(
    opts.codeCoverageHref
      ? `<a href="${esc(opts.codeCoverageHref)}" id="code-coverage-link">Code coverage</a> of <code>src/</code> by the test suite.`
      : '<span id="code-coverage-link">Code coverage: not generated yet (run <code>npm run coverage</code>, then <code>npm run report</code> again to link it).</span>',
  );
  const summary = `<section id="summary"><h2>Summary</h2>${banner}
${cards([
  { label: 'checks', value: String(t.checks), id: 'total-checks' },
  { label: 'passed', value: `<span class="pass">✔ ${t.passed}</span>`, id: 'total-passed' },
  { label: 'failed', value: t.failed ? `<span class="fail">✘ ${t.failed}</span>` : '0', id: 'total-failed' },
  { label: 'inconclusive', value: t.inconclusive ? `<span class="fail">? ${t.inconclusive}</span>` : '0', id: 'total-inconclusive' },
  { label: 'kinks found', value: String(t.kinks), id: 'total-kinks' },
  { label: 'worst relative error', value: `<span class="num">${esc(sci(t.worstRelError))}</span>`, id: 'total-worst' },
  { label: 'calls of f', value: String(t.evaluations) },
])}
<ul>${links.map((l) => `<li>${l}</li>`).join('')}</ul>
<p class="muted">An entry passes when |numeric − analytic| stays within its error bound, made of the tolerance and the finite difference's own truncation and rounding estimates. Relative error = |numeric − analytic| / max(|numeric|, |analytic|, floor).</p></section>`;

  const checkRows = checks.map((c) => {
    const worst = worstEntries(c);
    const rate = c.taylor?.rate;
    const kinds = c.kinks.length ? `${c.kinks.length}${c.kinks.some((k) => !k.ok) ? ' ✘' : ''}` : '0';
    return {
      id: `row-${slug(c.name)}`,
      ...(c.ok ? {} : { className: 'row-fail' }),
      cells: [
        { html: `<a href="#plots" data-plot-check="${esc(c.name)}"><code>${esc(c.name)}</code></a><span class="desc">${esc(c.description)}</span>`, value: c.name },
        { html: esc(c.kind) },
        { html: verdict(c.ok, c.verdict), value: c.ok ? 'PASS' : c.verdict === 'inconclusive' ? 'INCONCLUSIVE' : 'FAIL' },
        { html: String(c.size), value: sortValue(c.size) },
        { html: String(c.checked), value: sortValue(c.checked) },
        { html: String(c.evaluations), value: sortValue(c.evaluations) },
        { html: esc(sci(c.maxRelError)), value: sortValue(num(c.maxRelError)) },
        { html: esc(sci(c.maxAbsError)), value: sortValue(num(c.maxAbsError)) },
        { html: esc(sci(c.noise)), value: sortValue(num(c.noise)) },
        { html: kinds, value: sortValue(c.kinks.length) },
        { html: typeof rate === 'number' ? fixed(rate) : 'exact', value: sortValue(typeof rate === 'number' ? rate : NaN) },
        {
          html: worst.length ? `<ul class="entries">${worst.map((w) => `<li><code>${esc(w.entry)}</code> ${Number.isNaN(w.relError) ? '' : esc(sci(w.relError))}</li>`).join('')}</ul>` : '—',
          value: worst[0]?.entry ?? '',
        },
      ],
    };
  });
  const checksTable = sortableTable({
    id: 'checks-table',
    caption: `${checks.length} checks (click a header to sort; click a name to plot it). Kinds: op, loss, penalty, model, derivation, symbolic.`,
    columns: [
      { label: 'check' },
      { label: 'kind' },
      { label: 'verdict' },
      { label: 'entries', type: 'number', title: 'size of the checked parameters and inputs' },
      { label: 'checked', type: 'number', title: 'entries checked one by one (or directions)' },
      { label: 'calls of f', type: 'number' },
      { label: 'worst rel. error', type: 'number' },
      { label: 'worst abs. error', type: 'number' },
      { label: 'noise σ of f', type: 'number' },
      { label: 'kinks', type: 'number', title: '✘ marks an analytic value outside the one-sided derivatives' },
      { label: 'Taylor rate', type: 'number', title: '≈ 2 for a correct gradient' },
      { label: 'worst entries (rel. error)', title: 'by multi-index into each parameter' },
    ],
    rows: checkRows,
  });

  const paramRows = checks.flatMap((c) =>
    c.params.map((p) => ({
      ...(p.failures ? { className: 'row-fail' } : {}),
      cells: [
        { html: `<code>${esc(c.name)}</code>`, value: c.name },
        { html: `<code>${esc(p.name)}</code>`, value: p.name },
        { html: esc(shapeText(p.shape)), value: shapeText(p.shape) },
        { html: String(p.checked), value: sortValue(p.checked) },
        { html: p.failures ? `<span class="fail">✘ ${p.failures}</span>` : '0', value: sortValue(p.failures) },
        { html: esc(sci(p.maxRelError)), value: sortValue(num(p.maxRelError)) },
      ],
    })),
  );
  const paramsTable = sortableTable({
    id: 'params-table',
    caption: `${paramRows.length} parameters and inputs over all checks (X, Yhat and H are inputs treated as parameters).`,
    columns: [{ label: 'check' }, { label: 'parameter' }, { label: 'shape' }, { label: 'checked', type: 'number' }, { label: 'failures', type: 'number' }, { label: 'worst rel. error', type: 'number' }],
    rows: paramRows,
  });

  const failureSection = failed.length
    ? `<section id="failures"><h2>Failures</h2>${failed
        .map(
          (c) => `<h3><code>${esc(c.name)}</code> ${verdict(false)}</h3>${c.reasons.length ? `<ul>${c.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : ''}${
            c.failures.length
              ? `<table><thead><tr><th scope="col">entry</th><th scope="col" class="n">analytic</th><th scope="col" class="n">numeric</th><th scope="col" class="n">abs. error</th><th scope="col" class="n">rel. error</th><th scope="col" class="n">bound</th></tr></thead><tbody>${c.failures
                  .slice(0, 20)
                  .map(
                    (f) =>
                      `<tr><td><code>${esc(readableEntry(f.entry, c.params))}</code></td><td class="n num">${esc(sci(f.analytic, 6))}</td><td class="n num">${esc(sci(f.numeric, 6))}</td><td class="n num">${esc(sci(f.absError))}</td><td class="n num">${esc(sci(f.relError))}</td><td class="n num">${esc(sci(f.bound))}</td></tr>`,
                  )
                  .join('')}</tbody></table>${c.failures.length > 20 ? `<p class="muted">… and ${c.failures.length - 20} more.</p>` : ''}`
              : ''
          }`,
        )
        .join('')}</section>`
    : '';

  const warnings = checks.filter((c) => c.warnings.length);
  const warningSection = warnings.length
    ? `<details id="warnings"><summary>${warnings.length} checks passed with warnings</summary><ul>${warnings.map((c) => `<li><code>${esc(c.name)}</code>: ${c.warnings.map(esc).join('; ')}</li>`).join('')}</ul></details>`
    : '';

  const sel = checks.length ? defaultCheck(checks) : -1;
  const options = checks.map((c, i) => `<option value="${esc(c.name)}"${i === sel ? ' selected' : ''}>${c.ok ? '✔' : '✘'} ${esc(c.name)} (worst rel. error ${esc(sci(c.maxRelError))})</option>`).join('');
  const plots = `<section id="plots"><h2>Plots</h2>
<h3>Relative errors, all checks</h3>
<figure>${histogramPlot(checks)}<figcaption>Every entry of every check, binned by decade of its relative error; exact agreement (0) is counted apart.</figcaption></figure>
<h3>One check in detail</h3>
<p><label class="picker" for="check-select">Check to plot:</label> <select id="check-select">${options}</select></p>
${checks.map((c, i) => checkPlots(c, i, opts.sweeps?.get(c.name), i === sel)).join('\n')}
</section>`;

  const body = `${summary}
${failureSection}
<section id="checks"><h2>Checks</h2>${checksTable}${warningSection}</section>
<section id="parameters"><h2>Parameters</h2>${paramsTable}</section>
${plots}`;
  return page(
    {
      title: 'Gradient report',
      subtitle: `gradproof check, mode ${report.mode}, seed ${report.seed}, run ${report.generated}${opts.source ? `, from ${opts.source}` : ''}`,
      crumbs: [{ href: opts.indexHref ?? 'index.html', label: '← all reports' }],
      script: PICK_SCRIPT,
    },
    body,
  );
}
