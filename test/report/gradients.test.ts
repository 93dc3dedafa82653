import { describe, expect, it } from 'vitest';
import {
  buildGradientReport,
  chosenStep,
  defaultCheck,
  entryName,
  flatIndexOf,
  readableEntry,
  relErrorBins,
  worstEntries,
} from '../../src/report/gradients.js';
import { all, entry, report } from './helpers.js';

const params = [
  { name: 'W1', shape: [5, 4] },
  { name: 'b1', shape: [4] },
  { name: 's', shape: [] as number[] },
];

describe('entries by multi-index', () => {
  it('names a flat index of the concatenated parameters, and back', () => {
    expect(entryName(14, params)).toBe('W1[3,2]');
    expect(entryName(0, params)).toBe('W1[0,0]');
    expect(entryName(21, params)).toBe('b1[1]');
    expect(entryName(24, params)).toBe('s');
    expect(entryName(25, params)).toBe('[25]');
    for (let i = 0; i < 25; i++) expect(flatIndexOf(entryName(i, params), params)).toBe(i);
    expect(flatIndexOf('[7]', params)).toBe(7);
    expect(flatIndexOf('W1[5,0]', params)).toBeUndefined();
    expect(flatIndexOf('W1[1]', params)).toBeUndefined();
    expect(flatIndexOf('direction', params)).toBeUndefined();
    expect(readableEntry('[14]', params)).toBe('W1[3,2]');
    expect(readableEntry('direction', params)).toBe('direction');
  });

  it('lists the worst entries of a full check by relative error, named by multi-index', () => {
    const c = entry({ name: 'op/x' });
    expect(worstEntries(c)).toEqual([
      { entry: 'W[0,1]', relError: 3e-11 },
      { entry: 'W[1,0]', relError: 2e-12 },
      { entry: 'W[0,0]', relError: 1e-12 },
    ]);
  });

  it('falls back to the failures and the trail entry when relErrors are not one per entry', () => {
    const c = entry({
      name: 'op/x',
      mode: 'sampled',
      relErrors: [1e-3],
      failures: [{ entry: 'b[1]', analytic: 1, numeric: 2, absError: 1, relError: 0.5, bound: 1e-6 }],
    });
    expect(worstEntries(c)).toEqual([
      { entry: 'b[1]', relError: 0.5 },
      { entry: 'W[0,1]', relError: NaN },
    ]);
  });
});

describe('histogram bins and the chosen step', () => {
  it('bins relative errors by decade, zeros and non-finite values apart', () => {
    const r = relErrorBins([0, 0, 1e-12, 5e-12, 3e-10, NaN, -1]);
    expect(r.zeros).toBe(2);
    expect(r.nonFinite).toBe(2);
    expect(r.bins).toEqual([
      { lo: -12, count: 2 },
      { lo: -11, count: 0 },
      { lo: -10, count: 1 },
    ]);
    expect(relErrorBins([]).bins).toEqual([]);
  });

  it('marks the step with the smallest truncation + rounding', () => {
    const c = entry({
      name: 'a',
      stepTrail: {
        entry: '[0]',
        analytic: 1,
        steps: [
          { step: 1e-2, value: 1, truncation: 1e-6, rounding: 1e-14, error: 1e-6 },
          { step: 1e-4, value: 1, truncation: 1e-12, rounding: 1e-12, error: 1e-12 },
          { step: 1e-6, value: 1, truncation: 1e-14, rounding: 1e-10, error: 1e-10 },
        ],
      },
    });
    expect(chosenStep(c)).toBe(1e-4);
    const { stepTrail: _t, ...rest } = c;
    expect(chosenStep(rest as typeof c)).toBeUndefined();
  });

  it('plots the first failure by default, else the largest relative error', () => {
    expect(defaultCheck([entry({ name: 'a', maxRelError: 1e-9 }), entry({ name: 'b', maxRelError: 1e-7 }), entry({ name: 'c' })])).toBe(1);
    expect(defaultCheck([entry({ name: 'a', maxRelError: 1e-9 }), entry({ name: 'b', maxRelError: 1e-7 }), entry({ name: 'c', ok: false })])).toBe(2);
  });
});

