import { describe, expect, it } from 'vitest';
import { autoencoder, mlp } from '../../src/core/builders.js';
import { Rng } from '../../src/core/rng.js';
import type { Tensor } from '../../src/core/tensor.js';
import type { Op } from '../../src/core/ops/op.js';
import { checkModel } from '../../src/check/params.js';

const batch = (rows: number, cols: number, seed: number): Tensor => {
  const rng = new Rng(seed);
  return { shape: [rows, cols], data: Float64Array.from({ length: rows * cols }, () => 0.05 + 0.9 * rng.uniform()) };
};

// large enough (P = 1,592, 32 rows) that threads pay for their start
const model = autoencoder({ input: 32, hidden: [24], sparse: { rho: 0.05, beta: 3 }, weightDecay: 1e-3, seed: 3 });
const x = batch(32, 32, 5);
const without = ({ threads, ...rest }: ReturnType<typeof checkModel>): Omit<ReturnType<typeof checkModel>, 'threads'> => rest;

describe('full mode on worker threads', () => {
  it('checks every entry on two threads with the result one thread gives, entry by entry', () => {
    const one = checkModel(model, x, x, { mode: 'full', workers: 1, record: true });
    const two = checkModel(model, x, x, { mode: 'full', workers: 2, record: true });
    expect(one.threads).toBeUndefined();
    expect(two.threads).toBe(2);
    expect(two.verdict).toBe('pass');
    expect(without(two)).toEqual(without(one));
  });

  it('carries an op\'s state to the threads: in eval mode, batch norm\'s running statistics give the result one thread gives', () => {
    const bn = mlp({ sizes: [24, 32, 24], activation: 'tanh', batchNorm: true, seed: 2 });
    const input = batch(40, 24, 7);
    // running statistics of its own: a worker that rebuilt the op from its spec alone would differ
    const norm = bn.ops.find((op) => op.kind === 'batchnorm')!;
    norm.loadState!({ mean: new Float64Array(32).fill(0.3), variance: new Float64Array(32).fill(2) });
    const one = checkModel(bn, input, input, { mode: 'full', workers: 1, training: false });
    const two = checkModel(bn, input, input, { mode: 'full', workers: 2, training: false });
    expect(two.threads).toBe(2);
    expect(without(two)).toEqual(without(one));
  });

  it('checks a model with an op built by hand on the calling thread, saying nothing (it cannot cross)', () => {
    const byHand: Op = { kind: 'identity', paramNames: [], forward: (h) => ({ y: h, backward: (dy) => dy }) };
    const m = { ...model, ops: [...model.ops, byHand] };
    const r = checkModel(m, x, x, { mode: 'full', workers: 2 });
    expect(r.threads).toBeUndefined();
    expect(r.verdict).toBe('pass');
    expect(r.warnings).toEqual([]);
  });

  it('refuses a workers option that is not a positive integer, naming checkModel', () => {
    expect(() => checkModel(model, x, x, { workers: 0 })).toThrow(/checkModel: options.workers must be a positive integer, got 0/);
    expect(() => checkModel(model, x, x, { workers: 1.5 })).toThrow(/checkModel: options.workers/);
  });
});
