/**
 * A worker thread of parallel.ts: builds the model's objective from its task
 * and checks the chunks of coordinates it claims, posting each chunk's
 * outcomes. The objective is exactly checkModel's, so every outcome is the one
 * the calling thread would have found.
 */
import { parentPort } from 'node:worker_threads';
import { createOp } from '../core/ops/registry.js';
import { TensorLayout } from '../core/layout.js';
import { evaluate, type Model } from '../core/network.js';
import { Guarded, type EntryFn } from './guard.js';
import { entryObjective } from '../core/incremental.js';
import { checkCoordinates } from './gradient.js';
import type { Job, ModelTask, Reply } from './parallel.js';

/** checkModel's f, whole and (from the task's parameters, the point checked) one entry at a time. */
function objective(task: ModelTask): { f: (v: Float64Array) => number; entry?: EntryFn } {
  const ops = task.ops.map((o) => {
    const op = createOp(o.spec, o.constants);
    if (o.state !== undefined) op.loadState?.(o.state);
    return op;
  });
  const layout = TensorLayout.of(task.params);
  const { input, target, training } = task;
  const inc = entryObjective({ ops, params: task.params, loss: task.loss, penalties: task.penalties }, input, target, { training });
  return {
    f: (v) => {
      const model: Model = { ops, params: layout.views(v), loss: task.loss, penalties: task.penalties };
      return evaluate(model, input, target, { training, backward: false }).objective;
    },
    entry: inc?.at,
  };
}

function run(job: Job): void {
  const { f, entry } = objective(job.task);
  const g = new Guarded(
    f,
    () => {
      throw new Error('a worker checks coordinates with f only');
    },
    job.shared.x.length,
    true,
    entry,
  );
  const chunks = Math.ceil(job.indices.length / job.chunk);
  for (let c = Atomics.add(job.counters, 0, 1); c < chunks; c = Atomics.add(job.counters, 0, 1)) {
    const outcomes = checkCoordinates(job.shared, g, job.indices.subarray(c * job.chunk, (c + 1) * job.chunk));
    job.reply.postMessage({ chunk: c, outcomes } satisfies Reply);
    Atomics.add(job.counters, 1, 1);
    Atomics.notify(job.counters, 1);
  }
  job.reply.close();
}

parentPort?.on('message', (job: Job) => {
  try {
    run(job);
  } catch (e) {
    job.reply.postMessage({ error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) } satisfies Reply);
    Atomics.add(job.counters, 1, 1);
    Atomics.notify(job.counters, 1);
  }
});
