/**
 * A Python sandbox session: the system's python3 with numpy, inside the same
 * wall as the JavaScript children (bubblewrap, rlimits, a uid of its own),
 * running the fork-server runner (runner.ts): one clean forked child per
 * exercise. The host keeps the deadlines (a call that overruns kills the
 * whole sandbox; the next call starts a new one) and trusts nothing it
 * reads back: every reply is a bounded JSON line, every value decoded as
 * plain data and bounded again.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { decodeTransfer, encodeTransfer, TransferError } from '../sandbox/codec.js';
import { DEFAULT_RLIMITS, privateFolder, releaseUid, takeUid, walled } from '../sandbox/wall.js';
import { clipValue, studentText } from '../untrusted.js';
import { PYTHON_RUNNER } from './runner.js';
import { camelCase, snakeCase } from './names.js';

export interface PythonLimits {
  callTimeoutMs: number;
  loadTimeoutMs: number;
}

type CallOutcome = { ok: true; value: unknown } | { ok: false; error: string };

const MAX_LINE = 2.5 * 1024 * 1024;
/** Python with numpy needs far less address space than V8: a memory bomb stops at 1.5 GiB. */
export const PYTHON_RLIMITS = { ...DEFAULT_RLIMITS, as: 1536 * 1024 * 1024 };
const HELLO_MS = 15_000;

let python: { path: string } | { error: string } | undefined;

/** The python3 with numpy that runs Python answers (Debian's /usr/bin/python3 with python3-numpy). */
export function findPython(): string {
  if (python === undefined) {
    const candidates = ['/usr/bin/python3', '/usr/local/bin/python3'].filter((p) => existsSync(p));
    const ok = candidates.find((p) => spawnSync(p, ['-I', '-c', 'import numpy'], { timeout: 20_000, env: { OPENBLAS_NUM_THREADS: '1' } }).status === 0);
    python = ok ? { path: ok } : { error: `grading Python answers needs python3 with numpy, which ${candidates.length ? `${candidates.join(', ')} lacks` : 'is not installed'} (Debian: apt-get install python3-numpy)` };
  }
  if ('error' in python) throw new Error(python.error);
  return python.path;
}

type Reply = { t: string; [k: string]: unknown };

class PyProcess {
  readonly proc: ChildProcess;
  private buf = '';
  private readonly lines: Reply[] = [];
  private waiter: ((r: Reply | 'end' | 'deadline') => void) | undefined;
  ended = false;
  stderr = '';

  constructor(dir: string, uid: number | undefined, filename: string) {
    const py = findPython();
    const { command, args } = walled(['-I', '-B', join(dir, 'runner.py'), join(dir, 'submission.py'), filename], dir, dir, PYTHON_RLIMITS, uid, py);
    this.proc = spawn(command, args, {
      cwd: dir,
      // one BLAS thread: the rlimits count threads, and a grader's cores are shared by its jobs
      env: { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
      stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
      ...(uid !== undefined ? { uid, gid: uid } : {}),
    });
    this.proc.stderr!.setEncoding('utf8');
    this.proc.stderr!.on('data', (c: string) => (this.stderr = (this.stderr + c).slice(-4000)));
    const out = this.proc.stdio[3] as NodeJS.ReadableStream;
    out.setEncoding('utf8');
    out.on('data', (c: string) => {
      this.buf += c;
      if (this.buf.length > MAX_LINE && !this.buf.includes('\n')) {
        this.kill();
        return;
      }
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        let r: Reply;
        try {
          const v = JSON.parse(line) as unknown;
          if (typeof v !== 'object' || v === null || typeof (v as Reply).t !== 'string') throw new Error('not a reply');
          r = v as Reply;
        } catch {
          this.kill();
          return;
        }
        if (this.waiter) {
          const w = this.waiter;
          this.waiter = undefined;
          w(r);
        } else this.lines.push(r);
      }
    });
    this.proc.on('close', () => this.finish());
    this.proc.on('error', () => this.finish());
  }

