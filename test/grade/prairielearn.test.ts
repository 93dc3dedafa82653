/**
 * PrairieLearn: `--format prairielearn` writes the external grader's
 * results.json (valid by PrairieLearn's rules, the same points as
 * Gradescope's, under 1 MB, format errors for an answer that cannot be
 * graded), and fixtures/prairielearn/entrypoint.sh run against a /grade
 * laid out in a temporary folder writes it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { toGradescope, toPrairieLearn, PRAIRIELEARN_LIMIT, type PrairieLearnResults } from '../../src/grade/formats.js';
import { gradeSubmission, type SandboxApi } from '../../src/grade/grader.js';
import { ROOT, submission, testSandbox } from './helpers.js';

const PL = join(ROOT, 'fixtures', 'prairielearn');
const T = 120_000;

let sandbox: SandboxApi;
beforeAll(async () => {
  sandbox = await testSandbox();
});

/** The rules of PrairieLearn's results.json (docs/externalGrading.md), checked field by field; returns what breaks them. */
function prairieLearnProblems(raw: unknown): string[] {
  const out: string[] = [];
  const r = raw as Record<string, unknown>;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return ['results must be an object'];
  if (Buffer.byteLength(JSON.stringify(r)) > 1_000_000) out.push('larger than 1 MB');
  const gradable = r.gradable ?? true;
  if (typeof gradable !== 'boolean') out.push('gradable must be a boolean');
  if (gradable) {
    if (typeof r.score !== 'number' || !(r.score >= 0 && r.score <= 1)) out.push(`score must be a number in [0, 1], got ${String(r.score)}`);
  } else {
    const fe = r.format_errors;
    if (!(typeof fe === 'string' || (Array.isArray(fe) && fe.every((x) => typeof x === 'string')))) out.push('format_errors must be a string or strings');
  }
  for (const k of ['message', 'output']) if (r[k] !== undefined && typeof r[k] !== 'string') out.push(`${k} must be a string`);
  if (r.tests !== undefined) {
    if (!Array.isArray(r.tests)) out.push('tests must be an array');
    else
      r.tests.forEach((t: Record<string, unknown>, i) => {
        for (const k of ['name', 'description', 'message', 'output']) if (typeof t[k] !== 'string') out.push(`tests[${i}].${k} must be a string`);
        for (const k of ['points', 'max_points']) if (typeof t[k] !== 'number' || !Number.isFinite(t[k] as number)) out.push(`tests[${i}].${k} must be a number`);
        if ((t.points as number) > (t.max_points as number)) out.push(`tests[${i}]: points above max_points`);
      });
  }
  return out;
}

