import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { caseFiles, GRAD_RTOL, LOSS_RTOL, replayFile, replayPaths } from '../../src/cases/index.js';

const root = process.cwd();
const fixturesDir = resolve(root, 'fixtures/cases');
const examplesDir = resolve(root, 'fixtures/examples');

const jsonIn = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));

const fixtures = jsonIn(fixturesDir);
const examples = jsonIn(examplesDir);

describe('the committed case files', () => {
  it('include at least 30 fixtures and the documented examples', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
    expect(examples.length).toBeGreaterThanOrEqual(1);
  });

  it('have unique names that match their file names', () => {
    const names = fixtures.map((f) => (JSON.parse(readFileSync(f, 'utf8')) as { name: string }).name);
    expect(new Set(names).size).toBe(names.length);
    fixtures.forEach((f, i) => expect(f.endsWith(`${names[i]}.json`)).toBe(true));
  });
});

describe.each([
  ['fixture', fixtures],
  ['documented example', examples],
])('replaying every %s', (_kind, files) => {
  it.each(files.map((f) => [f.slice(f.lastIndexOf('/') + 1), f]))('matches %s', (_name, file) => {
    const r = replayFile(file);
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.file).toBe(file);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { name: string; expected: { loss: number; grads: Record<string, number[]> } };
    expect(r.name).toBe(doc.name);
    // the reported errors are within the spec's tolerances
    expect(r.lossError).toBeLessThanOrEqual(LOSS_RTOL * Math.max(1, Math.abs(doc.expected.loss)));
    const scale = Math.max(1, ...Object.values(doc.expected.grads).flat().map(Math.abs));
    expect(r.maxGradError).toBeLessThanOrEqual(GRAD_RTOL * scale);
  });
});

describe('replayPaths', () => {
  it('expands a directory into its sorted .json files and replays them all', () => {
    const { files, missing } = caseFiles([fixturesDir]);
    expect(missing).toEqual([]);
    expect(files).toEqual(fixtures);
    const results = replayPaths([fixturesDir, examplesDir]);
    expect(results).toHaveLength(fixtures.length + examples.length);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });

  it('reports a path that does not exist as a failed case', () => {
    const results = replayPaths([join(fixturesDir, 'no-such-case.json')]);
    expect(results).toHaveLength(1);
    expect(results[0]!.ok).toBe(false);
    expect(results[0]!.error).toMatch(/no such file/);
  });
});
