/**
 * The map of the code, guarded: imports flow one way between the folders of
 * src/ (README, "How the code is laid out"), no two files import each other
 * even through others, and only the CLI (and the sandbox child, a program of
 * its own) touches the process and the terminal.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = 'src';

/** What each layer may import, besides itself. */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  html: [],
  cases: ['core'],
  derivations: ['core'],
  check: ['core', 'cases', 'derivations'],
  grade: ['core', 'cases', 'derivations', 'check', 'html'],
  report: ['core', 'cases', 'derivations', 'check', 'html'],
  cli: ['core', 'cases', 'derivations', 'check', 'grade', 'report', 'html'],
  // the package entries at src/*.ts
  entry: ['core', 'cases', 'derivations', 'check', 'grade', 'html'],
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

const layerOf = (file: string): string => {
  const parts = relative(SRC, file).split(/[\\/]/);
  return parts.length === 1 ? 'entry' : parts[0]!;
};

/** The project files a source imports (static, dynamic, type-only and side-effect imports, and re-exports). */
function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const m of text.matchAll(re)) out.push(normalize(join(dirname(file), m[1]!.replace(/\.js$/, '.ts'))));
  return out;
}

const files = sources(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f, readFileSync(f, 'utf8'))]));

describe('the layout of src/', () => {
  it('has exactly the layers of the README', () => {
    expect([...new Set(files.map(layerOf))].sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it('imports only files that exist', () => {
    const missing = [...graph].flatMap(([f, deps]) => deps.filter((d) => !graph.has(d)).map((d) => `${f} → ${d}`));
    expect(missing).toEqual([]);
  });

  it('imports one way: core ← cases, derivations ← check ← grade, report ← cli (html beside core, for the pages)', () => {
    const against: string[] = [];
    for (const [f, deps] of graph) {
      const from = layerOf(f);
      for (const d of deps) {
        const to = layerOf(d);
        if (to !== from && !ALLOWED[from]!.includes(to)) against.push(`${f} (${from}) imports ${d} (${to})`);
      }
    }
    expect(against).toEqual([]);
  });

  it('has no cycle between files', () => {
    // Tarjan's strongly connected components; any with two or more files is a cycle
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const on = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string): void => {
      idx.set(v, index);
      low.set(v, index++);
      stack.push(v);
      on.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue;
        if (!idx.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
      if (low.get(v) === idx.get(v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          on.delete(w);
          comp.push(w);
        } while (w !== v);
        if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(comp.sort());
      }
    };
    for (const f of files) if (!idx.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('leaves the process and the terminal to the CLI (and to the sandbox child, a program of its own)', () => {
    const touching = files.filter((f) => layerOf(f) !== 'cli' && f !== join(SRC, 'grade', 'sandbox', 'child.ts')).filter((f) => /\bprocess\.(stdout|stderr|stdin|exit|exitCode|argv)\b/.test(readFileSync(f, 'utf8')));
    expect(touching).toEqual([]);
  });

  it('sees the imports it guards (the test is not vacuous)', () => {
    expect(graph.get(join(SRC, 'cases', 'build.ts'))).toContain(join(SRC, 'core', 'ops', 'registry.ts'));
    expect(graph.get(join(SRC, 'cli', 'main.ts'))).toEqual(expect.arrayContaining([join(SRC, 'cli', 'check.ts'), join(SRC, 'cli', 'usage.ts')]));
    expect(importsOf('src/x/a.ts', "import type { A } from '../y/b.js';\nexport { c } from './c.js';\nawait import('./d.js');\nimport './e.js';")).toEqual([
      join('src', 'y', 'b.ts'),
      join('src', 'x', 'c.ts'),
      join('src', 'x', 'd.ts'),
      join('src', 'x', 'e.ts'),
    ]);
  });
});
