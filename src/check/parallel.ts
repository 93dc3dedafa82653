/**
 * Full mode on worker threads: coordinates are independent once the point's
 * noise and the analytic gradient are known, so worker threads check chunks of
 * them, claimed from a shared counter, and post each chunk's outcomes back. The
 * calling thread claims chunks too (it is warm while a new worker starts), then
 * blocks (checkModel is synchronous) until every chunk is in, and adds them in
 * index order: the result is the one a single thread gives.
 * Only objectives that are plain data can cross (a model whose ops carry their
 * specs); anything else, or a worker that fails or stalls, is checked on the
 * calling thread.
 */
import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Tensor } from '../core/tensor.js';
import type { Model } from '../core/network.js';
import type { CoordinateRunner, EntryOutcome, SharedContext } from './gradient.js';

/** A model's objective as plain data: what a worker needs to build the same f. */
export interface ModelTask {
  ops: { spec: { readonly op: string }; constants: ReadonlyMap<string, Tensor>; state: unknown }[];
  params: Map<string, Tensor>;
  loss: Model['loss'];
  penalties: Model['penalties'];
  input: Tensor;
  target: Tensor;
  training: boolean;
}

/** One job as a worker receives it. */
export interface Job {
  task: ModelTask;
  shared: SharedContext;
  indices: Uint32Array;
  chunk: number;
  /** [next chunk to claim, chunks posted] */
  counters: Int32Array;
  reply: MessagePort;
}

/** What a worker posts: a chunk's outcomes, or the error that stopped it. */
export type Reply = { chunk: number; outcomes: EntryOutcome[] } | { error: string };

/** The machine's cores: the default number of worker threads. */
export const defaultWorkers = (): number => availableParallelism();

/** Below this much expected work (ms of calls on one thread) threads do not pay for their start: started ones, and new ones (a new worker loads its modules and runs its first chunk cold). */
const MIN_PARALLEL_MS = { started: 150, new: 1000 } as const;
/** Calls per entry assumed when estimating the work. */
const CALLS_PER_ENTRY = 4.5;
/** Chunks per worker: small enough to balance, large enough that posting costs nothing. */
const CHUNKS_PER_WORKER = 16;

/** The model as a task, or why it cannot cross threads. */
export function modelTask(model: Model, input: Tensor, target: Tensor, training: boolean): ModelTask | string {
  const ops: ModelTask['ops'] = [];
  for (const [k, op] of model.ops.entries()) {
    if (!op.source) return `op ${k} (${op.kind}) was built by hand, not from a spec`;
    ops.push({ spec: op.source.spec, constants: op.source.constants, state: op.saveState?.() });
  }
  return { ops, params: model.params, loss: model.loss, penalties: model.penalties, input, target, training };
}

/** The worker's script: beside this file once built; from the sources (tests), the built copy. */
function workerFile(): string | undefined {
  for (const rel of ['./worker.js', '../../dist/src/check/worker.js']) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(file)) return file;
  }
  return undefined;
}

const pool: Worker[] = [];

/** At least `n` idle workers (started once, kept for later checks, never keeping the process alive). */
function workers(n: number, file: string): Worker[] {
  while (pool.length < n) {
    const w = new Worker(file);
    w.unref();
    // a worker that dies is dropped from the pool; its chunks are redone on the calling thread
    const drop = (): void => {
      const at = pool.indexOf(w);
      if (at >= 0) pool.splice(at, 1);
    };
    w.on('error', drop);
    w.on('exit', drop);
    pool.push(w);
  }
  return pool.slice(0, n);
}

/** How long the calling thread waits without a chunk arriving before it gives up on the workers. */
function stallMs(shared: SharedContext, chunk: number): number {
  return Math.max(30_000, 50 * chunk * CALLS_PER_ENTRY * 2 * shared.callMs);
}

/**
 * A CoordinateRunner on `count` threads (the calling one and count − 1 workers) for a model task.
 * Declines (checked on the calling thread) when count is 1, the task cannot cross, or, unless the
 * count was asked for (`asked`), the work is too small to pay for the threads.
 */
export function threadRunner(task: ModelTask | string, count: number, asked = false): CoordinateRunner {
  return (shared, indices, here) => {
    if (count <= 1) return { unavailable: 'one worker', warn: false };
    if (typeof task === 'string') return { unavailable: task, warn: false };
    const least = pool.length >= count - 1 ? MIN_PARALLEL_MS.started : MIN_PARALLEL_MS.new;
    if (!asked && indices.length * CALLS_PER_ENTRY * shared.callMs < least) return { unavailable: 'too little work', warn: false };
    const file = workerFile();
    if (!file) return { unavailable: 'the worker script dist/src/check/worker.js is missing: build the package', warn: true };
    // the calling thread is one of the team: count − 1 workers beside it
    const team = workers(Math.min(count - 1, Math.ceil(indices.length / 8)), file);
    const chunk = Math.max(1, Math.ceil(indices.length / ((team.length + 1) * CHUNKS_PER_WORKER)));
    const chunks = Math.ceil(indices.length / chunk);
    const counters = new Int32Array(new SharedArrayBuffer(8));
    const ports = team.map((w) => {
      const { port1, port2 } = new MessageChannel();
      const job: Job = { task, shared, indices, chunk, counters, reply: port2 };
      w.postMessage(job, [port2]);
      return port1;
    });
    const got = new Map<number, EntryOutcome[]>();
    const stop = (why: string): { unavailable: string; warn: boolean } => {
      Atomics.store(counters, 0, chunks); // no further claims
      for (const p of ports) p.close();
      return { unavailable: why, warn: true };
    };
    /** The replies that have arrived; a worker's failure, if one came. */
    const collect = (): string | undefined => {
      for (const p of ports) {
        for (let m = receiveMessageOnPort(p); m; m = receiveMessageOnPort(p)) {
          const reply = m.message as Reply;
          if ('error' in reply) return `a worker failed: ${reply.error}`;
          got.set(reply.chunk, reply.outcomes);
        }
      }
      return undefined;
    };
    // this thread claims chunks from the same counter while the workers start and run
    for (let c = Atomics.add(counters, 0, 1); c < chunks; c = Atomics.add(counters, 0, 1)) {
      got.set(c, here(indices.subarray(c * chunk, (c + 1) * chunk)));
      const failed = collect();
      if (failed) return stop(failed);
    }
    let seen = 0;
    let last = Date.now();
    while (got.size < chunks) {
      const failed = collect();
      if (failed) return stop(failed);
      if (got.size >= chunks) break;
      Atomics.wait(counters, 1, seen, 200);
      const now = Atomics.load(counters, 1);
      if (now !== seen) {
        seen = now;
        last = Date.now();
      } else if (Date.now() - last > stallMs(shared, chunk)) return stop(`no chunk arrived for ${Math.round((Date.now() - last) / 1000)} s`);
    }
    for (const p of ports) p.close();
    return { outcomes: [...got.values()].flat(), threads: team.length + 1 };
  };
}