  private finish(): void {
    this.ended = true;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w('end');
    }
  }

  send(m: unknown): void {
    this.sendLine(JSON.stringify(m));
  }

  /** One message already as JSON text (a call's arguments are encoded once, by encodeTransfer). */
  sendLine(json: string): void {
    if (this.ended) return;
    try {
      this.proc.stdin!.write(json + '\n');
    } catch {
      this.kill();
    }
  }

  next(ms: number): Promise<Reply | 'end' | 'deadline'> {
    const q = this.lines.shift();
    if (q) return Promise.resolve(q);
    if (this.ended) return Promise.resolve('end');
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        this.kill();
        resolve('deadline');
      }, ms);
      this.waiter = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
    });
  }

  kill(): void {
    if (!this.ended) this.proc.kill('SIGKILL');
  }

  async killAndWait(): Promise<void> {
    if (this.ended) return;
    const gone = new Promise<void>((r) => this.proc.once('close', () => r()));
    this.proc.kill('SIGKILL');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 2000))]);
  }
}

/** One submission's Python answers: the same surface as a JavaScript sandbox session. */
export class PythonSession {
  readonly language = 'python' as const;
  loadError: string | undefined;
  exports: string[] = [];
  notes: string[] = [];
  private pyNames: string[] = [];
  private child: PyProcess | undefined;
  /** Whether a forked exercise child is alive and loaded. */
  private live = false;
  private callsInExercise = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private nextId = 1;

  constructor(
    private readonly dir: string,
    private readonly limits: PythonLimits,
    private readonly filename: string,
    private readonly uid: number | undefined,
  ) {}

