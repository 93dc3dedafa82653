/**
 * The session's contract: finding the code file, load errors, exports,
 * queueing, hard deadlines, recovery after the child dies, closing, the
 * child's identity and environment, parallel sessions and throughput.
 */
import { UID_BASE, UID_POOL_SIZE, wallStatus } from '../../../src/grade/sandbox/wall.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findCodeFile, openSandbox, sandboxChildInfo, type SandboxSession } from '../../../src/grade/sandbox/index.js';
import {
  expectError,
  expectHonest,
  expectValue,
  fixture,
  isRoot,
  l2PenaltyGradient,
  REPO_DIR,
  sigmoidDerivative,
  TEST_LIMITS,
  TEST_TIMEOUT_MS,
  withSession,
} from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'gradproof-sandbox-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let counter = 0;
/** A submission folder with the given files. */
function submission(files: Record<string, string>): string {
  const dir = join(scratch, `s${++counter}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const HONEST = `
export function sigmoidDerivative(a) { const s = 1 / (1 + Math.exp(-a)); return s * (1 - s); }
export function l2PenaltyGradient(w, alpha) { const g = new Array(w.length); for (let i = 0; i < w.length; i++) g[i] = alpha * w[i]; return g; }
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('finding the code file', () => {
  it('prefers gradients.ts, then gradients.mjs, then gradients.js', async () => {
    const all = submission({
      'gradients.ts': 'export function which(): string { return "ts"; }',
      'gradients.mjs': 'export function which() { return "mjs"; }',
      'gradients.js': 'export function which() { return "js"; }',
    });
    expect(findCodeFile(all)).toBe(join(all, 'gradients.ts'));
    const noTs = submission({
      'gradients.mjs': 'export function which() { return "mjs"; }',
      'gradients.js': 'export function which() { return "js"; }',
    });
    expect(findCodeFile(noTs)).toBe(join(noTs, 'gradients.mjs'));
    const onlyJs = submission({ 'gradients.js': 'export function which() { return "js"; }' });
    expect(findCodeFile(onlyJs)).toBe(join(onlyJs, 'gradients.js'));
    await withSession(all, async (s) => {
      expect(expectValue(await s.call({ exportName: 'which', args: [] }))).toBe('ts');
    });
  }, TEST_TIMEOUT_MS);

  it('ignores symbolic links and folders, and reports a missing file as a load error', async () => {
    const target = join(scratch, 'outside.js');
    writeFileSync(target, 'export function secret() { return "grader reference"; }');
    const dir = submission({});
    symlinkSync(target, join(dir, 'gradients.js'));
    mkdirSync(join(dir, 'gradients.ts'));
    expect(findCodeFile(dir)).toBeUndefined();
    expect(findCodeFile(join(scratch, 'no-such-folder'))).toBeUndefined();
    await withSession(dir, async (s) => {
      expect(s.loadError).toMatch(/^load: no gradients\.ts, gradients\.mjs or gradients\.js found/);
      expect(s.exports).toEqual([]);
      expect(sandboxChildInfo(s)).toBeUndefined();
      const err = expectError(await s.call({ exportName: 'secret', args: [] }), 'load');
      expect(err).toContain('secret() did not run');
    });
  }, TEST_TIMEOUT_MS);
});

describe('loading', () => {
  it('a JavaScript syntax error is a load error that names the file and position', async () => {
    await withSession(submission({ 'gradients.js': 'export function sigmoidDerivative(a) {\n  return a +;\n}' }), async (s) => {
      expect(s.loadError).toMatch(/^load: syntax error in gradients\.js: .*gradients\.js:2/);
    });
  }, TEST_TIMEOUT_MS);

  it('a TypeScript syntax error is a load error found while transpiling', async () => {
    await withSession(submission({ 'gradients.ts': 'export function f(a: number {\n  return a;\n}' }), async (s) => {
      expect(s.loadError).toMatch(/^load: syntax error in gradients\.ts: .*\(line 1, column \d+\)/);
    });
  }, TEST_TIMEOUT_MS);

  it('lists only exported functions, and a missing or non-function export is a missing error', async () => {
    const dir = submission({ 'gradients.js': `${HONEST}\nexport const rate = 0.1;\nexport default function () { return 1; }` });
    await withSession(dir, async (s) => {
      expect(s.loadError).toBeUndefined();
      expect(s.exports).toEqual(['default', 'l2PenaltyGradient', 'sigmoidDerivative']);
      expect(expectError(await s.call({ exportName: 'nope', args: [] }), 'missing')).toMatch(
        /^missing: export nope not found — gradients\.js exports: default, l2PenaltyGradient, sigmoidDerivative$/,
      );
      expect(expectError(await s.call({ exportName: 'rate', args: [] }), 'missing')).toContain('not a function');
      await expectHonest(s, ['sigmoid', 'l2']);
    });
  }, TEST_TIMEOUT_MS);

  it('module state persists between calls that succeed', async () => {
    const dir = submission({ 'gradients.js': 'let n = 0;\nexport function count() { return ++n; }' });
    await withSession(dir, async (s) => {
      for (const expected of [1, 2, 3]) expect(expectValue(await s.call({ exportName: 'count', args: [] }))).toBe(expected);
    });
  }, TEST_TIMEOUT_MS);

  it('rejects invalid limits and malformed requests instead of guessing', async () => {
    await expect(openSandbox(fixture('typescript'), { memoryMb: -1 })).rejects.toThrow(RangeError);
    await expect(openSandbox(fixture('typescript'), { callTimeoutMs: Number.NaN })).rejects.toThrow(RangeError);
    await withSession(fixture('typescript'), async (s) => {
      await expect(s.call({ exportName: '', args: [] })).rejects.toThrow(TypeError);
      await expect(s.call({ exportName: 'sigmoidDerivative', args: 1 as unknown as unknown[] })).rejects.toThrow(TypeError);
      // The session is still usable.
      await expectHonest(s, ['sigmoid']);
    });
  }, TEST_TIMEOUT_MS);
});

describe('queueing, deadlines and recovery', () => {
  it('calls of one session run one at a time, in order, even when one of them hangs', async () => {
    await withSession(fixture('loop-in-call'), async (s) => {
      const t0 = Date.now();
      const outcomes = await Promise.all([
        s.call({ exportName: 'l2PenaltyGradient', args: [[1, 2], 2] }),
        s.call({ exportName: 'sigmoidDerivative', args: [1] }),
        s.call({ exportName: 'l2PenaltyGradient', args: [[3], 2] }),
        s.call({ exportName: 'sigmoidDerivative', args: [1] }),
        s.call({ exportName: 'l2PenaltyGradient', args: [[4], 0.5] }),
      ]);
      expect(outcomes.map((o) => (o.ok ? o.value : o.error.split(':')[0]))).toEqual([
        [2, 4],
        'timeout',
        [6],
        'timeout',
        [2],
      ]);
      expect(Date.now() - t0).toBeLessThan(10_000);
    });
  }, TEST_TIMEOUT_MS);

  it('the hard deadline SIGKILLs a child whose call outlives it, and the next call gets a fresh child', async () => {
    const limits = { ...TEST_LIMITS, callTimeoutMs: 60_000, killAfterMs: 600 };
    await withSession(
      fixture('loop-in-call'),
      async (s) => {
        const first = sandboxChildInfo(s)!;
        const t0 = Date.now();
        const err = expectError(await s.call({ exportName: 'sigmoidDerivative', args: [1] }), 'timeout');
        expect(err).toContain('did not finish within 600 ms and was stopped forcibly');
        expect(Date.now() - t0).toBeLessThan(3000);
        expect(alive(first.pid!)).toBe(false);
        await expectHonest(s);
        expect(sandboxChildInfo(s)!.pid).not.toBe(first.pid);
      },
      limits,
    );
  }, TEST_TIMEOUT_MS);

  it('a child killed from outside during a call is an exited error, and the session recovers', async () => {
    const limits = { ...TEST_LIMITS, callTimeoutMs: 10_000 };
    await withSession(
      fixture('loop-in-call'),
      async (s) => {
        const { pid } = sandboxChildInfo(s)!;
        const pending = s.call({ exportName: 'sigmoidDerivative', args: [1] });
        setTimeout(() => process.kill(pid!, 'SIGKILL'), 300);
        const err = expectError(await pending, 'exited');
        expect(err).toContain('stopped unexpectedly');
        await expectHonest(s);
      },
      limits,
    );
  }, TEST_TIMEOUT_MS);

  it('a child that died between calls is replaced without the next call noticing', async () => {
    await withSession(fixture('typescript'), async (s) => {
      const { pid } = sandboxChildInfo(s)!;
      process.kill(pid!, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 200));
      await expectHonest(s, ['sigmoid', 'l2']);
      expect(sandboxChildInfo(s)!.pid).not.toBe(pid);
    });
  }, TEST_TIMEOUT_MS);
});

describe('closing', () => {
  it('close kills the child, removes the temp dir, ends pending calls and is idempotent', async () => {
    const s = await openSandbox(fixture('loop-in-call'), { ...TEST_LIMITS, callTimeoutMs: 10_000 });
    const info = sandboxChildInfo(s)!;
    expect(existsSync(info.tempDir!)).toBe(true);
    const pending = s.call({ exportName: 'sigmoidDerivative', args: [1] });
    const queued = s.call({ exportName: 'l2PenaltyGradient', args: [[1], 1] });
    await new Promise((r) => setTimeout(r, 200));
    await s.close();
    await s.close();
    expectError(await pending, 'exited');
    expectError(await queued, 'exited');
    expectError(await s.call({ exportName: 'l2PenaltyGradient', args: [[1], 1] }), 'exited');
    expect(alive(info.pid!)).toBe(false);
    expect(existsSync(info.tempDir!)).toBe(false);
  }, TEST_TIMEOUT_MS);
});

describe('the child process', () => {
  it('runs as a uid of its own (when the grader is root), with an empty environment and no file-system rights, in a private temp dir holding only its own files', async () => {
    await withSession(fixture('typescript'), async (s) => {
      const info = sandboxChildInfo(s)!;
      if (isRoot) {
        expect(info.uid).toBeGreaterThanOrEqual(UID_BASE);
        expect(info.uid).toBeLessThan(UID_BASE + UID_POOL_SIZE);
        expect(info.gid).toBe(info.uid);
        expect(info.groups.every((g) => g === info.gid || g === 65534)).toBe(true);
        expect(statSync(info.tempDir!).uid).toBe(info.uid);
      } else {
        expect(info.uid).toBe(process.getuid?.());
      }
      // bubblewrap always sets PWD (to the child's own cwd); nothing else of the grader's environment reaches it
      expect(info.envKeys).toEqual(wallStatus().layers.includes('bubblewrap') ? ['PWD'] : []);
      expect(info.cwd).toBe(info.tempDir);
      // Node's permission model: the child itself may write nothing, spawn nothing, read no grader files.
      expect(info.permissions).toEqual({ enabled: true, fsWrite: false, childProcess: false, worker: false, readRepo: false });
      // The temp dir is not inside the repository, and holds only the runner and the submission.
      expect(relative(REPO_DIR, info.tempDir!).startsWith('..')).toBe(true);
      expect(readdirSync(info.tempDir!).sort()).toEqual(['runner.mjs', 'submission.mjs']);
      expect(statSync(info.tempDir!).mode & 0o777).toBe(0o700);
      for (const f of ['runner.mjs', 'submission.mjs']) expect(statSync(join(info.tempDir!, f)).mode & 0o777).toBe(0o600);
    });
  }, TEST_TIMEOUT_MS);

  it('as nobody, a process cannot write to the repository, the fixtures or the sandbox temp dir', async () => {
    await withSession(fixture('typescript'), async (s) => {
      const info = sandboxChildInfo(s)!;
      if (isRoot) {
        const targets = [join(REPO_DIR, 'pwned-as-nobody'), join(fixture('typescript'), 'pwned'), join(info.tempDir!, 'pwned')];
        const probe = spawnSync(
          process.execPath,
          [
            '-e',
            `const fs = require('fs'); const r = [];
             for (const t of JSON.parse(process.argv[1])) { try { fs.writeFileSync(t, 'x'); r.push('wrote'); } catch (e) { r.push(e.code); } }
             console.log(JSON.stringify(r));`,
            JSON.stringify(targets),
          ],
          { uid: 65534, gid: 65534, env: {}, encoding: 'utf8' },
        );
        expect(JSON.parse(probe.stdout)).toEqual(['EACCES', 'EACCES', 'EACCES']);
        for (const t of targets) expect(existsSync(t)).toBe(false);
      }
    });
  }, TEST_TIMEOUT_MS);
});

describe('many sessions', () => {
  it('several sessions run in parallel without disturbing each other', async () => {
    const sessions: SandboxSession[] = await Promise.all(
      ['typescript', 'loop-in-call', 'poisoned-builtins', 'lying-results'].map((name) => openSandbox(fixture(name), TEST_LIMITS)),
    );
    try {
      const hang = sessions[1]!.call({ exportName: 'sigmoidDerivative', args: [1] });
      const w = [0.5, -1.5];
      const results = await Promise.all(
        sessions.map((s) => s.call({ exportName: 'l2PenaltyGradient', args: [w, 3] })),
      );
      for (const r of results) expect(expectValue(r)).toEqual(l2PenaltyGradient(w, 3));
      expectError(await hang, 'timeout');
      const sig = await Promise.all(sessions.map((s) => s.call({ exportName: 'sigmoidDerivative', args: [2] })));
      expect(sig.map((o) => o.ok)).toEqual([true, false, true, true]);
      for (const o of [sig[0]!, sig[2]!, sig[3]!]) expect(expectValue(o)).toBeCloseTo(sigmoidDerivative(2), 15);
    } finally {
      await Promise.all(sessions.map((s) => s.close()));
    }
  }, TEST_TIMEOUT_MS);

  it('20 sessions opened, called and closed one after another take less than 20 s', async () => {
    const t0 = Date.now();
    const pids = new Set<number>();
    for (let i = 0; i < 20; i++) {
      await withSession(fixture('typescript'), async (s) => {
        pids.add(sandboxChildInfo(s)!.pid!);
        await expectHonest(s, ['sigmoid']);
      });
    }
    expect(pids.size).toBe(20);
    expect([...pids].some(alive)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(20_000);
  }, 25_000);
});
