import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gradeBatch } from '../src/grade/batch.js';
import { defaultCatalogDir, loadCatalog } from '../src/grade/catalog.js';
import { defaultSandbox, type SandboxApi } from '../src/grade/grader.js';
import { table } from '../src/cli/format.js';
import { disableWall, enableWall } from '../src/grade/sandbox/wall.js';
import { fmt } from './timing.js';

/** The fixture submissions a class is generated from (code answers, right and wrong). */
const TEMPLATES = ['correct-code', 'correct-alt', 'wrong-subtle', 'wrong-missing-transpose', 'wrong-kl-erratum', 'misbehaving'];

/** The Python fixture submissions a Python class is generated from. */
const PYTHON_TEMPLATES = ['python/correct-numpy', 'python/notebook', 'python/wrong'];

/** Writes `n` code submissions into a fresh folder, cycling through the templates, each file made unique by a header comment. */
function generateClass(n: number, templates: readonly string[] = TEMPLATES): string {
  const fixtures = join(dirname(defaultCatalogDir()), 'submissions');
  const dir = mkdtempSync(join(tmpdir(), 'gradproof-bench-class-'));
  for (let i = 0; i < n; i++) {
    const t = templates[i % templates.length]!;
    const dest = join(dir, `student-${String(i).padStart(3, '0')}`);
    cpSync(join(fixtures, t), dest, { recursive: true });
    for (const f of readdirSync(dest)) {
      if (!/^gradients\.(m?js|ts|py)$/.test(f)) continue;
      const p = join(dest, f);
      const mark = f.endsWith('.py') ? '#' : '//';
      writeFileSync(p, `${mark} student ${i} (from ${t})\n${readFileSync(p, 'utf8')}`);
    }
  }
  return dir;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/**
 * Grading throughput: a class of `n` code submissions (from a few templates)
 * graded in batch through the sandbox with bounded parallelism, against the
 * whole catalog. Reports submissions per second and sandbox calls per second.
 */
export async function benchGrading(log: (s: string) => void, n = 200, jobs = Math.min(4, availableParallelism())): Promise<void> {
  const catalog = loadCatalog();
  const real = await defaultSandbox();
  let calls = 0;
  const counting: SandboxApi = {
    findCodeFile: (d) => real.findCodeFile(d),
    ...(real.otherCodeFiles ? { otherCodeFiles: real.otherCodeFiles } : {}),
      confinement: () => real.confinement(),
    async openSandbox(d, limits) {
      const s = await real.openSandbox(d, limits);
      return {
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
          calls++;
          return s.call(req);
        },
        ...(s.callMany
          ? {
              callMany: (req: Parameters<NonNullable<typeof s.callMany>>[0]) => {
                calls += req.argsList.length;
                return s.callMany!(req);
              },
            }
          : {}),
        close: () => s.close(),
      };
    },
  };
  const dir = generateClass(n);
  try {
    const rows: string[][] = [];
    // the same class twice in one run: with the operating-system wall, and without it (the baseline)
    for (const wall of ['on', 'off'] as const) {
      if (wall === 'off') disableWall('switched off for the benchmark baseline');
      calls = 0;
      const t0 = performance.now();
      const reports = (await gradeBatch(dir, { catalog, sandbox: counting, seed: 1, jobs })).entries.map((e) => e.report);
      const seconds = (performance.now() - t0) / 1000;
      enableWall();
      const perSub = reports.map((r) => r.ms);
      const full = reports.filter((r) => r.score === r.maxScore).length;
      rows.push([`${wall} (${reports[0]?.confinement ?? '—'})`, String(jobs), String(n), fmt(seconds, 1), fmt(n / seconds, 1), String(calls), fmt(calls / seconds, 0), fmt(median(perSub), 0), `${full}/${n}`]);
    }
    const on = Number(rows[0]![4]);
    const off = Number(rows[1]![4]);
    log(`grading: a class of ${n} code submissions (${TEMPLATES.length} templates), ${catalog.ids.length} exercises, seed 1`);
    log(table(['wall (layers)', 'jobs', 'submissions', 'wall s', 'submissions/s', 'sandbox calls', 'calls/s', 'median ms per submission', 'full marks'], rows));
    log(`the wall costs ${fmt((1 - on / off) * 100, 0)}% of throughput (on/off = ${fmt(on / off, 2)})`);

    // Python submissions in the same run, with the wall on
    const pyDir = generateClass(Math.round(n / 2), PYTHON_TEMPLATES);
    try {
      calls = 0;
      const t0 = performance.now();
      const reports = (await gradeBatch(pyDir, { catalog, sandbox: counting, seed: 1, jobs })).entries.map((e) => e.report);
      const seconds = (performance.now() - t0) / 1000;
      const m = reports.length;
      const fullPy = reports.filter((r) => r.score === r.maxScore).length;
      log('');
      log(`grading: a class of ${m} Python submissions (${PYTHON_TEMPLATES.join(', ')}), ${catalog.ids.length} exercises, wall on`);
      log(table(['language', 'jobs', 'submissions', 'wall s', 'submissions/s', 'sandbox calls', 'calls/s', 'median ms per submission', 'full marks'], [
        ['python', String(jobs), String(m), fmt(seconds, 1), fmt(m / seconds, 1), String(calls), fmt(calls / seconds, 0), fmt(median(reports.map((r) => r.ms)), 0), `${fullPy}/${m}`],
        ['javascript (above, wall on)', ...rows[0]!.slice(1)],
      ]));
    } finally {
      rmSync(pyDir, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
