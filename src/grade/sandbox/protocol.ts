/**
 * Messages between the grader (host) and the sandbox child process, sent
 * over Node's IPC channel (JSON serialisation). Types only: the child
 * imports this file with `import type`, so nothing of it exists at run time.
 *
 * Sequence: child → `hello` (isolated-vm loaded, privileges dropped);
 * host → `init`; child → `ready` | `loadFailed`; then any number of
 * host → `call`, child → `result` pairs (or `calls`, child → `results`:
 * one export on many argument lists, in order, within one time limit), one
 * at a time.
 */

/** Sent by the child as soon as it runs and has loaded isolated-vm. */
export interface HelloMessage {
  t: 'hello';
  uid: number;
  gid: number;
  groups: number[];
  cwd: string;
  envKeys: string[];
  /** Whether Node's permission model is on, and what it allows. */
  permissions: { enabled: boolean; fsWrite: boolean; childProcess: boolean; worker: boolean; readRepo: boolean };
}

export interface InitMessage {
  t: 'init';
  /** Source of the isolate-side prelude (see prelude.ts). */
  prelude: string;
  /** Path of the (transpiled) submission, relative to the child's cwd. */
  file: string;
  /** The name shown to students in stack traces and syntax errors. */
  filename: string;
  memoryMb: number;
  loadTimeoutMs: number;
}

export interface ReadyMessage {
  t: 'ready';
  exports: string[];
}

export type LoadFailureKind = 'load' | 'timeout' | 'memory' | 'threw';

export interface LoadFailedMessage {
  t: 'loadFailed';
  kind: LoadFailureKind;
  message: string;
}

export interface CallMessage {
  t: 'call';
  id: number;
  name: string;
  /** The arguments array, encoded by codec.encodeTransfer. */
  args: string;
  timeoutMs: number;
}

export type CallFailureKind = 'threw' | 'timeout' | 'memory' | 'invalid' | 'missing';

export type ResultMessage =
  | { t: 'result'; id: number; kind: 'ok'; json: string }
  | { t: 'result'; id: number; kind: CallFailureKind; message: string };

/** One export called on many argument lists in turn, in one call into the isolate: one round trip for a whole test. */
export interface CallsMessage {
  t: 'calls';
  id: number;
  name: string;
  /** The array of the calls' arguments arrays, encoded once by codec.encodeTransfer. */
  args: string;
  /** For all of them together. */
  timeoutMs: number;
}

/** One result per call, in order; or none, and why, when the calls did not finish within their time limit or memory. */
export interface ResultsMessage {
  t: 'results';
  id: number;
  results: ResultMessage[];
  stopped?: 'timeout' | 'memory' | 'invalid';
}

export type HostToChild = InitMessage | CallMessage | CallsMessage;
export type ChildToHost = HelloMessage | ReadyMessage | LoadFailedMessage | ResultMessage | ResultsMessage;
