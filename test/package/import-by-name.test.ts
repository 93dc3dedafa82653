/**
 * The package imports itself by name: `import { checkGradient } from
 * 'gradproof'` resolves through package.json `exports` to the built dist/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { root, runScript } from './helpers.js';

const entry = join(root, 'dist', 'src', 'index.js');

describe('importing gradproof by its package name', () => {
  it('package.json exports point at the built entry', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      name: string;
      exports: Record<string, { import: string; types: string }>;
    };
    expect(pkg.name).toBe('gradproof');
    expect(resolve(root, pkg.exports['.']!.import)).toBe(entry);
    expect(existsSync(entry)).toBe(true);
  });

  it('resolves checkGradient through the exports map, and the check works', () => {
    const out = runScript(`
import { checkGradient, formatResult } from 'gradproof';
const f = (x) => x.reduce((s, v) => s + Math.sin(v) * v, 0);
const g = (x) => x.map((v) => Math.cos(v) * v + Math.sin(v));
const bad = (x) => { const o = g(x); o[2] *= 1.001; return o; };
const x = [0.3, -1.2, 0.8, 2.1];
const good = checkGradient(f, g, x);
const wrong = checkGradient(f, bad, x);
console.log(JSON.stringify({
  resolved: import.meta.resolve('gradproof'),
  good: { ok: good.ok, checked: good.checked },
  wrong: { ok: wrong.ok, indices: wrong.failures.map((fl) => fl.index), text: formatResult(wrong) },
}));
`);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const data = JSON.parse(out.stdout) as {
      resolved: string;
      good: { ok: boolean; checked: number };
      wrong: { ok: boolean; indices: number[]; text: string };
    };
    expect(fileURLToPath(data.resolved)).toBe(entry);
    expect(data.good).toEqual({ ok: true, checked: 4 });
    expect(data.wrong.ok).toBe(false);
    expect(data.wrong.indices).toEqual([2]);
    expect(data.wrong.text).toMatch(/gradient check FAILED/);
  });

  it('exposes the whole checker surface by name', () => {
    const out = runScript(`
import * as gp from 'gradproof';
const names = ['checkGradient', 'checkJacobian', 'checkParams', 'checkModel', 'assertGradient', 'GradientCheckError',
  'taylorTest', 'gradproofMatchers', 'formatResult', 'shapeArb', 'tensorArb', 'probabilityArb', 'positiveDefiniteArb'];
console.log(JSON.stringify(Object.fromEntries(names.map((n) => [n, typeof gp[n]]))));
`);
    expect(out.status, out.stderr).toBe(0);
    const types = JSON.parse(out.stdout) as Record<string, string>;
    expect(types).toEqual({
      checkGradient: 'function',
      checkJacobian: 'function',
      checkParams: 'function',
      checkModel: 'function',
      assertGradient: 'function',
      GradientCheckError: 'function',
      taylorTest: 'function',
      gradproofMatchers: 'object',
      formatResult: 'function',
      shapeArb: 'function',
      tensorArb: 'function',
      probabilityArb: 'function',
      positiveDefiniteArb: 'function',
    });
  });

  it('hides internal paths that the exports map does not list', () => {
    const out = runScript(`
try {
  await import('gradproof/dist/src/check/gradient.js');
  console.log('imported');
} catch (e) {
  console.log(e.code);
}
`);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout.trim()).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('leaves no temporary script behind', async () => {
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(root).filter((n) => n.startsWith(`.tmp-import-test-${process.pid}-`))).toEqual([]);
  });
});
