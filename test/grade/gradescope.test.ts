/**
 * The Gradescope autograder in fixtures/gradescope: run_autograder grades a
 * copy of the submission (found in a nested folder too) and writes
 * results.json with the catalog's visibilities and a hidden staff test; the
 * zip holds what Gradescope needs; setup.sh installs Node 22 LTS, production
 * dependencies and the peers, and smoke-tests a code answer.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, submission } from './helpers.js';

const GS = join(ROOT, 'fixtures', 'gradescope');

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/src/cli/main.js')) || !existsSync(join(ROOT, 'dist/src/grade/grader.js'))) {
    spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  }
}, 120_000);

function fakeAutograder(sub: string, nested: string | undefined): string {
  const root = mkdtempSync(join(tmpdir(), 'gp-autograder-'));
  mkdirSync(join(root, 'source'), { recursive: true });
  symlinkSync(ROOT, join(root, 'source', 'gradproof'));
  const dest = nested ? join(root, 'submission', nested) : join(root, 'submission');
  mkdirSync(dest, { recursive: true });
  cpSync(submission(sub), dest, { recursive: true });
  return root;
}

describe('Gradescope results from the catalog', () => {
  it("carry each test's visibility and the catalog's stdout_visibility", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-vis-'));
    cpSync(join(ROOT, 'fixtures', 'exercises'), dir, { recursive: true });
    const file = join(dir, 'sigmoid-derivative.json');
    const spec = JSON.parse(readFileSync(file, 'utf8')) as { tests: { visibility?: string }[] };
    spec.tests[0]!.visibility = 'after_due_date';
    spec.tests[1]!.visibility = 'hidden';
    writeFileSync(file, JSON.stringify(spec));
    writeFileSync(join(dir, '_settings.json'), JSON.stringify({ stdoutVisibility: 'after_published' }));
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'grade', submission('both-forms'), '--catalog', dir, '--exercises', 'sigmoid-derivative,kl-sparsity-derivative', '--format', 'gradescope', '--seed', '2'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const g = JSON.parse(r.stdout) as { stdout_visibility: string; tests: { name: string; visibility: string }[] };
    expect(g.stdout_visibility).toBe('after_published');
    expect(Object.fromEntries(g.tests.map((t) => [t.name, t.visibility]))).toEqual({
      'sigmoid-derivative: generic points': 'after_due_date',
      'sigmoid-derivative: edge region': 'hidden',
      'kl-sparsity-derivative: generic points': 'visible',
      'kl-sparsity-derivative: edge region': 'visible',
      'staff: reproduce this grade': 'hidden',
    });
    const staff = g.tests.at(-1) as unknown as { output: string };
    expect(staff.output).toContain(`--catalog ${dir}`);
  }, 120_000);

  it('refuses a visibility Gradescope does not know, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-vis-'));
    cpSync(join(ROOT, 'fixtures', 'exercises'), dir, { recursive: true });
    const file = join(dir, 'l2-penalty-gradient.json');
    const spec = JSON.parse(readFileSync(file, 'utf8')) as { tests: { visibility?: string }[] };
    spec.tests[2]!.visibility = 'secret';
    writeFileSync(file, JSON.stringify(spec));
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'catalog', 'check', dir], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/l2-penalty-gradient\.json: tests\[2\]\.visibility must be one of visible, hidden, after_due_date, after_published/);
  });
});

describe('fixtures/gradescope', () => {
  it('run_autograder writes results.json, finding answers uploaded inside a folder', () => {
    const root = fakeAutograder('both-forms', 'my-homework');
    const r = spawnSync('bash', [join(GS, 'run_autograder')], {
      encoding: 'utf8',
      env: { ...process.env, AUTOGRADER_ROOT: root, GRADPROOF_SEED: '3', GRADPROOF_EXERCISES: 'sigmoid-derivative,kl-sparsity-derivative' },
    });
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(readFileSync(join(root, 'results', 'results.json'), 'utf8')) as {
      score: number;
      max_score: number;
      output: string;
      tests: { name: string; status: string }[];
    };
    expect(res).toMatchObject({ score: 6, max_score: 8 });
    expect(res.output).toMatch(/seed 3/);
    expect(res.tests.map((t) => t.name)).toEqual([
      'sigmoid-derivative: generic points',
      'sigmoid-derivative: edge region',
      'kl-sparsity-derivative: generic points',
      'kl-sparsity-derivative: edge region',
      'staff: reproduce this grade',
    ]);
    expect(res.tests.at(-1)).toMatchObject({ visibility: 'hidden' });
    expect(res).toMatchObject({ stdout_visibility: 'hidden' });
    // The submission itself is untouched.
    expect(readFileSync(join(root, 'submission', 'my-homework', 'answers.json'), 'utf8')).toBe(readFileSync(join(submission('both-forms'), 'answers.json'), 'utf8'));
  }, 120_000);

  it('run_autograder grades an empty upload to zero rather than failing', () => {
    const root = fakeAutograder('empty', undefined);
    const r = spawnSync('bash', [join(GS, 'run_autograder')], { encoding: 'utf8', env: { ...process.env, AUTOGRADER_ROOT: root, GRADPROOF_EXERCISES: 'dropout-backward' } });
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(readFileSync(join(root, 'results', 'results.json'), 'utf8')) as { score: number; output: string };
    expect(res.score).toBe(0);
    expect(res.output).toMatch(/neither answers.json nor a code file/);
  }, 120_000);

  it('make_autograder_zip.sh packs setup.sh, run_autograder and the project (not the student fixtures)', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'gp-zip-')), 'autograder.zip');
    const r = spawnSync('bash', [join(GS, 'make_autograder_zip.sh'), out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const list = spawnSync('unzip', ['-Z1', out], { encoding: 'utf8' }).stdout.split('\n');
    for (const f of ['setup.sh', 'run_autograder', 'gradproof/package.json', 'gradproof/package-lock.json', 'gradproof/fixtures/exercises/sigmoid-derivative.json', 'gradproof/src/grade/grader.ts']) {
      expect(list).toContain(f);
    }
    expect(list.some((f) => f.startsWith('gradproof/fixtures/submissions'))).toBe(false);
    expect(list.some((f) => f.startsWith('gradproof/node_modules'))).toBe(false);
  }, 60_000);

  it('setup.sh installs Node 22 LTS, builds once, keeps production dependencies and the locked peers, and smoke-tests a code answer (and parses)', () => {
    const s = readFileSync(join(GS, 'setup.sh'), 'utf8');
    expect(s).toMatch(/setup_22\.x/);
    expect(s).toMatch(/npm ci\nnpm run build\n/);
    expect(s).toMatch(/npm ci --omit=dev/);
    expect(s).toMatch(/packages\['node_modules\/isolated-vm'\]\.version/);
    expect(s).toMatch(/grade "\$SMOKE" --exercises sigmoid-derivative/);
    expect(spawnSync('bash', ['-n', join(GS, 'setup.sh')]).status).toBe(0);
    expect(spawnSync('bash', ['-n', join(GS, 'run_autograder')]).status).toBe(0);
    expect(readFileSync(join(GS, 'README.md'), 'utf8')).toMatch(/results\.json/);
  });
});
