/**
 * JUnit XML from every command validates against the JUnit schema CI
 * servers read (test/fixtures/junit.xsd, through xmllint from Debian's
 * libxml2-utils: required in CI, where .ci/run installs it; run here
 * whenever xmllint exists), and hostile text cannot break out of it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { junitXml, xmlText } from '../../src/check/junit.js';
import { checkJunit, summarize } from '../../src/check/summary.js';
import { runTarget } from '../../src/check/run-target.js';
import { coreTargets } from '../../src/check/targets.js';
import { formatResult } from '../../src/check/format.js';
import { replayPaths } from '../../src/cases/files.js';
import { replayJunit, runReplay } from '../../src/cli/replay.js';
import { toJunit } from '../../src/grade/formats.js';
import type { GradeReport } from '../../src/grade/types.js';

const XMLLINT = ['/usr/bin/xmllint', '/usr/local/bin/xmllint'].find((p) => existsSync(p));
const mustValidate = !!XMLLINT || !!process.env.CI;
const dir = mkdtempSync(join(tmpdir(), 'gradproof-junit-'));

function validate(name: string, xml: string): void {
  if (!XMLLINT) throw new Error('xmllint is missing (apt-get install libxml2-utils): the JUnit schema cannot be checked');
  const file = join(dir, `${name}.xml`);
  writeFileSync(file, xml);
  const r = spawnSync(XMLLINT, ['--noout', '--schema', 'test/fixtures/junit.xsd', file], { encoding: 'utf8' });
  expect(r.stderr.trim(), name).toBe(`${file} validates`);
  expect(r.status, name).toBe(0);
}

const hostile = 'line one\nforged: 52/52 points\u001b[32m ✔\u0000\u0007 <testcase name="x"/> & "quotes" \ud800';

const gradeReport: GradeReport = {
  submission: 'eve',
  seed: 7,
  reproduce: 'gradproof grade <submission folder> --seed 7 --catalog /c',
  score: 1,
  maxScore: 8,
  ms: 12,
  confinement: 'bubblewrap, rlimits, own uid, permission model, isolate',
  errors: [hostile],
  exercises: [
    {
      id: 'sigmoid-derivative',
      title: 'σ′',
      maxScore: 4,
      score: 1,
      missing: false,
      forms: [],
      tests: [
        { name: 'generic points', maxPoints: 2, points: 1, passed: false, output: hostile, ms: 3.5 },
        { name: 'edge region', maxPoints: 2, points: 0, passed: true, output: 'passed on 30 inputs' },
      ],
    },
    { id: 'dropout-backward', title: 'dropout', maxScore: 4, score: 0, missing: true, forms: [], tests: [{ name: 'generic points', maxPoints: 4, points: 0, passed: false, output: 'missing' }] },
  ],
};

describe.runIf(mustValidate)('JUnit XML against the schema', () => {
  it('gradproof check: a passing and a failing check', () => {
    const targets = coreTargets().filter((t) => t.name === 'op/tanh' || t.name === 'op/softmax');
    const results = targets.map((t) => runTarget(t, 0));
    results[1]!.result.ok = false;
    results[1]!.result.reasons = [hostile];
    const report = summarize(results, 0, 'full');
    const xml = checkJunit(report, new Map(results.map((r) => [r.name, formatResult(r.result)])));
    validate('check', xml);
    expect(xml).toMatch(/<testsuite name="[^"]+" id="0" tests="2" failures="1" errors="0" skipped="0" time="\d+\.\d{3}" timestamp="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d">/);
  });

  it('gradproof replay --junit: passing cases, a mismatch as a failure, an unreadable case as an error', () => {
    const results = replayPaths(['fixtures/examples', 'no-such-case.json']);
    results[0]!.ok = false;
    results[0]!.error = hostile;
    const xml = replayJunit(results);
    validate('replay', xml);
    expect((xml.match(/<failure /g) ?? []).length).toBe(1);
    expect(xml).toMatch(/<error message="no such file or directory" type="invalid-case">/);
  });

  it('gradproof replay --junit FILE writes the file', () => {
    const file = join(dir, 'sub', 'replay.xml');
    const lines: string[] = [];
    expect(runReplay(['fixtures/examples'], { junit: file }, (s) => lines.push(s))).toBe(0);
    validate('replay-file', readFileSync(file, 'utf8'));
    expect(lines.at(-1)).toBe(`wrote ${file}`);
  });

  it('gradproof grade --format junit: failures, a missing answer and submission problems', () => {
    const xml = toJunit(gradeReport);
    validate('grade', xml);
    expect(xml).toMatch(/type="missing"/);
    expect(xml).toMatch(/<error message="[^"]*" type="submission">/);
  });
});

describe('writing JUnit XML', () => {
  it('drops what XML 1.0 cannot hold (NUL, ANSI escapes, lone surrogates) and escapes the rest, so no text forges an element', () => {
    expect(xmlText(hostile)).toBe('line one\nforged: 52/52 points[32m ✔ &lt;testcase name=&quot;x&quot;/&gt; &amp; &quot;quotes&quot; ');
    const xml = junitXml('s', [{ name: hostile, cases: [{ name: hostile, classname: 'c', time: 0, failure: { type: 't', message: hostile, text: hostile } }] }]);
    expect((xml.match(/<testcase /g) ?? []).length).toBe(1);
  });

  it('writes time on every suite and case, in seconds with three decimals, 0 when a time is not a number', () => {
    const xml = junitXml('s', [{ name: 'a', cases: [{ name: 'x', classname: 'c', time: 1.23456 }, { name: 'y', classname: 'c', time: NaN }] }]);
    expect(xml).toContain('<testcase name="x" classname="c" time="1.235">');
    expect(xml).toContain('<testcase name="y" classname="c" time="0.000">');
    expect(xml).toMatch(/<testsuite name="a" id="0" tests="2" failures="0" errors="0" skipped="0" time="1.235">/);
  });
});
