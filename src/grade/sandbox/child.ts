/**
 * The sandbox child process: one per submission session, started by
 * index.ts with `node --no-node-snapshot runner.mjs <path of isolated-vm>`,
 * as uid/gid nobody when the grader is root, with an empty environment and
 * its cwd in a fresh temporary directory that holds only this runner and
 * the submission.
 *
 * It must stay self-contained: index.ts copies this file (compiled, or
 * transpiled on the fly when running from source) into that directory, so
 * the only imports allowed are node: built-ins and type-only imports.
 * isolated-vm is loaded by absolute path, given as argv[2].
 *
 * The submission never runs in this process's own JavaScript realm: it runs
 * in an isolated-vm isolate whose global object has nothing but the
 * ECMAScript built-ins (no require, process, fs, timers or network).
 */
import { readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Isolate, Reference } from 'isolated-vm';
import type {
  CallMessage,
  CallsMessage,
  ChildToHost,
  InitMessage,
  LoadFailedMessage,
  LoadFailureKind,
  ReadyMessage,
  ResultMessage,
  ResultsMessage,
} from './protocol.js';

type IsolatedVm = typeof import('isolated-vm');

const TIMEOUT_MESSAGE = 'Script execution timed out.';

const ivmPath = process.argv[2];
if (ivmPath === undefined || typeof process.send !== 'function') {
  process.stderr.write('sandbox child: expected the path of isolated-vm and an IPC channel\n');
  process.exit(2);
}
const ivm = createRequire(import.meta.url)(ivmPath) as IsolatedVm;

function send(msg: ChildToHost): void {
  process.send!(msg);
}

// The grader went away: nothing left to do.
process.on('disconnect', () => process.exit(0));

let isolate: Isolate | undefined;
let dispatch: Reference | undefined;
let namespace: Reference | undefined;

function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

function nameAndMessage(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  if (typeof e === 'string') return `Error: ${e}`;
  return `Error: ${String(e)}`;
}

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/** ivm's own timeout error, told apart from a submission throwing the same text by the time it took. */
function isTimeout(e: unknown, startedAt: number, timeoutMs: number): boolean {
  return e instanceof Error && e.message === TIMEOUT_MESSAGE && Date.now() - startedAt >= timeoutMs * 0.9;
}

/** RangeErrors V8 throws when an allocation is refused rather than when the heap limit kills the isolate. */
function isAllocationFailure(name: string, message: string): boolean {
  return (
    name === 'RangeError' &&
    (message === 'Array buffer allocation failed' ||
      message === 'Invalid string length' ||
      message.startsWith('WebAssembly.Memory') ||
      message.includes('Out of memory'))
  );
}

function loadFailed(kind: LoadFailureKind, message: string): LoadFailedMessage {
  return { t: 'loadFailed', kind, message: cut(message, 2000) };
}

const COMMONJS_HINT =
  ' — the file is loaded as an ES module: write `export function name(...) { ... }` instead of using require/module.exports';

async function load(m: InitMessage): Promise<ReadyMessage | LoadFailedMessage> {
  let code: string;
  try {
    code = readFileSync(m.file, 'utf8');
  } catch (e) {
    return loadFailed('load', `${m.filename} could not be read by the sandbox (${(e as NodeJS.ErrnoException).code ?? messageOf(e)})`);
  }
  // A fresh isolate per exercise: the one before dies with everything it held or was still running.
  if (isolate !== undefined && !isolate.isDisposed) isolate.dispose();
  isolate = undefined;
  dispatch = undefined;
  namespace = undefined;
  const iso = new ivm.Isolate({
    memoryLimit: m.memoryMb,
    // V8 lost control of the isolate (typically a huge allocation): nothing in
    // this process can be trusted any more. Say why on stderr, then die.
    onCatastrophicError: (message: string) => {
      try {
        writeSync(2, `\nsandbox child: isolated-vm catastrophic error: ${message}\n`);
      } finally {
        process.kill(process.pid, 'SIGKILL');
      }
    },
  });
  isolate = iso;
  const context = iso.createContextSync();
  dispatch = context.evalSync(m.prelude, { reference: true, timeout: 5000 }) as Reference;

  let mod;
  try {
    mod = iso.compileModuleSync(code, { filename: m.filename });
  } catch (e) {
    if (iso.isDisposed) return loadFailed('memory', messageOf(e));
    return loadFailed('load', `syntax error in ${m.filename}: ${messageOf(e)}`);
  }
  if (mod.dependencySpecifiers.length > 0) {
    const list = mod.dependencySpecifiers.map((s) => `'${cut(s, 100)}'`).join(', ');
    return loadFailed(
      'load',
      `${m.filename} imports ${list}, but imports are not allowed here: put all your code in this one file`,
    );
  }
  try {
    mod.instantiateSync(context, (specifier) => {
      throw new Error(`imports are not allowed ('${specifier}')`);
    });
  } catch (e) {
    return loadFailed('load', `${m.filename} could not be linked: ${messageOf(e)}`);
  }
  const startedAt = Date.now();
  try {
    mod.evaluateSync({ timeout: m.loadTimeoutMs });
  } catch (e) {
    if (iso.isDisposed) return loadFailed('memory', messageOf(e));
    if (isTimeout(e, startedAt, m.loadTimeoutMs)) return loadFailed('timeout', messageOf(e));
    const text = nameAndMessage(e);
    const hint = /^ReferenceError: (require|module|exports) is not defined$/.test(text) ? COMMONJS_HINT : '';
    const [name = 'Error', ...rest] = text.split(': ');
    if (isAllocationFailure(name, rest.join(': '))) return loadFailed('memory', text);
    return loadFailed('threw', cut(text, 1000) + hint);
  }
  namespace = mod.namespace;
  const listed = dispatch.applySync(undefined, ['exports', namespace.derefInto()], { timeout: m.loadTimeoutMs });
  if (typeof listed !== 'string' || !listed.startsWith('E')) {
    return loadFailed('load', `the exports of ${m.filename} could not be listed`);
  }
  return { t: 'ready', exports: JSON.parse(listed.slice(1)) as string[] };
}