describe('--format prairielearn', () => {
  it('is valid PrairieLearn results with the same points as Gradescope, test by test', async () => {
    for (const name of ['wrong-subtle', 'both-forms', 'correct-alt']) {
      const r = await gradeSubmission(submission(name), { sandbox, seed: 4 });
      const pl = toPrairieLearn(r);
      expect(prairieLearnProblems(pl), name).toEqual([]);
      expect(pl.gradable).toBe(true);
      expect(pl.score).toBeCloseTo(r.score / r.maxScore, 12);
      const gs = toGradescope(r).tests.filter((t) => t.score !== undefined);
      expect(pl.tests.map((t) => [t.name, t.points, t.max_points])).toEqual(gs.map((t) => [t.name, t.score, t.max_score]));
      expect(pl.message).toMatch(/seed 4/);
      expect(pl.message + pl.output).not.toMatch(/rerun with|--catalog|confinement/);
    }
  }, T);

  it('a submission none of whose answers can be graded is not gradable, with its format errors (no attempt lost)', async () => {
    const empty = toPrairieLearn(await gradeSubmission(submission('empty'), { sandbox, seed: 1 }));
    expect(prairieLearnProblems(empty)).toEqual([]);
    expect(empty.gradable).toBe(false);
    expect(empty.score).toBeUndefined();
    expect(empty.format_errors!.join()).toMatch(/neither answers\.json nor a code file/);
    const syntax = toPrairieLearn(await gradeSubmission(submission('syntax-error'), { sandbox, seed: 1, exercises: ['dropout-backward'] }));
    expect(syntax.gradable).toBe(false);
    expect(syntax.format_errors!.join()).toMatch(/could not be loaded/);
  }, T);

  it('stays under the 1 MB limit however long the feedback, cutting outputs and saying so', async () => {
    const r = await gradeSubmission(submission('wrong-subtle'), { sandbox, seed: 2 });
    const huge = { ...r, exercises: r.exercises.map((e) => ({ ...e, tests: e.tests.map((t) => ({ ...t, output: t.output + 'x'.repeat(200_000) })) })) };
    const pl = toPrairieLearn(huge);
    expect(Buffer.byteLength(JSON.stringify(pl))).toBeLessThanOrEqual(PRAIRIELEARN_LIMIT);
    expect(prairieLearnProblems(pl)).toEqual([]);
    expect(pl.tests[0]!.output).toMatch(/cut to fit PrairieLearn's 1 MB limit/);
    expect(pl.tests.reduce((a, t) => a + t.points, 0)).toBeCloseTo(r.score, 9);
  }, T);
});

describe('fixtures/prairielearn', () => {
  function gradeRoot(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), 'gp-pl-'));
    mkdirSync(join(root, 'student'), { recursive: true });
    mkdirSync(join(root, 'data'), { recursive: true });
    writeFileSync(join(root, 'data', 'data.json'), JSON.stringify({ params: {}, correct_answers: {}, submitted_answers: {} }));
    for (const [n, text] of Object.entries(files)) writeFileSync(join(root, 'student', n), text);
    return root;
  }
  const run = (root: string, env: Record<string, string> = {}): ReturnType<typeof spawnSync> =>
    spawnSync('bash', [join(PL, 'entrypoint.sh')], { encoding: 'utf8', env: { ...process.env, GRADE_ROOT: root, GRADPROOF_PROJECT: ROOT, GRADPROOF_EXERCISES: 'sigmoid-derivative', ...env } });

  it('the entrypoint grades /grade/student (a Python answer) and writes /grade/results/results.json', () => {
    const root = gradeRoot({ 'gradients.py': readFileSync(join(submission('python/correct-numpy'), 'gradients.py'), 'utf8') });
    const r = run(root);
    expect(r.status, String(r.stderr)).toBe(0);
    const res = JSON.parse(readFileSync(join(root, 'results', 'results.json'), 'utf8')) as PrairieLearnResults;
    expect(prairieLearnProblems(res)).toEqual([]);
    expect(res).toMatchObject({ gradable: true, score: 1 });
    expect(res.tests.map((t) => t.name)).toEqual(['sigmoid-derivative: generic points', 'sigmoid-derivative: edge region']);
    expect(readdirSync(join(root, 'student'))).toEqual(['gradients.py']); // the submission itself untouched
  }, T);

  it('takes the grading root as its argument, and finds its own project without being told', () => {
    const root = gradeRoot({ 'answers.json': JSON.stringify({ 'sigmoid-derivative': 'exp(-a)/(1+exp(-a))^2' }) });
    const env: NodeJS.ProcessEnv = { ...process.env, GRADPROOF_EXERCISES: 'sigmoid-derivative' };
    delete env.GRADE_ROOT;
    delete env.GRADPROOF_PROJECT;
    const r = spawnSync('bash', [join(PL, 'entrypoint.sh'), root], { encoding: 'utf8', env });
    expect(r.status, String(r.stderr)).toBe(0);
    expect(JSON.parse(readFileSync(join(root, 'results', 'results.json'), 'utf8'))).toMatchObject({ gradable: true, score: 1 });
  }, T);

  it('a wrong JavaScript answer scores what Gradescope scores; an empty upload is not gradable', () => {
    const root = gradeRoot({ 'gradients.js': 'export const sigmoidDerivative = (a) => -Math.exp(-a) / (1 + Math.exp(-a)) ** 2;\n' });
    expect(run(root).status).toBe(0);
    const res = JSON.parse(readFileSync(join(root, 'results', 'results.json'), 'utf8')) as PrairieLearnResults;
    expect(res).toMatchObject({ gradable: true, score: 0 });
    expect(res.tests[0]!.output).toMatch(/sign flipped/);
    const none = gradeRoot({});
    expect(run(none).status).toBe(0);
    const e = JSON.parse(readFileSync(join(none, 'results', 'results.json'), 'utf8')) as PrairieLearnResults;
    expect(e.gradable).toBe(false);
    expect(prairieLearnProblems(e)).toEqual([]);
  }, T);

  it('the example question asks for external grading with the image and entrypoint of the Dockerfile', () => {
    const info = JSON.parse(readFileSync(join(PL, 'questions', 'sigmoidDerivative', 'info.json'), 'utf8')) as { gradingMethod: string; externalGradingOptions: { enabled: boolean; entrypoint: string; image: string; environment: Record<string, string> } };
    expect(info.gradingMethod).toBe('External');
    expect(info.externalGradingOptions).toMatchObject({ enabled: true, entrypoint: '/gradproof/fixtures/prairielearn/entrypoint.sh' });
    const docker = readFileSync(join(PL, 'Dockerfile'), 'utf8');
    expect(docker).toMatch(/WORKDIR \/gradproof/);
    expect(docker).toMatch(/python3-numpy/);
    expect(docker).toMatch(/bubblewrap/);
    expect(info.externalGradingOptions.environment.GRADPROOF_EXERCISES).toBe('sigmoid-derivative');
    const html = readFileSync(join(PL, 'questions', 'sigmoidDerivative', 'question.html'), 'utf8');
    expect(html).toMatch(/<pl-file-editor file-name="gradients\.py"/);
    expect(html).toMatch(/<pl-external-grader-results>/);
  });
});
