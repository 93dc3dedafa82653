/**
 * The sandbox that runs untrusted student code for gradient exercises.
 *
 * Layers, outermost first:
 * 1. A child process per session (`node --no-node-snapshot`), started with an
 *    empty environment, its cwd in a fresh temporary directory (0755) that
 *    holds only a copy of the runner and of the (transpiled) submission
 *    (0644), and — when the grader runs as root — as uid/gid 65534 (nobody),
 *    so it cannot write to the repository or read anything that is not
 *    world-readable. The parent SIGKILLs it at a hard deadline per call and
 *    on close, and when the grader process exits.
 *    Node's permission model confines the child itself too: it may read
 *    only its temp dir and isolated-vm, and write nothing.
 * 2. Inside it, an isolated-vm isolate with a heap limit and per-call time
 *    limit. Its global object has only the ECMAScript built-ins (plus a
 *    no-op console): no require, process, fs, network or timers. The
 *    submission is compiled as an ES module; any import is a load error.
 * 3. Results are serialised to JSON inside the isolate by a walker captured
 *    before the submission ran (see prelude.ts), and decoded on the host with
 *    JSON.parse: a caller only ever gets plain JSON data or an error.
 *
 * A call that hangs, exhausts memory or kills the process costs only that
 * call: the child is killed and the next call starts a fresh one and loads
 * the module again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { decodeTransfer, encodeTransfer, TransferError } from './codec.js';
import { MAX_RESULT_CHARS, PRELUDE_SOURCE } from './prelude.js';
import { clipValue, parseBoundedJson, readSubmissionFile, studentText } from '../untrusted.js';
import type { ChildToHost, HelloMessage, HostToChild, ResultsMessage } from './protocol.js';
import { findCodeFile, MAX_CODE_BYTES, prepareSource } from './source.js';
import { notebookSource, openPythonSession } from '../python/session.js';

import { DEFAULT_RLIMITS, privateFolder, releaseUid, takeUid, UID_BASE, UID_POOL_SIZE, walled } from './wall.js';

export { findCodeFile, otherCodeFiles } from './source.js';
export { wallStatus } from './wall.js';

export interface SandboxLimits {
  /** Wall-clock limit of one call inside the isolate, ms (isolate timeout). Default 2000. */
  callTimeoutMs?: number;
  /** Loading the module (top-level code), ms. Default 3000. */
  loadTimeoutMs?: number;
  /** Isolate heap limit, MB. Default 64. (isolated-vm's minimum, 8, is enforced.) */
  memoryMb?: number;
  /** Hard deadline for the child process per call, after which it is SIGKILLed, ms. Default callTimeoutMs + 3000. */
  killAfterMs?: number;
}

/** `args` are JSON-serialisable (numbers, arrays, nested arrays, objects); NaN and ±Infinity arrive as such. */
export interface CallRequest {
  exportName: string;
  args: unknown[];
}

/**
 * `value` is plain JSON data (null, boolean, number — NaN and ±Infinity
 * included —, string, array, plain object). `error` starts with one of:
 * `timeout:`, `memory:`, `threw: <name>: <message>`, `exited:`, `invalid:`,
 * `missing: export <name> not found`, `load:` (the module could not be
 * loaded, so the call did not run; the reason follows).
 */
export type CallOutcome = { ok: true; value: unknown } | { ok: false; error: string };

