/**
 * A catalog that cannot lie: unknown keys, a symbolic form that disagrees
 * with the reference, and a test whose region the reference cannot grade are
 * refused by name at load and by `gradproof catalog check`; a test that
 * compared nothing at grading time is never a pass.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCatalog, defaultCatalogDir, loadCatalog, CatalogError } from '../../src/grade/catalog.js';
import { expressionAnswer, runTest } from '../../src/grade/score.js';
import { parseAnswer } from '../../src/grade/expressions.js';
import { promptHtml } from '../../src/grade/sheet.js';
import { ROOT } from './helpers.js';

/** A copy of the shipped catalog in a fresh folder, with one file changed. */
function catalogWith(id: string, patch: (spec: Record<string, unknown>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'gp-catalog-'));
  cpSync(defaultCatalogDir(), dir, { recursive: true });
  const file = join(dir, `${id}.json`);
  const spec = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  patch(spec);
  writeFileSync(file, JSON.stringify(spec, null, 2));
  return dir;
}

const cli = join(ROOT, 'dist/src/cli/main.js');

describe('the catalog refuses at load what would grade unfairly', () => {
  it('a misspelled key, anywhere in a file, is an error naming the key and the file', () => {
    const top = catalogWith('sigmoid-derivative', (s) => {
      s.tolerence = { rtol: 1e-6, atol: 0 };
    });
    expect(() => loadCatalog(top)).toThrow(/sigmoid-derivative\.json: the exercise: unknown key 'tolerence'/);
    const inTest = catalogWith('weight-decay-step', (s) => {
      (s.tests as Record<string, unknown>[])[0]!.point = 3;
    });
    expect(() => loadCatalog(inTest)).toThrow(/weight-decay-step\.json: tests\[0\]: unknown key 'point'/);
    const inTolerance = catalogWith('l2-penalty-gradient', (s) => {
      (s.tolerance as Record<string, unknown>).problemscale = 'max(abs(w))';
    });
    expect(() => loadCatalog(inTolerance)).toThrow(/l2-penalty-gradient\.json: tolerance: unknown key 'problemscale'/);
    const inValue = catalogWith('l2-penalty-gradient', (s) => {
      const gens = s.generators as Record<string, { values: Record<string, Record<string, unknown>> }>;
      gens.generic!.values.alpha!.stpe = 0.01;
    });
    expect(() => loadCatalog(inValue)).toThrow(/l2-penalty-gradient\.json: .*generator 'generic'\.values\.alpha: unknown key 'stpe'/);
  });

  it('a symbolic form that disagrees with the reference is an error naming the exercise, and the same wrong expression gets no credit', async () => {
    const dir = catalogWith('l2-penalty-gradient', (s) => {
      s.symbolic = '2*alpha*w';
    });
    expect(() => loadCatalog(dir)).toThrow(/l2-penalty-gradient\.json: symbolic form 2\*alpha\*w disagrees with the reference of 'l2-penalty-gradient'/);
    // the shipped (right) symbolic form loads, and the wrong expression is graded numerically: 0
    const ex = loadCatalog().exercises.get('l2-penalty-gradient')!;
    const wrong = parseAnswer('2*alpha*w', ex.spec.exprVars!);
    if (!wrong.ok) throw new Error(wrong.error);
    const r = await runTest(ex, ex.spec.tests[0]!, expressionAnswer(ex, wrong.expr), { seed: 1 });
    expect(r.passed).toBe(false);
    expect(r.points).toBe(0);
  });

  it('a region where the reference overflows at most generated inputs is an error naming the test', () => {
    const dir = catalogWith('sigmoid-derivative', (s) => {
      (s.generators as Record<string, unknown>).edge = { doc: 'overflows', dims: {}, values: { a: { uniform: [-1000, -710] } } };
      s.domains = { a: [-30, 30] };
    });
    expect(() => loadCatalog(dir)).toThrow(/sigmoid-derivative\.json: test 'edge region': the reference is finite at only 0 of 30 inputs/);
  });

  it('minFiniteShare comes from _settings.json and is checked there', () => {
    const dir = catalogWith('kl-sparsity-derivative', () => undefined);
    writeFileSync(join(dir, '_settings.json'), JSON.stringify({ minFiniteShare: 1.5 }));
    expect(() => loadCatalog(dir)).toThrow(/minFiniteShare must be a number in \(0, 1\]/);
    writeFileSync(join(dir, '_settings.json'), JSON.stringify({ minFiniteShare: 0.9 }));
    expect(loadCatalog(dir).settings.minFiniteShare).toBe(0.9);
  });

  it('checkCatalog reports every problem of every file, not only the first', () => {
    const dir = catalogWith('sigmoid-derivative', (s) => {
      s.tolerence = 1;
    });
    const other = JSON.parse(readFileSync(join(dir, 'l2-penalty-gradient.json'), 'utf8')) as Record<string, unknown>;
    other.symbolic = '-alpha*w';
    writeFileSync(join(dir, 'l2-penalty-gradient.json'), JSON.stringify(other));
    const r = checkCatalog(dir);
    expect(r.errors).toHaveLength(2);
    expect(r.errors[0]).toMatch(/^l2-penalty-gradient\.json: symbolic form/);
    expect(r.errors[1]).toMatch(/^sigmoid-derivative\.json: .*'tolerence'/);
    expect(r.ids).toHaveLength(11);
    expect(() => loadCatalog(dir)).toThrow(CatalogError);
    expect(() => loadCatalog(dir)).toThrow(/2 problems in the catalog/);
  });
});

