import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCheckCommand } from '../../src/cli/check.js';
import { coreTargets, filterTargets, type Target } from '../../src/check/targets.js';
import { zeros } from '../../src/core/tensor.js';

const silent = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;

/** Σ w³ with the gradient 3w² planted wrong in one entry. */
const wrongTarget: Target = {
  name: 'planted/cube',
  kind: 'op',
  description: 'Σ w³ with a wrong gradient entry',
  make: () => {
    const w = zeros([2, 3]);
    w.data.set([0.5, -1, 1.5, 2, -0.25, 0.75]);
    return {
      params: new Map([['W', w]]),
      objective: (p) => {
        const d = p.get('W')!.data;
        return d.reduce((s, v) => s + v * v * v, 0);
      },
      grad: (p) => {
        const d = p.get('W')!.data;
        const g = zeros([2, 3]);
        d.forEach((v, i) => (g.data[i] = 3 * v * v * (i === 4 ? 1.01 : 1)));
        return new Map([['W', g]]);
      },
    };
  },
};

describe('gradproof check', () => {
  it('covers every op, loss reduction, penalty and model builder of the core', () => {
    const names = coreTargets().map((t) => t.name);
    for (const n of ['op/dense', 'op/dense-transpose', 'op/sigmoid', 'op/tanh', 'op/relu', 'op/leaky-relu', 'op/softplus', 'op/identity', 'op/softmax', 'op/batchnorm-train', 'op/batchnorm-inference', 'op/dropout']) {
      expect(names).toContain(n);
    }
    for (const n of ['loss/squared-error/sum', 'loss/squared-error/batch-mean', 'loss/squared-error/mean', 'loss/binary-cross-entropy/mean', 'loss/softmax-cross-entropy/batch-mean']) expect(names).toContain(n);
    for (const n of ['penalty/l2', 'penalty/l2-lambda', 'penalty/l1', 'penalty/kl-sparsity', 'penalty/l1-activity/sum', 'penalty/l1-activity/batch-mean']) expect(names).toContain(n);
    for (const n of ['model/autoencoder/tied', 'model/autoencoder/stacked-tied', 'model/autoencoder/sparse', 'model/autoencoder/denoising', 'model/linear-regression']) expect(names).toContain(n);
  });

  it('includes every lecture derivation and every scalar closed form', () => {
    const names = coreTargets().map((t) => t.name);
    for (const topic of ['weight-decay', 'regularized-optimum', 'kl-sparsity', 'tied-weights', 'batchnorm', 'jacobian-backprop', 'autoencoder-facts', 'dropout', 'optimizers', 'vae-gan']) {
      expect(names.some((n) => n.startsWith(`derivation/${topic}/`)), topic).toBe(true);
      expect(names.some((n) => n.startsWith(`symbolic/${topic}/`)), topic).toBe(true);
    }
    expect(names.some((n) => /erratum/i.test(n))).toBe(false);
  });

  it('selects checks by substring or /regex/', () => {
    const all = coreTargets();
    expect(filterTargets(all, 'op/dense').map((t) => t.name)).toEqual(['op/dense', 'op/dense-no-bias', 'op/dense-transpose']);
    expect(filterTargets(all, '/^penalty\\/l1/').map((t) => t.name)).toEqual(['penalty/l1', 'penalty/l1-activity/sum', 'penalty/l1-activity/batch-mean']);
  });

  it('returns 1 and names the wrong entry when a check fails, and writes JSON and JUnit that say so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradproof-check-'));
    const lines: string[] = [];
    const code = runCheckCommand(
      { mode: 'full', seed: '3', report: join(dir, 'r.json'), junit: join(dir, 'j.xml') },
      (s) => lines.push(s),
      silent,
      [wrongTarget, ...filterTargets(coreTargets(), '/^op\/tanh$/')],
    );
    expect(code).toBe(1);
    const text = lines.join('\n');
    expect(text).toMatch(/planted\/cube.*FAIL/);
    expect(text).toMatch(/op\/tanh.*PASS/);
    expect(text).toContain('W[1,1]');
    expect(text).toMatch(/1 passed, 1 failed/);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    expect(report.totals).toMatchObject({ checks: 2, passed: 1, failed: 1 });
    expect(report.seed).toBe(3);
    const bad = report.checks.find((c: { name: string }) => c.name === 'planted/cube');
    expect(bad.ok).toBe(false);
    expect(bad.failures[0].entry).toBe('W[1,1]');
    expect(typeof bad.taylor.rate).toBe('number');
    const xml = readFileSync(join(dir, 'j.xml'), 'utf8');
    expect(xml).toMatch(/<testsuites name="gradproof check" tests="2" failures="1" errors="0" time="\d+\.\d{3}">/);
    expect(xml).toMatch(/<testcase name="planted\/cube" classname="gradproof.op" time="\d+\.\d{3}"><failure message="[^"]+" type="gradient-check">/);
    expect(xml).toMatch(/<testcase name="op\/tanh" classname="gradproof.op" time="\d+\.\d{3}"><\/testcase>/);
  });

  it('rejects an unknown mode, a non-integer seed and a filter that matches nothing', () => {
    const run = (o: Partial<{ mode: string; seed: string; filter: string }>) => () =>
      runCheckCommand({ mode: 'full', seed: '0', report: join(tmpdir(), 'unused.json'), ...o }, () => {}, silent);
    expect(run({ mode: 'fast' })).toThrow(/--mode/);
    expect(run({ seed: '1.5' })).toThrow(/--seed/);
    expect(run({ filter: 'no-such-check' })).toThrow(/--filter/);
  });
});

describe('the gradproof binary', () => {
  beforeAll(() => {
    if (!existsSync('dist/src/cli/main.js')) spawnSync('npm', ['run', 'build'], { stdio: 'ignore' });
  }, 120_000);

  it('runs check with --mode directional --filter and exits 0, writing the report where asked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradproof-bin-'));
    const r = spawnSync('node', ['dist/src/cli/main.js', 'check', '--mode', 'directional', '--filter', 'model/autoencoder', '--report', join(dir, 'g.json')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/model\/autoencoder\/tied\s.*PASS/);
    const report = JSON.parse(readFileSync(join(dir, 'g.json'), 'utf8'));
    expect(report.mode).toBe('directional');
    expect(report.checks.every((c: { mode: string }) => c.mode === 'directional')).toBe(true);
  });

  it('exits 2 with a message for a bad option', () => {
    const r = spawnSync('node', ['dist/src/cli/main.js', 'check', '--mode', 'sideways'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--mode must be auto, full, sampled or directional/);
  });

  it('replay --check directional also checks each case objective with the checker', () => {
    const r = spawnSync('node', ['dist/src/cli/main.js', 'replay', '--json', '--check', 'directional', 'fixtures/cases/tied-ae-se.json'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.cases[0].check).toMatchObject({ ok: true, mode: 'directional' });
    expect(out.cases[0].check.evaluations).toBeGreaterThan(0);
  });
});
