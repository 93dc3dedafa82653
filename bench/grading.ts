import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync, mkdirSync, copyFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gradeBatch } from '../src/grade/batch.js';
import { defaultCatalogDir, loadCatalog } from '../src/grade/catalog.js';
import { defaultSandbox, type SandboxApi } from '../src/grade/grader.js';
import type { SandboxSession } from '../src/grade/sandbox/index.js';
import { table } from '../src/cli/format.js';
import { disableWall, enableWall } from '../src/grade/sandbox/wall.js';
import { fmt } from './timing.js';

/** The fixture submissions a class is generated from (code answers, right and wrong). */
const TEMPLATES = ['correct-code', 'correct-alt', 'wrong-subtle', 'wrong-missing-transpose', 'wrong-kl-erratum', 'misbehaving'];

/** The Python fixture submissions a Python class is generated from. */
const PYTHON_TEMPLATES = ['python/correct-numpy', 'python/notebook', 'python/wrong'];

/** Expression answers (answers.json only) a class of expression submissions is generated from. */
const EXPRESSION_TEMPLATES = ['correct-expressions', 'wrong-sign', 'both-forms'];

const fixturesDir = (): string => join(dirname(defaultCatalogDir()), 'submissions');

/** Writes `n` code submissions into a fresh folder, cycling through the templates, each file made unique by a header comment. */
function generateClass(n: number, templates: readonly string[] = TEMPLATES): string {
  const dir = mkdtempSync(join(tmpdir(), 'gradproof-bench-class-'));
  for (let i = 0; i < n; i++) {
    const t = templates[i % templates.length]!;
    const dest = join(dir, `student-${String(i).padStart(3, '0')}`);
    cpSync(join(fixturesDir(), t), dest, { recursive: true });
    for (const f of readdirSync(dest)) {
      if (!/^gradients\.(m?js|ts|py)$/.test(f)) continue;
      const p = join(dest, f);
      const mark = f.endsWith('.py') ? '#' : '//';
      writeFileSync(p, `${mark} student ${i} (from ${t})\n${readFileSync(p, 'utf8')}`);
    }
  }
  return dir;
}

/** `n` submissions of answers.json only. */
function generateExpressionClass(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'gradproof-bench-expr-'));
  for (let i = 0; i < n; i++) {
    const dest = join(dir, `student-${String(i).padStart(3, '0')}`);
    mkdirSync(dest);
    copyFileSync(join(fixturesDir(), EXPRESSION_TEMPLATES[i % EXPRESSION_TEMPLATES.length]!, 'answers.json'), join(dest, 'answers.json'));
  }
  return dir;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Counts calls (a batch counts each of its argument lists); `oneByOne` hides callMany, as the grader called before batches existed. */
function counting(real: SandboxApi, counter: { calls: number }, oneByOne = false): SandboxApi {
  return {
    findCodeFile: (d) => real.findCodeFile(d),
    ...(real.otherCodeFiles ? { otherCodeFiles: real.otherCodeFiles } : {}),
    confinement: () => real.confinement(),
    async openSandbox(d, limits) {
      const s = await real.openSandbox(d, limits);
      const wrapped: SandboxSession = {
        get loadError() {
          return s.loadError;
        },
        get exports() {
          return s.exports;
        },
        fresh: () => s.fresh(),
        ...(s.language ? { language: s.language } : {}),
        ...(s.notes ? { notes: s.notes } : {}),
        call: (req) => {
          counter.calls++;
          return s.call(req);
        },
        close: () => s.close(),
      };
      if (s.callMany && !oneByOne) {
        wrapped.callMany = (req) => {
          counter.calls += req.argsList.length;
          return s.callMany!(req);
        };
      }
      return wrapped;
    },
  };
}

/** One sandbox's costs: start (open, first call, close), a fresh isolate, one call, one call of a batch of 40. */
async function sandboxCosts(real: SandboxApi, dir: string): Promise<string[][]> {
  const sub = join(dir, 'student-000');
  const starts: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    const s = await real.openSandbox(sub);
    await s.call({ exportName: 'sigmoidDerivative', args: [0.5] });
    await s.close();
    starts.push(performance.now() - t0);
  }
  const s = await real.openSandbox(sub);
  try {
    const fresh: number[] = [];
    for (let i = 0; i < 20; i++) {
      await s.call({ exportName: 'sigmoidDerivative', args: [i] });
      const t0 = performance.now();
      await s.fresh();
      fresh.push(performance.now() - t0);
    }
    const one: number[] = [];
    for (let i = 0; i < 400; i++) {
      const t0 = performance.now();
      await s.call({ exportName: 'sigmoidDerivative', args: [i / 100] });
      one.push(performance.now() - t0);
    }
    const batched: number[] = [];
    for (let k = 0; k < 20; k++) {
      const argsList = Array.from({ length: 40 }, (_, i) => [(i - k) / 10]);
      const t0 = performance.now();
      await s.callMany!({ exportName: 'sigmoidDerivative', argsList });
      batched.push((performance.now() - t0) / 40);
    }
    return [
      ['sandbox start (open, first call, close)', fmt(median(starts), 1)],
      ['fresh isolate (module loaded again)', fmt(median(fresh), 2)],
      ['one call, one round trip', fmt(median(one), 3)],
      ['one call of a batch of 40 (callMany)', fmt(median(batched), 3)],
    ];
  } finally {
    await s.close();
  }
}