export interface SandboxSession {
  /**
   * Why the module could not be loaded (syntax error, top-level throw or
   * infinite loop, missing file), if so. It starts with the keyword of what
   * happened: `load:` (no file, unreadable, syntax error, an import),
   * `timeout:` (top-level code hung), `memory:`, `threw: <name>: <message>`
   * (top-level code threw) or `exited:`. Every call of such a session
   * returns `load: … — <loadError>`.
   */
  readonly loadError: string | undefined;
  /** Names the module exports (functions only). */
  readonly exports: string[];
  /** Calls of one session run one at a time, in order. */
  call(req: CallRequest): Promise<CallOutcome>;
  /**
   * One export on many argument lists, in order, in one round trip and one
   * call into the isolate: the outcomes, as `call` would give them one by
   * one. All of them share one call's time limit (and `deadlineMs`, a
   * `performance.now()` time, if sooner); past it, or when memory runs out,
   * none is answered (an empty array, the child replaced) and the caller calls
   * them one by one. After a call that ran out of memory the rest are left
   * out. Optional: a session without it is called one call at a time.
   */
  callMany?(req: { exportName: string; argsList: readonly unknown[][]; deadlineMs?: number }): Promise<CallOutcome[]>;
  /** Calls after this one run in a fresh isolate (the module loaded again): one exercise cannot touch the next. */
  fresh(): Promise<void>;
  /** 'python' for gradients.py / .ipynb (names answer in snake_case too, record results may be tuples). */
  readonly language?: 'python';
  /** What the report should say about how the code was read (a notebook's dropped magics). */
  readonly notes?: readonly string[];
  /** Kills the child and removes its temporary directory. Idempotent. */
  close(): Promise<void>;
}

const DEFAULTS = { callTimeoutMs: 2000, loadTimeoutMs: 3000, memoryMb: 64 } as const;
/** Time for the child to start and load isolated-vm; failing that is the grader's problem, not the student's. */
const HELLO_DEADLINE_MS = 10_000;
const MIN_MEMORY_MB = 8;
const MAX_EXPORT_NAME = 200;
const CHILD_NODE_FLAGS = ['--no-node-snapshot', '--max-old-space-size=256', '--disable-proto=throw', '--no-warnings'];

/**
 * Node's permission model for the child, as a second wall behind the
 * isolate: should code ever reach the child's own JavaScript realm, it could
 * read only its temp dir and isolated-vm, write nothing, and start no
 * processes or workers. (--allow-addons is needed for isolated-vm itself.)
 */
function permissionFlags(dir: string): string[] {
  return [
    '--experimental-permission',
    '--allow-addons',
    `--allow-fs-read=${join(dir, '*')}`,
    `--allow-fs-read=${join(dirname(getIvmPath()), '*')}`,
  ];
}

interface ResolvedLimits {
  callTimeoutMs: number;
  loadTimeoutMs: number;
  memoryMb: number;
  killAfterMs: number;
}

function positive(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new RangeError(`sandbox limit ${name} must be a positive number of ${name.endsWith('Mb') ? 'MB' : 'ms'}, got ${String(v)}`);
  }
  return Math.ceil(v);
}

function resolveLimits(l: SandboxLimits): ResolvedLimits {
  const callTimeoutMs = positive('callTimeoutMs', l.callTimeoutMs, DEFAULTS.callTimeoutMs);
  return {
    callTimeoutMs,
    loadTimeoutMs: positive('loadTimeoutMs', l.loadTimeoutMs, DEFAULTS.loadTimeoutMs),
    memoryMb: Math.max(MIN_MEMORY_MB, positive('memoryMb', l.memoryMb, DEFAULTS.memoryMb)),
    killAfterMs: positive('killAfterMs', l.killAfterMs, callTimeoutMs + 3000),
  };
}

// ---------------------------------------------------------------------------
// The runner script and isolated-vm, located once per grader process.

let runnerSource: Promise<string> | undefined;