describe('the gradient report page', () => {
  const bad = entry({
    name: 'op/<evil & "name">',
    ok: false,
    description: '<b>not bold</b>',
    maxRelError: 0.25,
    reasons: ['1 of 6 checked entries disagree'],
    failures: [{ entry: 'W[1,1]', analytic: 2, numeric: 1.5, absError: 0.5, relError: 0.25, bound: 1e-7 }],
    kinks: [{ entry: '[0]', left: 0, right: 1, analytic: 1, ok: true }],
    params: [
      { name: 'W', shape: [2, 2], checked: 4, failures: 1, maxRelError: 0.25 },
      { name: 'b', shape: [2], checked: 2, failures: 0, maxRelError: 1e-13 },
    ],
    taylor: { ok: false, rate: 1.01, residuals: [{ h: 0.1, residual: 1e-1 }, { h: 0.05, residual: 5e-2 }] },
  });
  const checks = [entry({ name: 'op/good' }), bad, entry({ name: 'loss/exact', relErrors: [0, 0, 0, 0, 0, 0], maxRelError: 0, taylor: { ok: true, rate: null as unknown as number, residuals: [{ h: 0.1, residual: 0 }] } })];
  const html = buildGradientReport(report(checks), {
    sweeps: new Map([['op/good', { entry: '[1]', analytic: 1.5, points: [1e-1, 1e-3, 1e-5, 1e-7, 1e-9].map((h) => ({ step: h, error: h * h + 1e-16 / h })) }]]),
    codeCoverageHref: 'coverage/index.html',
    gradientCoverageHref: 'coverage-gradients.html',
  });

  it('escapes names, descriptions and reasons', () => {
    expect(html).not.toContain('<evil');
    expect(html).not.toContain('<b>not bold</b>');
    expect(html).toContain('op/&lt;evil &amp; &quot;name&quot;&gt;');
    expect(html).toContain('&lt;b&gt;not bold&lt;/b&gt;');
  });

  it('summarises the totals and names the failure with a symbol and a word', () => {
    expect(html).toMatch(/id="total-checks"><span class="label">checks<\/span><span class="value">3</);
    expect(html).toMatch(/id="total-failed">.*✘ 1/);
    expect(html).toMatch(/id="total-worst">.*2\.50e-1/);
    expect(html).toContain('<span class="fail">✘ FAIL</span>: 1 of 3 checks failed');
    expect(html).toContain('<section id="failures">');
    expect(html).toContain('1 of 6 checked entries disagree');
  });

  it('has one sortable row per check and one per parameter, with numeric sort values', () => {
    const table = /<table class="sortable" id="checks-table">([\s\S]*?)<\/table>/.exec(html)![1]!;
    expect(all(table, /<tbody>[\s\S]*?<\/tbody>/)[0]!.match(/<tr[ >]/g)!.length).toBe(3);
    expect(all(table, /<th [^>]*data-type="number"/).length).toBe(8);
    expect(table).toContain('data-value="0.25"');
    expect(table).toContain('class="row-fail"');
    const ptable = /<table class="sortable" id="params-table">([\s\S]*?)<\/table>/.exec(html)![1]!;
    expect(ptable.match(/<tbody>[\s\S]*?<\/tbody>/)![0].match(/<tr[ >]/g)!.length).toBe(6);
    expect(ptable).toContain('2×2');
  });

  it('shows the worst entries by multi-index and Taylor rates, "exact" when there is none', () => {
    expect(html).toContain('<code>W[0,1]</code> 3.00e-11');
    expect(html).toContain('<code>W[1,1]</code>');
    expect(html).toMatch(/>exact</);
    expect(html).toMatch(/>1\.01</);
  });

  it('has a histogram and, per check, a step plot and a Taylor plot, behind a select', () => {
    expect(all(html, /<svg class="plot" data-plot="histogram"/).length).toBe(1);
    expect(all(html, /<svg class="plot" data-plot="step"/).length).toBe(3);
    expect(all(html, /<svg class="plot" data-plot="taylor"/).length).toBe(3);
    expect(all(html, /<option value="/).length).toBe(3);
    expect(html).toMatch(/<option value="op\/&lt;evil[^"]*" selected>/);
    expect(all(html, /<section class="check-plots"[^>]*hidden>/).length).toBe(2);
    expect(html).toContain('plain central difference');
    expect(html).toContain('truncation model ∝ h²');
    expect(html).toContain('reference slope 2');
    expect(html).toContain('step chosen by the checker');
  });

  it('links the code coverage when it exists and says how to make it when not', () => {
    expect(html).toContain('<a href="coverage/index.html" id="code-coverage-link">');
    const without = buildGradientReport(report(checks));
    expect(without).toContain('npm run coverage');
    expect(without).not.toContain('href="coverage/index.html"');
    expect(buildGradientReport(report([entry({ name: 'x' })]))).toContain('✔ PASS</span>: all 1 checks passed');
  });
});