/**
 * Grading throughput: a class of `n` code submissions (from a few templates)
 * graded in batch through the sandbox with bounded parallelism, against the
 * whole catalog — with the operating-system wall, with it and calls one at a
 * time (the grader before batched calls: the baseline), and without the wall;
 * then expression answers, the sandbox's own costs, and Python.
 */
export async function benchGrading(log: (s: string) => void, n = 200, jobs = Math.min(4, availableParallelism())): Promise<void> {
  const catalog = loadCatalog();
  const real = await defaultSandbox();
  const counter = { calls: 0 };
  const dir = generateClass(n);
  try {
    const rows: string[][] = [];
    const rates: Record<string, number> = {};
    const runs = [
      { name: 'wall on, calls batched', wall: true, oneByOne: false },
      { name: 'wall on, one call at a time (baseline)', wall: true, oneByOne: true },
      { name: 'wall off, calls batched', wall: false, oneByOne: false },
    ];
    for (const run of runs) {
      if (!run.wall) disableWall('switched off for the benchmark baseline');
      counter.calls = 0;
      const t0 = performance.now();
      const reports = (await gradeBatch(dir, { catalog, sandbox: counting(real, counter, run.oneByOne), seed: 1, jobs })).entries.map((e) => e.report);
      const seconds = (performance.now() - t0) / 1000;
      enableWall();
      const full = reports.filter((r) => r.score === r.maxScore).length;
      rates[run.name] = n / seconds;
      rows.push([run.name, reports[0]?.confinement ?? '—', String(jobs), String(n), fmt(seconds, 1), fmt(n / seconds, 1), String(counter.calls), fmt(median(reports.map((r) => r.ms)), 0), `${full}/${n}`]);
    }
    log(`grading: a class of ${n} code submissions (${TEMPLATES.length} templates), ${catalog.ids.length} exercises, seed 1, ${availableParallelism()} cores`);
    log(table(['run', 'layers', 'jobs', 'submissions', 'wall s', 'submissions/s', 'sandbox calls', 'median ms per submission', 'full marks'], rows));
    const on = rates['wall on, calls batched']!;
    log(`batched calls: ${fmt(on / rates['wall on, one call at a time (baseline)']!, 2)}× the submissions per second of one call at a time; the wall costs ${fmt((1 - on / rates['wall off, calls batched']!) * 100, 0)}% (target: 10 submissions/s with the wall on)`);

    log('');
    log(`the sandbox's costs (ms, median), wall on`);
    log(table(['what', 'ms'], await sandboxCosts(real, dir)));

    // expression answers (answers.json only): graded on the host
    const exprDir = generateExpressionClass(n);
    try {
      const t0 = performance.now();
      const reports = (await gradeBatch(exprDir, { catalog, seed: 1, jobs })).entries.map((e) => e.report);
      const seconds = (performance.now() - t0) / 1000;
      log('');
      log(`grading: a class of ${n} expression submissions (answers.json of ${EXPRESSION_TEMPLATES.join(', ')}), ${catalog.ids.length} exercises`);
      log(table(['answers', 'jobs', 'submissions', 'wall s', 'submissions/s', 'median ms per submission'], [['expressions', String(jobs), String(n), fmt(seconds, 1), fmt(n / seconds, 1), fmt(median(reports.map((r) => r.ms)), 0)]]));
    } finally {
      rmSync(exprDir, { recursive: true, force: true });
    }

    // Python submissions in the same run, with the wall on
    const pyDir = generateClass(Math.round(n / 2), PYTHON_TEMPLATES);
    try {
      counter.calls = 0;
      const t0 = performance.now();
      const reports = (await gradeBatch(pyDir, { catalog, sandbox: counting(real, counter), seed: 1, jobs })).entries.map((e) => e.report);
      const seconds = (performance.now() - t0) / 1000;
      const m = reports.length;
      const fullPy = reports.filter((r) => r.score === r.maxScore).length;
      log('');
      log(`grading: a class of ${m} Python submissions (${PYTHON_TEMPLATES.join(', ')}), ${catalog.ids.length} exercises, wall on`);
      log(table(['language', 'jobs', 'submissions', 'wall s', 'submissions/s', 'sandbox calls', 'median ms per submission', 'full marks'], [
        ['python', String(jobs), String(m), fmt(seconds, 1), fmt(m / seconds, 1), String(counter.calls), fmt(median(reports.map((r) => r.ms)), 0), `${fullPy}/${m}`],
      ]));
    } finally {
      rmSync(pyDir, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