/** The compiled child.js next to this file (built package), else child.ts transpiled (running from source). */
function getRunnerSource(): Promise<string> {
  runnerSource ??= (async () => {
    const compiled = new URL('./child.js', import.meta.url);
    if (existsSync(compiled)) return readFileSync(compiled, 'utf8');
    const ts = (await import('typescript')).default;
    const text = readFileSync(new URL('./child.ts', import.meta.url), 'utf8');
    return ts.transpileModule(text, {
      fileName: 'child.ts',
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
  })();
  return runnerSource;
}

let ivmPath: string | undefined;
/**
 * isolated-vm's entry, where the child can read it. As root the child runs
 * as nobody, who may not be able to reach the project's node_modules (a
 * checkout in a folder only root can read): isolated-vm's two files are then
 * staged in a folder of the system's temp dir that nobody can read and only
 * root can write, shared by grader processes of the same isolated-vm build.
 */
function getIvmPath(): string {
  if (ivmPath === undefined) {
    let entry: string;
    try {
      entry = createRequire(import.meta.url).resolve('isolated-vm');
    } catch {
      // an optional peer dependency: only code answers need it
      throw new Error('grading code answers needs the isolated-vm package, which is not installed: npm install isolated-vm');
    }
    ivmPath = process.getuid?.() === 0 ? stageIsolatedVm(entry) : entry;
  }
  return ivmPath;
}

/** A root-owned directory or file that no one else can write, and not a link: safe to reuse from a shared temp dir. */
function ownedByRoot(path: string): boolean {
  try {
    const st = lstatSync(path);
    return !st.isSymbolicLink() && st.uid === 0 && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function stageIsolatedVm(entry: string): string {
  const from = dirname(entry);
  const addon = join(from, 'out', 'isolated_vm.node');
  if (!existsSync(addon)) throw new Error(`isolated-vm is installed without its native module (${addon} is missing): reinstall it with its install script allowed`);
  const st = statSync(addon);
  const version = (JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  const stage = join(tmpdir(), `gradproof-ivm-${version}-${st.size}-${Math.round(st.mtimeMs)}`);
  const files = [stage, join(stage, 'isolated-vm.js'), join(stage, 'out'), join(stage, 'out', 'isolated_vm.node')];
  if (files.every(ownedByRoot)) return files[1]!;
  // (re)build it under a private name, then move it into place; a stage someone else made is never used
  const tmp = mkdtempSync(join(tmpdir(), `gradproof-ivm-tmp-${process.pid}-`));
  mkdirSync(join(tmp, 'out'));
  copyFileSync(entry, join(tmp, 'isolated-vm.js'));
  copyFileSync(addon, join(tmp, 'out', 'isolated_vm.node'));
  chmodSync(join(tmp, 'isolated-vm.js'), 0o644);
  chmodSync(join(tmp, 'out', 'isolated_vm.node'), 0o755);
  chmodSync(join(tmp, 'out'), 0o755);
  chmodSync(tmp, 0o755);
  if (lstatExists(stage)) {
    if (files.every(ownedByRoot)) {
      rmSync(tmp, { recursive: true, force: true });
      return files[1]!;
    }
    // not ours (or half-made): use the private copy, under its own name
    return join(tmp, 'isolated-vm.js');
  }
  try {
    renameSync(tmp, stage);
  } catch {
    // another grader process staged it first
    rmSync(tmp, { recursive: true, force: true });
    if (!files.every(ownedByRoot)) throw new Error(`cannot stage isolated-vm at ${stage}`);
  }
  return files[1]!;
}

function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

let swept = false;
/**
 * Temp folders left by a grader that was killed (SIGKILL leaves no chance to
 * clean up) are removed by the next one: their names carry the pid of the
 * grader that made them, and a folder whose grader is gone is stale.
 */
export function sweepStaleTempDirs(dir = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = /^gradproof-(?:sandbox|ivm-tmp)-(\d+)-/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || alive(pid)) continue;
    const path = join(dir, name);
    try {
      const st = lstatSync(path);
      // only our own folders: real folders, owned by this user (as root: by root or a uid of the sandbox's pool)
      const me = process.getuid?.() ?? st.uid;
      const ours = st.uid === me || (me === 0 && st.uid >= UID_BASE && st.uid < UID_BASE + UID_POOL_SIZE);
      if (!st.isDirectory() || !ours) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Children still alive are SIGKILLed when the grader exits, whatever the reason.
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(proc: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const p of liveChildren) p.kill('SIGKILL');
    });
  }
  liveChildren.add(proc);
}

// ---------------------------------------------------------------------------
// One child process.

type ChildEvent =
  | { kind: 'message'; msg: ChildToHost }
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null; error?: Error }
  | { kind: 'deadline' };

function isChildMessage(m: unknown): m is ChildToHost {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { t?: unknown }).t;
  return t === 'hello' || t === 'ready' || t === 'loadFailed' || t === 'result' || t === 'results';
}

class ChildHandle {
  readonly proc: ChildProcess;
  ended: Extract<ChildEvent, { kind: 'exit' }> | undefined;
  hello: HelloMessage | undefined;
  private stderrTail = '';
  private readonly inbox: ChildToHost[] = [];
  private waiter: ((ev: ChildEvent) => void) | undefined;

