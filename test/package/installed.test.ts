/**
 * The package as `npm pack` ships it, unpacked into a fresh project's
 * node_modules (its dependencies linked from this checkout's, since tests
 * run offline): what it contains, `gradproof grade` and the coverage page
 * from the installed copy, and a user's strict-TypeScript vitest test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { root, runNode } from './helpers.js';

let project: string;
let installed: string;
let files: string[];
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

function walk(dir: string, base = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name), `${base}${e.name}/`) : [`${base}${e.name}`]));
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'gradproof-user-'));
  // pack without running prepack's build again: the global setup has just built dist/
  const packed = spawnSync('npm', ['pack', '--ignore-scripts', '--pack-destination', project, '--json'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (packed.status !== 0) throw new Error(`npm pack failed: ${packed.stderr}`);
  const tgz = join(project, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
  installed = join(project, 'node_modules', 'gradproof');
  mkdirSync(installed, { recursive: true });
  const untar = spawnSync('tar', ['xzf', tgz, '-C', installed, '--strip-components=1'], { encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  // what npm would install: the dependencies, plus what this test's user has (vitest, typescript)
  for (const dep of [...Object.keys(pkg.dependencies), 'vitest', 'typescript', '@types/node']) {
    const target = join(project, 'node_modules', dep);
    mkdirSync(join(target, '..'), { recursive: true });
    if (!existsSync(target)) symlinkSync(join(root, 'node_modules', dep), target, 'dir');
  }
  files = walk(installed);
}, 180_000);

describe('the packed package', () => {
  it('ships a LICENSE, the exercise catalog, the docs and the built sources, and no bench, test or prepare hook', () => {
    expect(files).toContain('LICENSE');
    expect(files).toContain('fixtures/exercises/sigmoid-derivative.json');
    expect(files).toContain('docs/case-format.md');
    expect(files).toContain('dist/src/index.js');
    expect(files.filter((f) => /(^|\/)(bench|test|properties)\//.test(f))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
    expect(manifest.scripts.prepare).toBeUndefined();
    expect(manifest.scripts.install ?? manifest.scripts.postinstall).toBeUndefined();
    // the grader's native module and TypeScript are optional peers, not dependencies
    expect(Object.keys(manifest.dependencies).filter((d) => d === 'isolated-vm' || d === 'typescript')).toEqual([]);
  });

  it('has source maps that resolve: every map carries its sources inline', () => {
    const maps = files.filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(50);
    for (const m of maps) {
      const map = JSON.parse(readFileSync(join(installed, m), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      expect(map.sourcesContent?.length, m).toBe(map.sources.length);
      expect(map.sourcesContent!.every((s) => typeof s === 'string' && s.length > 0), m).toBe(true);
    }
  });

  it('grades with the shipped catalog, no --catalog needed', () => {
    const sub = join(project, 'alice');
    mkdirSync(sub);
    writeFileSync(join(sub, 'answers.json'), JSON.stringify({ 'sigmoid-derivative': 'exp(-a)/(1+exp(-a))^2' }));
    const r = runNode([join(installed, 'dist/src/cli/main.js'), 'grade', sub, '--exercises', 'sigmoid-derivative', '--seed', '1'], { cwd: project });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/gradproof grade alice: 4\/4 points/);
  });

  it("writes a coverage page that finds every op of the registry, from the installed copy's own code", () => {
    const bin = join(installed, 'dist/src/cli/main.js');
    const check = runNode([bin, 'check', '--filter', 'op/', '--report', join(project, 'reports/gradcheck.json')], { cwd: project });
    expect(check.status, check.stderr).toBe(0);
    const rep = runNode([bin, 'report', '--no-grades', '--no-sweep', '--dir', join(project, 'reports')], { cwd: project });
    expect(rep.status, rep.stderr).toBe(0);
    const html = readFileSync(join(project, 'reports/coverage-gradients.html'), 'utf8');
    for (const op of ['dense', 'sigmoid', 'tanh', 'relu', 'leaky-relu', 'softplus', 'gelu', 'identity', 'softmax', 'batchnorm', 'layernorm', 'dropout']) {
      expect(html, op).toContain(`gradproof/core OPS[&#39;${op}&#39;]`);
    }
  });

  it("compiles a user's strict TypeScript vitest test with import 'gradproof/vitest' alone, and the test passes", () => {
    writeFileSync(
      join(project, 'grad.test.ts'),
      `import 'gradproof/vitest';
import { describe, expect, it } from 'vitest';
import { checkParams, type Tensor } from 'gradproof';

const t = (shape: number[], values: number[]): Tensor => ({ shape, data: Float64Array.from(values) });
// the checker calls f and its gradient with a copy of x as a Float64Array
const f = (x: Float64Array): number => x.reduce((s, v) => s + Math.sin(v), 0);
const g = (x: Float64Array): Float64Array => x.map(Math.cos);

describe('my layer', () => {
  it('has the gradient it claims', () => {
    expect(f).toHaveCorrectGradient(g, [0.1, -0.4, 2]);
    expect(f).not.toHaveCorrectGradient((x) => x.map(Math.sin), [0.1, -0.4, 2]);
  });

  it('checks named parameters, typed as passed in', () => {
    const params = { W: t([2, 2], [1, 2, 3, 4]), b: t([2], [0.5, -0.5]) };
    const r = checkParams(
      (p) => p.W.data.reduce((s, v) => s + v * v, 0) + 3 * p.b.data[0]!,
      params,
      (p) => ({ W: p.W.data.map((v) => 2 * v), b: [3, 0] }),
    );
    expect(r.ok).toBe(true);
  });
});
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] }, include: ['grad.test.ts'] }),
    );
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user', type: 'module', private: true }));
    const tsc = runNode([join(project, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: project });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    const vitest = runNode([join(project, 'node_modules/vitest/vitest.mjs'), 'run', '--root', project, 'grad.test.ts'], { cwd: project });
    expect(vitest.status, vitest.stdout + vitest.stderr).toBe(0);
    expect(vitest.stdout).toMatch(/2 passed/);
  }, 120_000);
});
