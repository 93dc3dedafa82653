import { describe, expect, it } from 'vitest';
import { autoencoder } from '../../src/core/builders.js';
import { Rng } from '../../src/core/rng.js';
import type { Tensor } from '../../src/core/tensor.js';
import type { Op } from '../../src/core/ops/op.js';
import type { Model } from '../../src/core/network.js';
import { checkModel } from '../../src/check/params.js';
import { runCheck } from '../../src/check/gradient.js';
import { resolveOptions } from '../../src/check/options.js';
import { wrongBackward } from './helpers.js';

const batch = (rows: number, cols: number, seed: number): Tensor => {
  const rng = new Rng(seed);
  return { shape: [rows, cols], data: Float64Array.from({ length: rows * cols }, () => 0.05 + 0.9 * rng.uniform()) };
};

const model = autoencoder({ input: 12, hidden: [6], sparse: { rho: 0.05, beta: 3 }, weightDecay: 1e-3, seed: 3 });
const x = batch(10, 12, 5);
/** The same ops without their specs: checkModel then calls the whole forward pass every time. */
const whole = (m: Model): Model => ({ ...m, ops: m.ops.map(({ source: _source, ...op }) => op) });
const sansCalls = ({ evaluations: _e, ...rest }: ReturnType<typeof checkModel>): Omit<ReturnType<typeof checkModel>, 'evaluations'> => rest;

/** b1[0]'s gradient off by `by`: the encoder's dense op, spec and columns kept, with a wrong backward. */
function wrongBias(m: Model, by: number): Model {
  const [enc, ...rest] = m.ops as [Op, ...Op[]];
  const wrong = wrongBackward(enc, (grads) => {
    grads.get('b1')!.data[0]! += by;
  });
  return { ...m, ops: [wrong, ...rest] };
}

describe('checkModel one entry at a time (the core\'s incremental evaluation)', () => {
  it('gives, entry by entry, the result the whole forward pass gives, with the six calls that compared them first', () => {
    const one = checkModel(model, x, x, { mode: 'full', workers: 1, record: true });
    const all = checkModel(whole(model), x, x, { mode: 'full', workers: 1, record: true });
    expect(one.verdict).toBe('pass');
    expect(one.warnings).toEqual([]);
    expect(sansCalls(one)).toEqual(sansCalls(all));
    expect(one.evaluations).toBe(all.evaluations + 6);
  });

  it('finds a wrong entry as the whole forward pass does, naming it', () => {
    const bad = wrongBias(model, 1e-4);
    const one = checkModel(bad, x, x, { mode: 'full', workers: 1 });
    const all = checkModel(whole(bad), x, x, { mode: 'full', workers: 1 });
    expect(one.verdict).toBe('fail');
    expect(one.failures.map((f) => f.name)).toEqual(['b1[0]']);
    expect(sansCalls(one)).toEqual(sansCalls(all));
  });
});

describe('an entry-at-a-time form of f (RunOptions.entry)', () => {
  const f = (v: Float64Array): number => v.reduce((s, a, i) => s + (i + 1) * a * a * a, 0);
  const grad = (v: Float64Array): Float64Array => v.map((a, i) => 3 * (i + 1) * a * a);
  const point = Float64Array.from([0.3, -1.2, 0.7, 2.1]);
  const at = (i: number, value: number): number => {
    const v = point.slice();
    v[i] = value;
    return f(v);
  };
  const opts = resolveOptions('test', { mode: 'full' });

  it('is used once it gives f\'s values, with the verdict f gives', () => {
    let used = 0;
    const r = runCheck(f, grad, point, opts, undefined, undefined, { entry: (i, value) => (used++, at(i, value)) });
    const plain = runCheck(f, grad, point, opts);
    expect(used).toBeGreaterThan(3);
    expect(r.verdict).toBe('pass');
    expect(r.evaluations).toBe(plain.evaluations + 6);
  });

  it('is dropped, with a warning that says where, when it disagrees with f by an ulp; every call then runs the whole f', () => {
    let used = 0;
    const r = runCheck(f, grad, point, opts, undefined, undefined, { entry: (i, value) => (used++, at(i, value) * (1 + 2 ** -52)) });
    const plain = runCheck(f, grad, point, opts);
    expect(used).toBe(1);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/^f one entry at a time gave .*, where the whole f gives .*, at x\[0\] moved by .*: every call ran the whole f$/);
    expect(r.verdict).toBe(plain.verdict);
    expect(r.evaluations).toBe(plain.evaluations + 2);
  });

  it('is dropped, with a warning that says why, when it throws where f does not: the check goes on with the whole f', () => {
    const r = runCheck(f, grad, point, opts, undefined, undefined, {
      entry: () => {
        throw new Error('boom');
      },
    });
    expect(r.verdict).toBe('pass');
    expect(r.warnings).toEqual([expect.stringMatching(/^f one entry at a time failed \(f threw at x \+ .*·e\[0\]: Error: boom\), where the whole f gives .*, at x\[0\] moved by .*: every call ran the whole f$/)]);
  });

  it('leaves an f that throws to end the check, as it would without the entry form', () => {
    const throwing = (v: Float64Array): number => {
      // beyond the noise probe's reach (1e-6 of the scale), within the steps of a check
      if (Math.abs(v[0]! - point[0]!) > 1e-4) throw new Error('off the point');
      return f(v);
    };
    const r = runCheck(throwing, grad, point, opts, undefined, undefined, { entry: at });
    const plain = runCheck(throwing, grad, point, opts);
    expect(r.verdict).toBe('fail');
    expect(r.reasons.join(' ')).toMatch(/f threw at x \+ .*·e\[0\]: Error: off the point/);
    expect(plain.reasons.join(' ')).toMatch(/f threw at x \+ .*: Error: off the point/);
  });
});