  constructor(dir: string, uid: number | undefined) {
    const nodeArgs = [...CHILD_NODE_FLAGS, ...permissionFlags(dir), join(dir, 'runner.mjs'), getIvmPath()];
    const { command, args } = walled(nodeArgs, dir, dirname(getIvmPath()), DEFAULT_RLIMITS, uid);
    this.proc = spawn(command, args, {
      cwd: dir,
      env: {},
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
      windowsHide: true,
      ...(uid !== undefined ? { uid, gid: uid } : {}),
    });
    track(this.proc);
    this.proc.stderr?.setEncoding('utf8');
    this.proc.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4000);
    });
    this.proc.on('message', (m: unknown) => {
      if (!isChildMessage(m)) {
        this.kill();
        return;
      }
      this.deliver({ kind: 'message', msg: m });
    });
    this.proc.on('error', (error) => this.finish({ kind: 'exit', code: null, signal: null, error }));
    // 'close' comes after stderr is drained (so the reason a child died can be
    // read); 'exit' only as a fallback should a stream stay open.
    this.proc.on('exit', (code, signal) => {
      setTimeout(() => this.finish({ kind: 'exit', code, signal }), 250).unref();
    });
    this.proc.on('close', (code: number | null, signal: NodeJS.Signals | null) => this.finish({ kind: 'exit', code, signal }));
  }

  get stderr(): string {
    return this.stderrTail;
  }

  private finish(ev: Extract<ChildEvent, { kind: 'exit' }>): void {
    liveChildren.delete(this.proc);
    this.ended ??= ev;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(this.ended);
    }
  }

  private deliver(ev: { kind: 'message'; msg: ChildToHost }): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(ev);
    } else {
      this.inbox.push(ev.msg);
    }
  }

  send(msg: HostToChild): boolean {
    if (this.ended || !this.proc.connected) return false;
    try {
      this.proc.send(msg);
      return true;
    } catch {
      return false;
    }
  }

  /** The next message, or the child's end, or — after deadlineMs — a SIGKILL and 'deadline'. */
  next(deadlineMs: number): Promise<ChildEvent> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve({ kind: 'message', msg: queued });
    if (this.ended) return Promise.resolve(this.ended);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        this.kill();
        resolve({ kind: 'deadline' });
      }, deadlineMs);
      this.waiter = (ev) => {
        clearTimeout(timer);
        resolve(ev);
      };
    });
  }

  kill(): void {
    if (!this.ended) this.proc.kill('SIGKILL');
  }

  async killAndWait(maxWaitMs = 2000): Promise<void> {
    if (this.ended || this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      this.proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.proc.kill('SIGKILL');
    await gone;
  }

  /** Words for how the child ended. */
  describeEnd(ev: Extract<ChildEvent, { kind: 'exit' }>): string {
    if (ev.error) return `it could not be started: ${ev.error.message}`;
    return ev.signal ? `it was killed by signal ${ev.signal}` : `it exited with code ${String(ev.code)}`;
  }

  ranOutOfMemory(): boolean {
    return /heap out of memory|out-of-memory|Fatal process OOM|Reached heap limit|Allocation failed|invalid (array|table|size)|memory limit|Last few GCs|Failed to reserve/i.test(this.stderrTail);
  }
}

// ---------------------------------------------------------------------------
// Sessions.

type StartResult =
  | { ok: true; exports: string[] }
  | { ok: false; error: string; infrastructure: boolean };

class Session implements SandboxSession {
  loadError: string | undefined;
  exports: string[] = [];
  private child: ChildHandle | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private nextId = 1;
  /** Calls made in the current isolate. */
  private callsSinceLoad = 0;

  constructor(
    private dir: string | undefined,
    private readonly limits: ResolvedLimits,
    private readonly filename: string,
    /** The uid its children run as (as root: one of its own, from the pool). */
    private readonly uid?: number,
  ) {}

  get currentChild(): ChildHandle | undefined {
    return this.child;
  }

  get tempDir(): string | undefined {
    return this.dir;
  }

