import { describe, expect, it } from 'vitest';
import { page, sortableTable } from '../../src/html/page.js';
import { decadeRange, decadeTicks, histogram, logLogPlot } from '../../src/html/svg.js';
import { all } from '../report/helpers.js';

describe('sortable tables', () => {
  const html = sortableTable({
    id: 't<1>',
    caption: 'rows & <things>',
    columns: [{ label: 'name' }, { label: 'error <rel>', type: 'number', title: 'a "title"' }],
    rows: [
      { cells: [{ html: 'a' }, { html: '1e-3', value: '0.001' }] },
      { cells: [{ html: 'b' }, { html: '—', value: '' }], className: 'row-fail', id: 'row-b' },
    ],
  });

  it('makes every header a sort button, marks numeric columns and gives their cells sort values', () => {
    expect(html).toContain('<table class="sortable" id="t&lt;1&gt;">');
    expect(all(html, /<th [^>]*><button type="button">([^<]*)<\/button><\/th>/)).toEqual(['name', 'error &lt;rel&gt;']);
    expect(html).toContain('data-type="number" title="a &quot;title&quot;"');
    expect(html).toContain('data-type="text"');
    expect(all(html, /data-value="([^"]*)"/)).toEqual(['0.001', '']);
    expect(html).toContain('<caption>rows &amp; &lt;things&gt;</caption>');
    expect(html).toContain('<tr class="row-fail" id="row-b">');
    expect(all(html, /<tr[ >]/).length).toBe(3); // header + 2 rows
  });

  it('wraps content in a self-contained page with the sorting script and no external resources', () => {
    const doc = page({ title: 'T <x>', crumbs: [{ href: 'index.html', label: 'back' }], script: 'var extra = 1;' }, html);
    expect(doc.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(doc).toContain('<title>T &lt;x&gt;</title>');
    expect(doc).toContain("document.querySelectorAll('table.sortable')");
    expect(doc).toContain('var extra = 1;');
    expect(doc).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(doc).not.toMatch(/<link /);
  });
});

describe('SVG plots', () => {
  it('chooses decade ranges and ticks', () => {
    expect(decadeRange([3e-7, 2e-3])).toEqual([-7, -2]);
    expect(decadeRange([1e-3])).toEqual([-4, -2]);
    expect(decadeRange([0, -1, NaN])).toEqual([0, 1]);
    expect(decadeTicks(-16, 0)).toEqual([-16, -14, -12, -10, -8, -6, -4, -2, 0]);
    expect(decadeTicks(-3, 1)).toEqual([-3, -2, -1, 0, 1]);
  });

  it('draws a log-log plot with a title, labelled axes, one group per series and skips points ≤ 0', () => {
    const svg = logLogPlot({
      id: 'p1',
      kind: 'step',
      title: 'Error <vs> step',
      xLabel: 'step h (units)',
      yLabel: 'error (units)',
      series: [
        { label: 'a & b', points: [{ x: 1e-3, y: 1e-6 }, { x: 1e-2, y: 0 }, { x: 1e-1, y: 1e-4 }], color: '#000', marker: 'circle' },
        { label: 'model', points: [{ x: 1e-8, y: 1e-30 }, { x: 1, y: 1 }], color: '#111', line: 'dashed', reference: true },
      ],
      vlines: [{ x: 1e-2, label: 'chosen' }],
    });
    expect(svg).toMatch(/^<svg class="plot" data-plot="step" id="p1"/);
    expect(svg).toContain('role="img"');
    expect(svg).toContain('<title id="p1-title">Error &lt;vs&gt; step</title>');
    expect(all(svg, /<text class="axis-label [xy]"[^>]*>([^<]*)<\/text>/)).toEqual(['step h (units)', 'error (units)']);
    expect(all(svg, /<g class="series"/).length).toBe(2);
    const firstSeries = /<g class="series" data-label="a &amp; b"[^>]*>(.*?)<\/g>/.exec(svg)![1]!;
    expect(all(firstSeries, /<circle /).length).toBe(2); // the zero is not drawn
    expect(all(firstSeries, /<polyline /).length).toBe(1);
    expect(svg).toContain('(1 of 3 points are 0 and not drawn)');
    expect(svg).toContain('class="vline"');
    // reference lines do not stretch the axes: y from 10⁻⁶ to 10⁻⁴, x from 10⁻³ to 10⁻¹
    expect(all(svg, /<text class="tick y"[^>]*>([^<]*)<\/text>/)).toEqual(['10⁻⁶', '10⁻⁵', '10⁻⁴']);
    expect(all(svg, /<text class="tick x"[^>]*>([^<]*)<\/text>/)).toEqual(['10⁻³', '10⁻²', '10⁻¹']);
  });

  it('says so when there is nothing to plot, keeping its axes labelled', () => {
    const svg = logLogPlot({ id: 'e', kind: 'taylor', title: 't', xLabel: 'x', yLabel: 'y', series: [{ label: 's', points: [{ x: 1, y: 0 }], color: '#000' }], emptyText: 'all zero' });
    expect(svg).toContain('all zero');
    expect(all(svg, /class="axis-label/).length).toBe(2);
  });

  it('draws a histogram with one bar per bin, its count, and labelled axes', () => {
    const svg = histogram({
      id: 'h',
      kind: 'histogram',
      title: 'H',
      xLabel: 'relative error',
      yLabel: 'number of entries',
      bins: [
        { label: '0', count: 4, title: 'exactly 0', separate: true },
        { label: '10⁻¹²', count: 10, title: '[1e-12, 1e-11)' },
        { label: '10⁻¹¹', count: 0, title: '[1e-11, 1e-10)' },
      ],
      lastEdge: '10⁻¹⁰',
    });
    expect(all(svg, /<rect class="bar" data-count="(\d+)"/)).toEqual(['4', '10', '0']);
    expect(all(svg, /<text class="axis-label [xy]"[^>]*>([^<]*)<\/text>/)).toEqual(['relative error', 'number of entries']);
    expect(svg).toContain('>10⁻¹⁰<');
    expect(svg).toContain('<title>[1e-12, 1e-11): 10</title>');
  });
});
