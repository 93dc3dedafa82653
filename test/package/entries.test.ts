/**
 * One entry per layer, each importable by name in a fresh process; the
 * checker and the CLI's help load none of the heavy dependencies; the CLI's
 * version and exit codes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEAVY, mainJs, packagesLoaded, root, runNode, runScript } from './helpers.js';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; exports: Record<string, unknown> };

const SURFACE: Record<string, string[]> = {
  gradproof: ['checkGradient', 'assertGradient', 'checkParams', 'checkModel', 'checkJacobian', 'taylorTest', 'formatResult', 'shapeArb', 'tensorArb', 'matrixArb', 'probabilityArb', 'positiveDefiniteArb', 'gradproofMatchers'],
  'gradproof/core': ['tensor', 'matmul', 'dense', 'gelu', 'layerNorm', 'OPS', 'createOp', 'lossForward', 'PENALTIES', 'evaluate', 'mlp', 'autoencoder', 'adam', 'train', 'TensorLayout', 'randomTensor'],
  'gradproof/derivations': ['weightDecay', 'klSparsity', 'tiedWeights', 'batchnorm', 'vaeGan', 'derivationTargets', 'symbolicForms'],
  'gradproof/cases': ['parseCase', 'buildModel', 'replayCase', 'replayFile', 'replayPaths', 'CaseError'],
  'gradproof/grade': ['gradeSubmission', 'gradeBatch', 'loadCatalog', 'toGradescope', 'toJunit', 'toJson', 'toText', 'toHtml', 'classReportHtml'],
};
/** Internals that no entry may export. */
const INTERNAL = ['runTest', 'gradeForm', 'compareValues', 'differentiate', 'runTarget', 'coreTargets', 'testSeed', 'parseAnswer'];

describe('the package entries', () => {
  it('are exactly one per layer in package.json, plus the vitest matchers', () => {
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './cases', './core', './derivations', './grade', './package.json', './vitest']);
  });

  it.each(Object.entries(SURFACE))('%s imports by name in a fresh process and names its surface, and no internals', (name, names) => {
    const r = runScript(`const m = await import('${name}'); console.log(JSON.stringify(Object.keys(m)));`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const keys = JSON.parse(r.stdout) as string[];
    expect(keys).toEqual(expect.arrayContaining(names));
    expect(keys.filter((k) => INTERNAL.includes(k))).toEqual([]);
  });

  it("import('gradproof') loads none of math.js, ml-matrix, isolated-vm or TypeScript", () => {
    const r = runScript(`const m = await import('gradproof'); console.log(typeof m.checkGradient);`, { log: true });
    expect(r.stdout.trim()).toBe('function');
    const pkgs = packagesLoaded(r.loaded);
    expect(pkgs.filter((p) => HEAVY.includes(p))).toEqual([]);
    // the log is real: it saw the checker's own modules and fast-check
    expect(r.loaded.some((l) => l.endsWith('/dist/src/check/gradient.js'))).toBe(true);
    expect(pkgs).toContain('fast-check');
  });

  it('gradproof/grade loads math.js but not isolated-vm or TypeScript until a code answer is graded', () => {
    const r = runScript(`await import('gradproof/grade');`, { log: true });
    expect(r.status, r.stderr).toBe(0);
    const pkgs = packagesLoaded(r.loaded);
    expect(pkgs).toContain('mathjs');
    expect(pkgs.filter((p) => p === 'isolated-vm' || p === 'typescript')).toEqual([]);
  });
});

describe('the gradproof command', () => {
  it.each([['--help'], ['--version'], ['check', '--help'], ['grade', '--help']])('%s %s loads no heavy dependency and exits 0', (...args) => {
    const r = runNode([mainJs, ...args], { log: true });
    expect(r.status, r.stderr).toBe(0);
    expect(packagesLoaded(r.loaded).filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it("--version prints the package's version", () => {
    expect(runNode([mainJs, '--version']).stdout.trim()).toBe(pkg.version);
  });

  it('--help documents the exit codes', () => {
    const out = runNode([mainJs, '--help']).stdout;
    expect(out).toMatch(/0 +everything passed/);
    expect(out).toMatch(/1 +a check, case or grade failed/);
    expect(out).toMatch(/2 +usage/);
  });

  it.each([
    [['--bogus'], /unknown option '--bogus'/],
    [['check', '--mode', 'nope'], /--mode must be auto, full, sampled or directional, got 'nope'/],
    [['check', '--seed', 'x'], /--seed must be an integer/],
    [['replay'], /missing required argument 'paths'/],
    [['grade', '--exercises', 'no-such', 'fixtures/submissions/empty'], /--exercises: unknown exercise id: no-such/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('exits 2 on a usage error: %s', (args, message) => {
    const r = runNode([mainJs, ...(args as string[])]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
  });

  it('exits 1 when a case fails and 0 when all pass', () => {
    expect(runNode([mainJs, 'replay', 'fixtures/examples']).status).toBe(0);
    expect(runNode([mainJs, 'replay', 'fixtures/examples', 'no-such-case.json']).status).toBe(1);
  });
});