  /** Starts the runner (if needed) and forks a child that loads the submission. */
  private async begin(): Promise<{ ok: true } | { ok: false; error: string }> {
    // The processes of a sandbox just killed (a fork bomb's included) still count against its uid's
    // process limit until the kernel has reaped them: a new sandbox may have to wait for that.
    for (let attempt = 0; !this.child || this.child.ended; attempt++) {
      this.child = new PyProcess(this.dir, this.uid, this.filename);
      const hello = await this.child.next(HELLO_MS);
      if (hello !== 'end' && hello !== 'deadline' && hello.t === 'hello') break;
      const stderr = this.child.stderr.trim();
      this.child.kill();
      if (/Resource temporarily unavailable/.test(stderr) && attempt < 50) {
        this.child = undefined;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const why = hello === 'deadline' ? `it did not start within ${HELLO_MS} ms` : hello !== 'end' && hello.t === 'fatal' ? String(hello.message) : 'it stopped';
      throw new Error(`the Python sandbox could not start: ${why}${stderr ? ` (${stderr.split('\n').slice(-2).join(' | ')})` : ''}`);
    }
    const child = this.child;
    child.send({ t: 'exercise' });
    const r = await child.next(this.limits.loadTimeoutMs + 1000);
    this.callsInExercise = 0;
    if (r === 'deadline') return { ok: false, error: `timeout: loading ${this.filename} took longer than ${this.limits.loadTimeoutMs} ms — is there an infinite loop in its top-level code?` };
    if (r === 'end') return { ok: false, error: `exited: the Python process loading ${this.filename} stopped unexpectedly` };
    if (r.t === 'ready') {
      const names = Array.isArray(r.exports) ? r.exports.filter((n): n is string => typeof n === 'string').slice(0, 200) : [];
      this.pyNames = names.map((n) => studentText(n, 100));
      this.live = true;
      return { ok: true };
    }
    if (r.t === 'loadFailed') {
      const m = studentText(r.message, 1000);
      const kind = String(r.kind);
      return { ok: false, error: kind === 'threw' ? `threw: ${m}` : kind === 'memory' ? `memory: loading ${this.filename} ran out of memory (${m})` : `load: ${m}` };
    }
    if (r.t === 'exerciseEnded') return { ok: false, error: `exited: ${this.filename} ended the Python process while loading (exit or crash at import)` };
    child.kill();
    return { ok: false, error: 'exited: the Python sandbox sent an unexpected message while loading' };
  }

  /** Opens: loads once to learn the names it defines (and whether it loads at all). */
  async open(): Promise<void> {
    const r = await this.begin();
    if (!r.ok) {
      this.loadError = r.error;
      return;
    }
    // both spellings answer: sigmoid_derivative is also sigmoidDerivative
    this.exports = [...new Set([...this.pyNames, ...this.pyNames.map(camelCase)])];
  }

  private pythonName(exportName: string): string | undefined {
    if (this.pyNames.includes(exportName)) return exportName;
    const s = snakeCase(exportName);
    return this.pyNames.includes(s) ? s : undefined;
  }

  fresh(): Promise<void> {
    const run = this.queue.then(async () => {
      if (!this.live || this.callsInExercise === 0 || !this.child || this.child.ended) return;
      // end this exercise's child: whatever it did dies with it; the next call forks a clean one
      this.child.send({ t: 'end' });
      const r = await this.child.next(2000);
      if (r === 'deadline' || r === 'end') this.child = undefined;
      this.live = false;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  call(req: { exportName: string; args: unknown[] }): Promise<CallOutcome> {
    const run = this.queue.then(() => this.run(req));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run({ exportName, args }: { exportName: string; args: unknown[] }): Promise<CallOutcome> {
    if (this.closed) return { ok: false, error: 'exited: the sandbox was closed' };
    if (this.loadError !== undefined) return { ok: false, error: `load: ${this.filename} could not be loaded, so ${exportName}() did not run — ${this.loadError}` };
    const name = this.pythonName(exportName);
    const fn = `${name ?? snakeCase(exportName)}()`;
    if (name === undefined) return { ok: false, error: `missing: ${snakeCase(exportName)} not found in ${this.filename}` };
    if (!this.live || !this.child || this.child.ended) {
      const r = await this.begin();
      if (!r.ok) return { ok: false, error: `load: ${this.filename} could not be loaded again after the previous failure, so ${fn} did not run — ${r.error}` };
    }
    const child = this.child!;
    const id = this.nextId++;
    this.callsInExercise++;
    child.sendLine(`{"t":"call","id":${id},"name":${JSON.stringify(name)},"args":${encodeTransfer(args)}}`);
    const r = await child.next(this.limits.callTimeoutMs);
    const restart = (): Promise<void> => this.replace(child);
    if (r === 'deadline') {
      await restart();
      return { ok: false, error: `timeout: ${fn} did not finish within ${this.limits.callTimeoutMs} ms and was stopped — is there an infinite loop (or a sleep that never ends)?` };
    }
    if (r === 'end') {
      await restart();
      return { ok: false, error: `exited: the Python process running ${fn} stopped unexpectedly` };
    }
    if (r.t === 'exerciseEnded') {
      this.live = false;
      return { ok: false, error: `exited: ${fn} ended its process (exit, crash or signal; status ${Number(r.status)})` };
    }
    if (r.t !== 'result' || r.id !== id) {
      await restart();
      return { ok: false, error: `exited: the Python sandbox sent an unexpected message during ${fn}` };
    }
    const o = this.outcomeOf(r, fn);
    if (o.restart) await restart();
    return o.outcome;
  }

  /** The process is not trusted again (a hang, a crash, a broken reply, memory): killed; the next call starts another. */
  private async replace(child: PyProcess): Promise<void> {
    this.live = false;
    this.child = undefined;
    await child.killAndWait();
  }

  /** One `result` reply as the call's outcome, and whether the process must be replaced. */
  private outcomeOf(r: Reply, fn: string): { outcome: CallOutcome; restart: boolean } {
    const keep = (outcome: CallOutcome) => ({ outcome, restart: false });
    switch (r.kind) {
      case 'ok':
        try {
          return keep({ ok: true, value: clipValue(decodeTransfer(String(r.json))) });
        } catch (e) {
          return keep({ ok: false, error: `invalid: ${fn} returned something that is not plain data: ${e instanceof TransferError ? e.message : 'unreadable'}` });
        }
      case 'invalid':
        return keep({ ok: false, error: `invalid: ${fn} returned ${studentText(r.message, 300)}` });
      case 'memory':
        return { outcome: { ok: false, error: `memory: ${fn} ran out of memory (the sandbox's address space is bounded)` }, restart: true };
      case 'missing':
        return keep({ ok: false, error: `missing: ${fn} is not a function in ${this.filename}` });
      default:
        return keep({ ok: false, error: `threw: ${studentText(r.message)}` });
    }
  }

  /**
   * One function on many argument lists in one round trip (see the JavaScript
   * session's callMany): within one call's time limit for all; a hang, the
   * process ending or anything unexpected answers none of them (the caller
   * calls them one by one); the results may stop short (after a memory error,
   * or a reply that would grow too large), the rest then go one by one.
   */
  callMany(req: { exportName: string; argsList: readonly unknown[][]; deadlineMs?: number }): Promise<CallOutcome[]> {
    const run = this.queue.then(() => this.runMany(req));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async runMany({ exportName, argsList, deadlineMs }: { exportName: string; argsList: readonly unknown[][]; deadlineMs?: number }): Promise<CallOutcome[]> {
    if (!Array.isArray(argsList)) throw new TypeError('callMany(): argsList must be an array of argument arrays');
    if (argsList.length === 0 || this.closed || this.loadError !== undefined) return [];
    const name = this.pythonName(exportName);
    if (name === undefined) return [];
    const args = argsList.map((a) => {
      if (!Array.isArray(a)) throw new TypeError('callMany(): every entry of argsList must be an array');
      return encodeTransfer(a);
    });
    if (!this.live || !this.child || this.child.ended) {
      const r = await this.begin();
      if (!r.ok) return [];
    }
    const child = this.child!;
    const id = this.nextId++;
    this.callsInExercise += args.length;
    let wait = this.limits.callTimeoutMs;
    if (deadlineMs !== undefined) wait = Math.max(1, Math.min(wait, deadlineMs - performance.now()));
    child.sendLine(`{"t":"calls","id":${id},"name":${JSON.stringify(name)},"args":[${args.join(',')}]}`);
    const r = await child.next(wait);
    const restart = (): Promise<void> => this.replace(child);
    if (r === 'deadline' || r === 'end') {
      await restart();
      return [];
    }
    if (r.t === 'exerciseEnded') {
      this.live = false;
      return [];
    }
    if (r.t !== 'results' || r.id !== id || !Array.isArray(r.results) || r.results.length > args.length) {
      await restart();
      return [];
    }
    const fn = `${name}()`;
    const outcomes: CallOutcome[] = [];
    for (const one of r.results as Reply[]) {
      if (typeof one !== 'object' || one === null || one.t !== 'result' || one.id !== id) {
        await restart();
        return outcomes;
      }
      const o = this.outcomeOf(one, fn);
      outcomes.push(o.outcome);
      if (o.restart) {
        await restart();
        break;
      }
    }
    return outcomes;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.child) await this.child.killAndWait();
    rmSync(this.dir, { recursive: true, force: true });
    releaseUid(this.uid);
  }
}

/** A Python session for prepared module source (a .py file, or a notebook's code cells). */
export async function openPythonSession(code: string, filename: string, limits: PythonLimits, notes: string[]): Promise<PythonSession> {
  findPython();
  const uid = takeUid();
  const dir = privateFolder(
    [
      ['runner.py', PYTHON_RUNNER],
      ['submission.py', code],
    ],
    uid,
  );
  const s = new PythonSession(dir, limits, filename, uid);
  s.notes.push(...notes);
  try {
    await s.open();
  } catch (e) {
    await s.close();
    throw e;
  }
  return s;
}

/** Most cells and lines a notebook may hold. */
const MAX_CELLS = 1000;

/**
 * A notebook's module: its code cells, in order; lines starting with `%` or
 * `!` (IPython magics and shell commands) dropped, and said so; markdown,
 * raw and output cells ignored.
 */
export function notebookSource(nb: unknown): { ok: true; code: string; notes: string[] } | { ok: false; error: string } {
  if (typeof nb !== 'object' || nb === null || !Array.isArray((nb as { cells?: unknown }).cells)) return { ok: false, error: 'gradients.ipynb is not a Jupyter notebook (no cells)' };
  const cells = (nb as { cells: unknown[] }).cells;
  if (cells.length > MAX_CELLS) return { ok: false, error: `gradients.ipynb has ${cells.length} cells, more than the ${MAX_CELLS} allowed` };
  const parts: string[] = [];
  let dropped = 0;
  for (const c of cells) {
    if (typeof c !== 'object' || c === null || (c as { cell_type?: unknown }).cell_type !== 'code') continue;
    const src = (c as { source?: unknown }).source;
    const text = typeof src === 'string' ? src : Array.isArray(src) && src.every((x) => typeof x === 'string') ? (src as string[]).join('') : undefined;
    if (text === undefined) return { ok: false, error: 'gradients.ipynb has a code cell whose source is not text' };
    const kept = text.split('\n').map((l) => {
      if (/^\s*[%!]/.test(l)) {
        dropped++;
        return '';
      }
      return l;
    });
    parts.push(kept.join('\n'));
  }
  const notes = dropped ? [`gradients.ipynb: ${dropped} line${dropped === 1 ? '' : 's'} starting with % or ! (IPython magics and shell commands) ${dropped === 1 ? 'was' : 'were'} dropped`] : [];
  return { ok: true, code: parts.join('\n\n'), notes };
}
