import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = process.cwd();
const cli = resolve(root, 'dist/src/cli/main.js');
const fixturesDir = resolve(root, 'fixtures/cases');
const fixtureCount = readdirSync(fixturesDir).filter((f) => f.endsWith('.json')).length;

interface JsonCase {
  name: string;
  file: string | null;
  ok: boolean;
  lossError: number | null;
  maxGradError: number | null;
  error?: string;
  worst?: { param: string; index: number };
}
interface JsonReport {
  cases: JsonCase[];
  passed: number;
  failed: number;
}

function gradproof(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;

beforeAll(() => {
  if (!existsSync(cli)) {
    const b = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8', shell: process.platform === 'win32' });
    if (b.status !== 0) throw new Error(`npm run build failed:\n${b.stdout}\n${b.stderr}`);
  }
  dir = mkdtempSync(join(tmpdir(), 'gradproof-cli-'));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('gradproof replay --json', () => {
  it('reports every fixture as passing with exit code 0', () => {
    const r = gradproof('replay', '--json', fixturesDir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(Object.keys(report).sort()).toEqual(['cases', 'failed', 'passed']);
    expect(report.failed).toBe(0);
    expect(report.passed).toBe(fixtureCount);
    expect(report.cases).toHaveLength(fixtureCount);
    for (const c of report.cases) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(['name', 'file', 'ok', 'lossError', 'maxGradError']));
      expect(c.ok).toBe(true);
      expect(c.error).toBeUndefined();
      expect(typeof c.name).toBe('string');
      expect(c.file).toBe(join(fixturesDir, `${c.name}.json`));
      expect(typeof c.lossError).toBe('number');
      expect(typeof c.maxGradError).toBe('number');
      expect(c.lossError!).toBeGreaterThanOrEqual(0);
      expect(c.maxGradError!).toBeLessThan(1e-8);
    }
  });

  it('exits 1 and counts the failure when one case file is broken', () => {
    const sub = join(dir, 'mixed');
    mkdirSync(sub);
    copyFileSync(join(fixturesDir, 'tied-ae-se.json'), join(sub, 'tied-ae-se.json'));
    const broken = JSON.parse(readFileSync(join(fixturesDir, 'l1-weights.json'), 'utf8'));
    broken.network[1].op = 'swish';
    writeFileSync(join(sub, 'l1-weights.json'), JSON.stringify(broken));

    const r = gradproof('replay', '--json', sub);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.passed).toBe(1);
    expect(report.failed).toBe(1);
    const bad = report.cases.find((c) => !c.ok)!;
    expect(bad.name).toBe('l1-weights');
    expect(bad.file).toBe(join(sub, 'l1-weights.json'));
    expect(bad.error).toMatch(/network\[1\]\.op.*swish/);
    expect(bad.lossError).toBeNull();
    expect(bad.maxGradError).toBeNull();
  });

  it('exits 1 for a file that is not JSON and names the problem', () => {
    const sub = join(dir, 'garbage');
    mkdirSync(sub);
    writeFileSync(join(sub, 'garbage.json'), 'this is not json');
    const r = gradproof('replay', '--json', sub);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report).toMatchObject({ passed: 0, failed: 1 });
    expect(report.cases[0]!.error).toMatch(/not valid JSON/);
  });

  it('names the parameter of a wrong expected gradient', () => {
    const sub = join(dir, 'wrong-grad');
    mkdirSync(sub);
    const doc = JSON.parse(readFileSync(join(fixturesDir, 'tied-ae-se.json'), 'utf8'));
    const name = Object.keys(doc.expected.grads)[0]!;
    doc.expected.grads[name][0] += 1e-3;
    writeFileSync(join(sub, 'case.json'), JSON.stringify(doc));
    const r = gradproof('replay', '--json', sub);
    expect(r.status).toBe(1);
    const c = (JSON.parse(r.stdout) as JsonReport).cases[0]!;
    expect(c.ok).toBe(false);
    expect(c.worst).toEqual({ param: name, index: 0 });
    expect(c.error).toContain(`grad ${name}[0]`);
  });
});

describe('gradproof replay (table output)', () => {
  it('prints a verdict line and exits 0 when every case passes', () => {
    const r = gradproof('replay', join(fixturesDir, 'tied-ae-se.json'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/tied-ae-se.*PASS/);
    expect(r.stdout).toMatch(/1 passed, 0 failed/);
  });

  it('exits 1 when there are no case files at all', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const r = gradproof('replay', empty);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/no case files found/);
  });

  it('exits 1 for a path that does not exist', () => {
    const r = gradproof('replay', '--json', join(dir, 'nowhere'));
    expect(r.status).toBe(1);
    expect((JSON.parse(r.stdout) as JsonReport).failed).toBe(1);
  });
});
