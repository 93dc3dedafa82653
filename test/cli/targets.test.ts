import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { shardOf } from '../../src/cli/check.js';
import { userTargets } from '../../src/check/user-targets.js';

// dist/ is built by test/global-setup.ts; the fixture project imports 'gradproof/core' (the package's self-reference).
const bin = resolve('dist/src/cli/main.js');
const project = resolve('fixtures/examples/project');

function gate(args: string[], cwd = project): { status: number | null; stdout: string; stderr: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gradproof-targets-'));
  const r = spawnSync(process.execPath, [bin, 'check', '--report', join(dir, 'g.json'), '--junit', join(dir, 'g.xml'), ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, dir };
}

describe("gradproof check gates a project's own code", () => {
  it('finds gradproof.config.js in the working directory, runs its checks (function, named tensors, layer, model) and exits 0', () => {
    const r = gate([]);
    expect(r.status, r.stderr).toBe(0);
    for (const name of ['objective/rosenbrock', 'objective/quadratic-form', 'layer/tanh-dense', 'model/mlp-3-4-2']) expect(r.stdout).toMatch(new RegExp(`${name}\\s.*PASS`));
    expect(r.stdout).toMatch(/4 passed, 0 failed, 0 inconclusive .*checks from gradproof\.checks\.js/);
    const report = JSON.parse(readFileSync(join(r.dir, 'g.json'), 'utf8'));
    expect(report.checks.map((c: { kind: string }) => c.kind)).toEqual(['user', 'user', 'user', 'user']);
    expect(readFileSync(join(r.dir, 'g.xml'), 'utf8')).toMatch(/<testcase name="layer\/tanh-dense"/);
  });

  it('--targets FILE gates a buggy layer: exit 1, the wrong entry named W[1,·] in the table, JSON and JUnit, and the HTML report written', () => {
    const html = join(mkdtempSync(join(tmpdir(), 'gradproof-html-')), 'gradients.html');
    const r = gate(['--targets', 'buggy.checks.js', '--html', html]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/layer\/tanh-dense-buggy\s.*FAIL/);
    expect(r.stdout).toMatch(/disagree with finite differences beyond their error bound: W\[1,\d\]/);
    const report = JSON.parse(readFileSync(join(r.dir, 'g.json'), 'utf8'));
    const buggy = report.checks.find((c: { name: string }) => c.name === 'layer/tanh-dense-buggy');
    expect(buggy.verdict).toBe('fail');
    expect(buggy.failures[0].entry).toMatch(/^W\[1,\d\]$/);
    expect(readFileSync(join(r.dir, 'g.xml'), 'utf8')).toMatch(/<failure [^>]*type="gradient-check"/);
    expect(readFileSync(html, 'utf8')).toMatch(/layer\/tanh-dense-buggy/);
  });

  it('--shard i/n splits the checks across the jobs of a matrix: every check runs in exactly one shard', () => {
    const names = (r: ReturnType<typeof gate>): string[] => JSON.parse(readFileSync(join(r.dir, 'g.json'), 'utf8')).checks.map((c: { name: string }) => c.name);
    const a = gate(['--shard', '1/2']);
    const b = gate(['--shard', '2/2']);
    expect(a.status).toBe(0);
    expect(b.status).toBe(0);
    expect([...names(a), ...names(b)].sort()).toEqual(['layer/tanh-dense', 'model/mlp-3-4-2', 'objective/quadratic-form', 'objective/rosenbrock']);
    expect(names(a).filter((n) => names(b).includes(n))).toEqual([]);
    expect(a.stdout).toMatch(/shard 1\/2/);
    expect(() => shardOf([1, 2], '3/2')).toThrow(/--shard must be i\/n with 1 ≤ i ≤ n, got '3\/2'/);
    expect(() => shardOf([1, 2], 'half')).toThrow(/--shard/);
  });

  it('refuses a config with an unknown key, a missing targets file and a module without checks, with exit 2 and a message naming them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradproof-config-'));
    writeFileSync(join(dir, 'gradproof.config.js'), "export default { targets: './c.js', tolerence: 1 };\n");
    const bad = gate([], dir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/gradproof\.config\.js: unknown option 'tolerence' \(known: targets, mode/);
    const missing = gate(['--targets', 'nope.js'], mkdtempSync(join(tmpdir(), 'gradproof-empty-')));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/targets file .*nope\.js does not exist/);
  });

  it('validates every entry of a user module, naming the file, the entry and what is wrong', () => {
    expect(() => userTargets({ default: {} }, 'm.js')).toThrow(/^m\.js: export default \(or export const checks\) must be an array of checks/);
    expect(() => userTargets({ default: [{ f: () => 0 }] }, 'm.js')).toThrow(/^m\.js: check 0 has no name/);
    expect(() => userTargets({ default: [{ name: 'a', f: () => 0, grad: () => [0], x: [] }] }, 'm.js')).toThrow(/^m\.js: check 'a': x must be a non-empty array/);
    expect(() => userTargets({ default: [{ name: 'a', f: () => 0, make: () => 0 }] }, 'm.js')).toThrow(/^m\.js: check 'a' must have exactly one of .*; it has f, make/);
    expect(() => userTargets({ checks: [{ name: 'a', f: () => 0, grad: () => [0], x: [1] }, { name: 'a', f: () => 0, grad: () => [0], x: [1] }] }, 'm.js')).toThrow(/check 'a' is defined twice/);
    expect(() => userTargets({ default: [{ name: 'p', params: { W: [1, 2] }, objective: () => 0, grad: () => ({}) }] }, 'm.js')).toThrow(/params\.W must be a tensor/);
  });
});