  /** Starts a child and loads the module in it. */
  async start(): Promise<StartResult> {
    if (this.dir === undefined) return { ok: false, error: 'load: nothing to load', infrastructure: false };
    const child = new ChildHandle(this.dir, this.uid);
    this.child = child;
    const fail = (error: string, infrastructure: boolean): StartResult => {
      child.kill();
      if (this.child === child) this.child = undefined;
      return { ok: false, error, infrastructure };
    };

    const hello = await child.next(HELLO_DEADLINE_MS);
    if (this.closed) return fail('exited: the sandbox was closed', false);
    if (hello.kind !== 'message' || hello.msg.t !== 'hello') {
      const why =
        hello.kind === 'exit'
          ? child.describeEnd(hello)
          : hello.kind === 'deadline'
            ? `it did not start within ${HELLO_DEADLINE_MS} ms`
            : 'it sent an unexpected message';
      const stderr = child.stderr.trim();
      return fail(`the sandbox process could not start: ${why}${stderr ? `\n${stderr}` : ''}`, true);
    }
    child.hello = hello.msg;
    return this.load(child);
  }

  /** Loads the module in a fresh isolate of `child` (the child disposes any isolate it had). */
  private async load(child: ChildHandle): Promise<StartResult> {
    const { loadTimeoutMs, memoryMb, killAfterMs, callTimeoutMs } = this.limits;
    this.callsSinceLoad = 0;
    const fail = (error: string, infrastructure: boolean): StartResult => {
      child.kill();
      if (this.child === child) this.child = undefined;
      return { ok: false, error, infrastructure };
    };
    child.send({
      t: 'init',
      prelude: PRELUDE_SOURCE,
      file: 'submission.mjs',
      filename: this.filename,
      memoryMb,
      loadTimeoutMs,
    });
    const loadDeadline = loadTimeoutMs + Math.max(1000, killAfterMs - callTimeoutMs);
    const ev = await child.next(loadDeadline);
    if (this.closed) return fail('exited: the sandbox was closed', false);
    const file = this.filename;
    if (ev.kind === 'message' && ev.msg.t === 'ready') {
      const exports = ev.msg.exports;
      // names are the submission's text: kept only when they could be an export the catalog asks for, shown made safe
      if (Array.isArray(exports) && exports.every((e) => typeof e === 'string')) return { ok: true, exports: exports.slice(0, 200).map((e) => studentText(e, 100)) };
      return fail('exited: the sandbox process sent an unreadable list of exports', false);
    }
    if (ev.kind === 'message' && ev.msg.t === 'loadFailed') {
      const m = studentText(ev.msg.message, 1000);
      switch (ev.msg.kind) {
        case 'timeout':
          return fail(
            `timeout: loading ${file} took longer than ${loadTimeoutMs} ms — is there an infinite loop in its top-level code?`,
            false,
          );
        case 'memory':
          return fail(`memory: loading ${file} used more than the ${memoryMb} MB memory limit (${m})`, false);
        case 'threw':
          return fail(`threw: ${m}`, false);
        default:
          return fail(`load: ${m}`, false);
      }
    }
    if (ev.kind === 'deadline') {
      return fail(
        `timeout: loading ${file} did not finish within ${loadDeadline} ms and was stopped forcibly — is there an infinite loop in its top-level code?`,
        false,
      );
    }
    if (ev.kind === 'exit') {
      if (child.ranOutOfMemory()) return fail(`memory: loading ${file} used more than the ${memoryMb} MB memory limit`, false);
      return fail(`exited: the process loading ${file} stopped unexpectedly (${child.describeEnd(ev)})`, false);
    }
    return fail('exited: the sandbox process sent an unexpected message while loading', false);
  }