async function call(m: CallMessage): Promise<ResultMessage> {
  const { id } = m;
  if (isolate === undefined || dispatch === undefined || namespace === undefined || isolate.isDisposed) {
    return { t: 'result', id, kind: 'memory', message: 'the isolate is gone' };
  }
  const startedAt = Date.now();
  let r: unknown;
  try {
    r = dispatch.applySync(undefined, ['call', namespace.derefInto(), m.name, m.args], { timeout: m.timeoutMs });
  } catch (e) {
    if (isolate.isDisposed) return { t: 'result', id, kind: 'memory', message: messageOf(e) };
    if (isTimeout(e, startedAt, m.timeoutMs)) return { t: 'result', id, kind: 'timeout', message: messageOf(e) };
    return { t: 'result', id, kind: 'threw', message: cut(nameAndMessage(e), 1000) };
  }
  return resultOf(id, r);
}

/** One tagged string from the prelude's dispatch (see prelude.ts) as a result message. */
function resultOf(id: number, r: unknown): ResultMessage {
  if (typeof r !== 'string' || r.length === 0) {
    return { t: 'result', id, kind: 'invalid', message: 'the sandbox received no result' };
  }
  const body = r.slice(1);
  switch (r[0]) {
    case 'R':
      return { t: 'result', id, kind: 'ok', json: body };
    case 'T': {
      const sep = body.indexOf('\u0001');
      const name = sep < 0 ? 'Error' : body.slice(0, sep);
      const message = sep < 0 ? body : body.slice(sep + 1);
      const kind = isAllocationFailure(name, message) ? 'memory' : 'threw';
      return { t: 'result', id, kind, message: `${name}: ${message}` };
    }
    case 'I':
      return { t: 'result', id, kind: 'invalid', message: body };
    case 'M':
      return { t: 'result', id, kind: 'missing', message: body };
    default:
      return { t: 'result', id, kind: 'invalid', message: 'the sandbox received an unreadable result' };
  }
}

/**
 * One export on many argument lists in one call into the isolate, all of
 * them within one time limit. Anything but a whole answer (the limit passed,
 * memory ran out, the reply is not one result per list) answers none of them
 * and says why: the host then calls them one by one, in a fresh child.
 */
async function calls(m: CallsMessage): Promise<ResultsMessage> {
  const { id } = m;
  if (isolate === undefined || dispatch === undefined || namespace === undefined || isolate.isDisposed) {
    return { t: 'results', id, results: [], stopped: 'memory' };
  }
  if (typeof m.args !== 'string') return { t: 'results', id, results: [], stopped: 'invalid' };
  let r: unknown;
  try {
    r = dispatch.applySync(undefined, ['many', namespace.derefInto(), m.name, m.args], { timeout: m.timeoutMs });
  } catch {
    return { t: 'results', id, results: [], stopped: isolate.isDisposed ? 'memory' : 'timeout' };
  }
  let tags: unknown;
  try {
    tags = typeof r === 'string' && r[0] === 'B' ? JSON.parse(r.slice(1)) : undefined;
  } catch {
    tags = undefined;
  }
  // (the host checks that there is one result per argument list)
  if (!Array.isArray(tags)) return { t: 'results', id, results: [], stopped: 'invalid' };
  return { t: 'results', id, results: tags.map((tag) => resultOf(id, tag)) };
}

async function handle(raw: unknown): Promise<void> {
  if (typeof raw !== 'object' || raw === null) return;
  const msg = raw as { t?: unknown };
  if (msg.t === 'init') send(await load(raw as InitMessage));
  else if (msg.t === 'call') send(await call(raw as CallMessage));
  else if (msg.t === 'calls') send(await calls(raw as CallsMessage));
}

let chain: Promise<void> = Promise.resolve();
process.on('message', (raw: unknown) => {
  chain = chain
    .then(() => handle(raw))
    .catch((e: unknown) => {
      process.stderr.write(`sandbox child: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(70);
    });
});

interface PermissionApi {
  has(scope: string, reference?: string): boolean;
}
const permission = (process as unknown as { permission?: PermissionApi }).permission;
const allowed = (scope: string, reference?: string): boolean => (permission ? permission.has(scope, reference) : true);

send({
  t: 'hello',
  permissions: {
    enabled: permission !== undefined,
    fsWrite: allowed('fs.write'),
    childProcess: allowed('child'),
    worker: allowed('worker'),
    // The grader's own code, next to isolated-vm's package folder.
    readRepo: allowed('fs.read', new URL('../../package.json', `file://${ivmPath}`).pathname),
  },
  uid: process.getuid?.() ?? -1,
  gid: process.getgid?.() ?? -1,
  groups: process.getgroups?.() ?? [],
  cwd: process.cwd(),
  envKeys: Object.keys(process.env),
});