describe('at grading time', () => {
  it('a test that compared nothing (the reference never finite) is not a pass and gives no points', async () => {
    const real = loadCatalog().exercises.get('sigmoid-derivative')!;
    const broken = { ...real, reference: (): number => Number.POSITIVE_INFINITY };
    const answer = parseAnswer('exp(-a)/(1+exp(-a))^2', ['a']);
    if (!answer.ok) throw new Error(answer.error);
    const r = await runTest(broken, real.spec.tests[0]!, expressionAnswer(broken, answer.expr), { seed: 1 });
    expect(r.passed).toBe(false);
    expect(r.points).toBe(0);
    expect(r.skipped).toBe(r.runs);
    expect(r.output).toMatch(/not graded: the reference is not finite at any of the 40 generated inputs.*problem of the exercise/);
  });
});

describe('gradproof catalog check and sheet', () => {
  it('check exits 0 on the shipped catalog and 1 naming each problem on a broken one', () => {
    const ok = spawnSync(process.execPath, [cli, 'catalog', 'check', defaultCatalogDir()], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/13 exercises, every check passed/);
    const dir = catalogWith('weight-decay-shrink-factor', (s) => {
      s.symbolic = 'alpha/(lambda+alpha)';
      s.prompt = 'Broken $\\frac{1}{$ math';
    });
    const bad = spawnSync(process.execPath, [cli, 'catalog', 'check', dir], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/✘ weight-decay-shrink-factor\.json: symbolic form alpha\/\(lambda\+alpha\) disagrees/);
  });

  it('check names a prompt whose LaTeX does not render', () => {
    const dir = catalogWith('sigmoid-derivative', (s) => {
      s.prompt = 'Give $\\frac{d\\sigma}{da$ please.';
    });
    const bad = spawnSync(process.execPath, [cli, 'catalog', 'check', dir], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/✘ sigmoid-derivative\.json: the prompt's LaTeX .* does not render/);
  });

  it('sheet writes every prompt as HTML with MathML formulas, and shows raw HTML in a prompt as text', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'gp-sheet-')), 'sheet.html');
    execFileSync(process.execPath, [cli, 'catalog', 'sheet', defaultCatalogDir(), '--out', out]);
    const html = readFileSync(out, 'utf8');
    for (const id of loadCatalog().ids) expect(html).toContain(`id="${id}"`);
    expect(html).toContain('<math');
    expect(html).not.toMatch(/\$\\/); // no LaTeX left unrendered
    expect(html).not.toMatch(/<script/);
    const p = promptHtml('Compute $x^2$ and <img src=x onerror=alert(1)> **now**', 't');
    expect(p).toContain('<math');
    expect(p).toContain('&lt;img');
    expect(p).toContain('<strong>now</strong>');
  });
});