  /**
   * The next calls run in a fresh isolate, with the module loaded again:
   * whatever the calls before left behind (poisoned built-ins, retained
   * heap, work still running) is gone. A child that cannot load it again is
   * replaced at the next call.
   */
  fresh(): Promise<void> {
    const run = this.queue.then(async () => {
      const child = this.child;
      // a child that has run nothing since it loaded the module already holds a fresh isolate
      if (this.closed || this.loadError !== undefined || child === undefined || child.ended || this.callsSinceLoad === 0) return;
      const loaded = await this.load(child);
      if (!loaded.ok) {
        if (this.child === child) this.child = undefined;
        await child.killAndWait(1000);
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  call(req: CallRequest): Promise<CallOutcome> {
    const run = this.queue.then(() => this.run(req));
    this.queue = run.catch(() => undefined);
    return run;
  }

  callMany(req: { exportName: string; argsList: readonly unknown[][]; deadlineMs?: number }): Promise<CallOutcome[]> {
    const run = this.queue.then(() => this.runMany(req));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private checkName(exportName: unknown, what: string): asserts exportName is string {
    if (typeof exportName !== 'string' || exportName.length === 0 || exportName.length > MAX_EXPORT_NAME) {
      throw new TypeError(`${what}: exportName must be a non-empty string`);
    }
  }

  /** The running child, started (and the module loaded) if need be; or the outcome every call gets when that is impossible. */
  private async ready(exportName: string): Promise<ChildHandle | CallOutcome> {
    const closed: CallOutcome = { ok: false, error: `exited: the sandbox was closed before ${exportName}() could finish` };
    if (this.closed) return closed;
    if (this.loadError !== undefined) {
      return { ok: false, error: `load: ${this.filename} could not be loaded, so ${exportName}() did not run — ${this.loadError}` };
    }
    if (this.child === undefined || this.child.ended) {
      this.child = undefined;
      const started = await this.start();
      if (this.closed) return closed;
      if (!started.ok) {
        return {
          ok: false,
          error: started.infrastructure
            ? `exited: the sandbox could not be restarted after the previous failure (${started.error})`
            : `load: ${this.filename} could not be loaded again after the previous failure, so ${exportName}() did not run — ${started.error}`,
        };
      }
    }
    return this.child!;
  }

  private async runMany(req: { exportName: string; argsList: readonly unknown[][]; deadlineMs?: number }): Promise<CallOutcome[]> {
    if (typeof req !== 'object' || req === null || !Array.isArray(req.argsList)) throw new TypeError('callMany() expects { exportName, argsList }');
    const { exportName, argsList } = req;
    this.checkName(exportName, 'callMany()');
    if (argsList.length === 0) return [];
    const texts = argsList.map((a) => {
      if (!Array.isArray(a)) throw new TypeError('callMany(): every entry of argsList must be an array');
      return encodeTransfer(a);
    });
    const child = await this.ready(exportName);
    if (!(child instanceof ChildHandle)) return [child];
    const id = this.nextId++;
    this.callsSinceLoad += texts.length;
    const { callTimeoutMs, killAfterMs } = this.limits;
    // the whole batch within one call's time limit and hard deadline (a hang then costs one limit more);
    // past it none is answered and the caller calls them one by one, each with its own limit
    let wait = killAfterMs;
    if (req.deadlineMs !== undefined) wait = Math.max(1, Math.min(wait, req.deadlineMs - performance.now()));
    child.send({ t: 'calls', id, name: exportName, args: `[${texts.join(',')}]`, timeoutMs: callTimeoutMs });
    const ev = await child.next(wait);
    if (this.closed) return [];
    const whole = ev.kind === 'message' && ev.msg.t === 'results' && ev.msg.id === id && ev.msg.stopped === undefined && Array.isArray(ev.msg.results) && ev.msg.results.length === texts.length;
    if (!whole) {
      if (this.child === child) this.child = undefined;
      await child.killAndWait(1000);
      return [];
    }
    const fn = `${exportName}()`;
    const outcomes: CallOutcome[] = [];
    let restart = false;
    for (const r of (ev.msg as ResultsMessage).results) {
      const o = this.outcomeOf({ kind: 'message', msg: r }, id, fn, child);
      outcomes.push(o.outcome);
      if (o.restart) {
        // (a memory failure inside one call): the calls after it are made again one by one
        restart = true;
        break;
      }
    }
    if (restart) {
      if (this.child === child) this.child = undefined;
      await child.killAndWait(1000);
    }
    return this.closed ? [] : outcomes;
  }

  private async run(req: CallRequest): Promise<CallOutcome> {
    if (typeof req !== 'object' || req === null) throw new TypeError('call() expects { exportName, args }');
    const { exportName, args } = req;
    this.checkName(exportName, 'call()');
    if (!Array.isArray(args)) throw new TypeError('call(): args must be an array');
    const argsText = encodeTransfer(args);
    const closed: CallOutcome = { ok: false, error: `exited: the sandbox was closed before ${exportName}() could finish` };
    const ready = await this.ready(exportName);
    if (!(ready instanceof ChildHandle)) return ready;
    const child = ready;
    const id = this.nextId++;
    this.callsSinceLoad++;
    child.send({ t: 'call', id, name: exportName, args: argsText, timeoutMs: this.limits.callTimeoutMs });
    const ev = await child.next(this.limits.killAfterMs);
    if (this.closed) return closed;
    const { outcome, restart } = this.outcomeOf(ev, id, `${exportName}()`, child);
    if (restart) {
      // After a hang, a memory blow-up or a broken protocol the child is not
      // trusted again: it is killed (and reaped) now; the next call starts a
      // fresh one and loads the module again.
      if (this.child === child) this.child = undefined;
      await child.killAndWait(1000);
    }
    return this.closed ? closed : outcome;
  }

  /** The call's outcome, and whether the child must be replaced. */
  private outcomeOf(ev: ChildEvent, id: number, fn: string, child: ChildHandle): { outcome: CallOutcome; restart: boolean } {
    const { callTimeoutMs, killAfterMs, memoryMb } = this.limits;
    const keep = (outcome: CallOutcome) => ({ outcome, restart: false });
    const replace = (error: string) => ({ outcome: { ok: false, error } as CallOutcome, restart: true });
    const hung = `is there an infinite loop (or a wait that never ends)?`;
    const tooMuchMemory = `${fn} used more than the ${memoryMb} MB memory limit — is an array or string growing without bound?`;

    if (ev.kind === 'deadline') {
      // V8 may have been busy dying of an out-of-memory error when the deadline came.
      if (child.ranOutOfMemory()) return replace(`memory: ${tooMuchMemory}`);
      return replace(`timeout: ${fn} did not finish within ${killAfterMs} ms and was stopped forcibly — ${hung}`);
    }
    if (ev.kind === 'exit') {
      if (child.ranOutOfMemory()) return replace(`memory: ${tooMuchMemory}`);
      return replace(`exited: the process running ${fn} stopped unexpectedly (${child.describeEnd(ev)})`);
    }
    const msg = ev.msg;
    if (msg.t !== 'result' || msg.id !== id) {
      return replace(`exited: the sandbox process sent an unexpected message during ${fn}`);
    }
    switch (msg.kind) {
      case 'ok': {
        if (typeof msg.json !== 'string' || msg.json.length > MAX_RESULT_CHARS + 16) {
          return keep({ ok: false, error: `invalid: ${fn} returned a result that is too large` });
        }
        try {
          return keep({ ok: true, value: clipValue(decodeTransfer(msg.json)) });
        } catch (e) {
          const why = e instanceof TransferError ? e.message : 'the result could not be read';
          return keep({ ok: false, error: `invalid: ${fn} returned something that is not plain data: ${why}` });
        }
      }
      case 'timeout':
        return replace(`timeout: ${fn} did not finish within ${callTimeoutMs} ms — ${hung}`);
      case 'memory':
        return replace(`memory: ${tooMuchMemory} (${studentText(msg.message, 200)})`);
      case 'threw':
        return keep({ ok: false, error: `threw: ${studentText(msg.message)}` });
      case 'invalid':
        return keep({ ok: false, error: `invalid: ${fn} returned something that cannot be sent back as JSON data: ${studentText(msg.message)}` });
      case 'missing':
        return keep({
          ok: false,
          error:
            `missing: export ${fn.slice(0, -2)} not found` +
            (msg.message === 'not a function' ? ' (it is exported, but it is not a function)' : '') +
            (this.exports.length > 0 ? ` — ${this.filename} exports: ${this.exports.join(', ')}` : ''),
        });
      default:
        return replace(`exited: the sandbox process sent an unexpected result during ${fn}`);
    }
  }

  /** The module will never run: the temp dir is not needed any more. */
  discardFiles(): void {
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const child = this.child;
    this.child = undefined;
    if (child) await child.killAndWait();
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
    releaseUid(this.uid);
  }
}

/**
 * Opens a session for the submission in `submissionDir`: finds the code file
 * (gradients.ts, else gradients.mjs, else gradients.js — the first regular
 * file in that order of precedence; symbolic links are ignored), transpiles
 * TypeScript on the host, copies the result into a fresh temporary directory
 * and starts the child, which loads the module.
 *
 * Loading runs the top-level code with loadTimeoutMs inside the isolate, and
 * a hard deadline of loadTimeoutMs + (killAfterMs − callTimeoutMs, at least
 * 1 s) for the whole child start.
 *
 * Resolves even when the module cannot be loaded (then `loadError` says
 * why); rejects only when the sandbox itself cannot work (isolated-vm
 * missing, the child cannot start) or the limits are invalid.
 */
export async function openSandbox(submissionDir: string, limits: SandboxLimits = {}): Promise<SandboxSession> {
  const resolved = resolveLimits(limits);
  if (!swept) {
    swept = true;
    sweepStaleTempDirs();
  }
  const path = findCodeFile(submissionDir);
  if (path === undefined) {
    const s = new Session(undefined, resolved, 'gradients.js');
    s.loadError = 'load: no gradients.ts, gradients.mjs or gradients.js found in the submission folder';
    return s;
  }
  const filename = basename(path);
  if (filename.endsWith('.py') || filename.endsWith('.ipynb')) return openPython(path, filename, resolved);
  const source = await prepareSource(path, filename);
  if (!source.ok) {
    const s = new Session(undefined, resolved, filename);
    s.loadError = source.error;
    return s;
  }
  const runner = await getRunnerSource();
  const uid = takeUid();
  const dir = privateFolder(
    [
      ['runner.mjs', runner],
      ['submission.mjs', source.code],
    ],
    uid,
  );
  const session = new Session(dir, resolved, filename, uid);
  const started = await session.start();
  if (started.ok) {
    session.exports = started.exports;
    return session;
  }
  if (started.infrastructure) {
    await session.close();
    throw new Error(started.error);
  }
  session.loadError = started.error;
  session.discardFiles();
  return session;
}

/** What the current child process of a session is, for tests and diagnostics. */
export interface SandboxChildInfo {
  pid: number | undefined;
  uid: number;
  gid: number;
  groups: number[];
  cwd: string;
  envKeys: string[];
  /** What Node's permission model lets the child do. */
  permissions: HelloMessage['permissions'];
  tempDir: string | undefined;
}

/** Identity of the session's current child process, or undefined when none is running. */
export function sandboxChildInfo(session: SandboxSession): SandboxChildInfo | undefined {
  if (!(session instanceof Session)) return undefined;
  const s = session;
  const child = s.currentChild;
  if (!child || child.ended || !child.hello) return undefined;
  const { uid, gid, groups, cwd, envKeys, permissions } = child.hello;
  return { pid: child.proc.pid, uid, gid, groups, cwd, envKeys, permissions, tempDir: s.tempDir };
}

/** Largest notebook read, bytes (outputs included, which are ignored). */
const MAX_NOTEBOOK_BYTES = 8 * 1024 * 1024;

async function openPython(path: string, filename: string, limits: ResolvedLimits): Promise<SandboxSession> {
  const read = readSubmissionFile(dirname(path), filename, filename.endsWith('.ipynb') ? MAX_NOTEBOOK_BYTES : MAX_CODE_BYTES);
  const failed = (error: string): SandboxSession => {
    const s = new Session(undefined, limits, filename);
    s.loadError = error;
    return s;
  };
  if (!read.ok) return failed(`load: ${read.absent ? `${filename} is missing` : read.error}`);
  let code = read.text;
  const notes: string[] = [];
  if (filename.endsWith('.ipynb')) {
    const json = parseBoundedJson(read.text);
    if (!json.ok) return failed(`load: ${filename} ${json.error}`);
    const nb = notebookSource(json.value);
    if (!nb.ok) return failed(`load: ${nb.error}`);
    code = nb.code;
    notes.push(...nb.notes);
  }
  return openPythonSession(code, filename, { callTimeoutMs: limits.callTimeoutMs, loadTimeoutMs: limits.loadTimeoutMs }, notes);
}
