/** The two line measures of src/core and the backward-pass lines the gate never runs, from Istanbul's JSON. */
import { describe, expect, it } from 'vitest';
import { coreLines, corePath, uncoveredBackwardLines, type CoverageFinal } from '../../src/report/code-coverage.js';
import { buildCoveragePage } from '../../src/report/coverage-page.js';

const final: CoverageFinal = {
  '/x/src/core/ops/op.ts': {
    path: '/x/src/core/ops/op.ts',
    statementMap: { 0: { start: { line: 3 }, end: { line: 3 } }, 1: { start: { line: 5 }, end: { line: 5 } }, 2: { start: { line: 6 }, end: { line: 6 } }, 3: { start: { line: 9 }, end: { line: 9 } } },
    s: { 0: 4, 1: 4, 2: 0, 3: 1 },
    fnMap: { 0: { name: 'forward', loc: { start: { line: 2 }, end: { line: 10 } } }, 1: { name: 'backward', loc: { start: { line: 4 }, end: { line: 7 } } }, 2: { name: 'backward', loc: { start: { line: 9 }, end: { line: 9 } } } },
    f: { 0: 4, 1: 4, 2: 0 },
  },
  '/x/src/check/gradient.ts': { path: '/x/src/check/gradient.ts', statementMap: { 0: { start: { line: 1 }, end: { line: 1 } } }, s: { 0: 0 }, fnMap: { 0: { name: 'backward', loc: { start: { line: 1 }, end: { line: 1 } } } }, f: { 0: 0 } },
};

describe('code coverage of the core', () => {
  it('finds backward lines never run: statements with no hits, and every line of a backward never called', () => {
    const text = ['', 'forward(x) {', 'a', 'backward(dy) {', 'b', 'c', '}', '', 'if (!t) return { y, backward: (dy) => dy };', '}'].join('\n');
    expect(uncoveredBackwardLines(final, (f) => (f === 'src/core/ops/op.ts' ? text : undefined))).toEqual([
      { file: 'src/core/ops/op.ts', line: 6, fn: 'backward', text: 'c' },
      { file: 'src/core/ops/op.ts', line: 9, fn: 'backward', text: 'if (!t) return { y, backward: (dy) => dy };' },
    ]);
  });

  it('sums line coverage over src/core only', () => {
    const summary = {
      total: { lines: { total: 30, covered: 20, pct: 66.7 } },
      '/x/src/core/a.ts': { lines: { total: 10, covered: 9, pct: 90 } },
      '/x/src/core/ops/b.ts': { lines: { total: 10, covered: 5, pct: 50 } },
      '/x/src/check/c.ts': { lines: { total: 10, covered: 6, pct: 60 } },
    };
    expect(coreLines(summary)).toEqual({ covered: 14, total: 20, pct: 70 });
    expect(coreLines({ total: summary.total })).toBeUndefined();
    expect(corePath('C:\\x\\src\\core\\ops\\b.ts')).toBe('src/core/ops/b.ts');
  });

  it('shows both measures on the coverage page, the unexecuted backward lines first, or says what was not measured', () => {
    const html = buildCoveragePage([], { code: { suite: { covered: 9, total: 10, pct: 90 }, gate: { covered: 7, total: 10, pct: 70 }, uncovered: [{ file: 'src/core/ops/op.ts', line: 6, fn: 'backward', text: 'c <x>' }] } });
    expect(html.indexOf('id="uncovered-backward"')).toBeLessThan(html.indexOf('id="summary"'));
    expect(html).toContain('⚠ 1 line of the core');
    expect(html).toContain('<code>src/core/ops/op.ts:6</code> (backward) <code>c &lt;x&gt;</code>');
    expect(html).toMatch(/id="suite-lines"[^]*90\.0%/);
    expect(html).toMatch(/id="gate-lines"[^]*70\.0%/);
    expect(buildCoveragePage([], {})).toMatch(/Not measured: <code>npm run coverage<\/code>/);
    expect(buildCoveragePage([], { code: { suite: { covered: 1, total: 1, pct: 100 } } })).toMatch(/The gate was not measured/);
  });
});
