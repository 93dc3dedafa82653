/**
 * The model builders' choices, observed in what they build: activations by
 * name, Glorot scale, batch-norm and penalty wiring, the autoencoder's
 * decoder activations, input corruption, the sizes they refuse, and the
 * tensor constructors' refusals.
 */
import { describe, expect, it } from 'vitest';
import { autoencoder, corrupt, fromRows, mlp, predict, Rng, tensor, zeros } from '../../src/core/index.js';

const std = (a: Float64Array): number => {
  const mean = a.reduce((s, v) => s + v, 0) / a.length;
  return Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
};

describe('mlp and autoencoder builders', () => {
  it('draws Glorot-normal weights with std √(2/(in + out))', () => {
    const W = mlp({ sizes: [200, 300], seed: 3 }).params.get('W1')!;
    expect(W.shape).toEqual([200, 300]);
    expect(std(W.data) / Math.sqrt(2 / 500)).toBeCloseTo(1, 1);
  });

  it('builds leaky-relu with its slope and a softmax output by name', () => {
    const m = mlp({ sizes: [1, 1, 2], activation: 'leaky-relu', leakySlope: 0.5, output: 'softmax', seed: 1 });
    expect(m.ops.map((o) => o.kind)).toEqual(['dense', 'leaky-relu', 'dense', 'softmax']);
    m.params.get('W1')!.data[0] = 1;
    m.params.get('W2')!.data.set([1, -1]);
    // h = leaky(−2) = −1; logits [−1, 1]; softmax = [1/(1 + e²), e²/(1 + e²)].
    const y = predict(m, fromRows([[-2]]));
    expect(y.data[0]).toBeCloseTo(1 / (1 + Math.exp(2)), 15);
    expect(y.data[1]).toBeCloseTo(Math.exp(2) / (1 + Math.exp(2)), 15);
  });

  it('gives batch norm a γ of ones and a β of zeros, one per hidden unit', () => {
    const m = mlp({ sizes: [2, 5, 1], batchNorm: true });
    expect(m.params.get('gamma1')!.shape).toEqual([5]);
    expect(Array.from(m.params.get('gamma1')!.data)).toEqual([1, 1, 1, 1, 1]);
    expect(m.params.get('beta1')!.shape).toEqual([5]);
  });

  it('refuses sizes that are too few, zero, negative or fractional', () => {
    for (const sizes of [[3], [3, 0], [3, -1], [3, 1.5], [0, 2]]) expect(() => mlp({ sizes }), `[${sizes}]`).toThrow(/mlp: sizes must be at least 2 positive integers/);
    expect(() => autoencoder({ input: 4, hidden: [] })).toThrow(/autoencoder: sizes/);
    expect(() => autoencoder({ input: 4, hidden: [2, 0] })).toThrow(/autoencoder: sizes/);
  });

  it('decodes with the hidden activation between stacked layers and the output activation last', () => {
    const ae = autoencoder({ input: 4, hidden: [3, 2], activation: 'tanh', seed: 2 });
    expect(ae.ops.map((o) => o.kind)).toEqual(['dense', 'tanh', 'dense', 'tanh', 'dense', 'tanh', 'dense', 'identity']);
    const sig = autoencoder({ input: 4, hidden: [3, 2], decoderActivation: 'relu', output: 'sigmoid' });
    expect(sig.ops.map((o) => o.kind)).toEqual(['dense', 'sigmoid', 'dense', 'sigmoid', 'dense', 'relu', 'dense', 'sigmoid']);
  });

  it('penalises every weight matrix (not the biases) with weight decay, and puts the KL penalty at the code', () => {
    const ae = autoencoder({ input: 4, hidden: [2], weightDecay: 0.01, sparse: { rho: 0.05, beta: 3 } });
    expect(ae.penalties).toEqual([
      { op: 'l2', alpha: 0.01, params: ['W1', 'V1'] },
      { op: 'kl-sparsity', rho: 0.05, beta: 3, at: 1 },
    ]);
    const tied = autoencoder({ input: 4, hidden: [2], tied: true, weightDecay: 0.01 });
    expect(tied.penalties).toEqual([{ op: 'l2', alpha: 0.01, params: ['W1'] }]);
    expect(() => autoencoder({ input: 4, hidden: [2], activation: 'tanh', sparse: { rho: 0.05, beta: 3 } })).toThrow(/autoencoder: sparse needs a sigmoid code/);
  });
});

describe('corrupt', () => {
  const x = fromRows([
    [1, 2, 3],
    [4, 5, 6],
  ]);

  it('adds std·N(0, 1) noise drawn from the given generator, and masks entries from its uniforms', () => {
    const noisy = corrupt(x, { kind: 'gaussian', std: 0.5 }, new Rng(9));
    const r = new Rng(9);
    Array.from(noisy.data).forEach((v, i) => expect(v).toBeCloseTo(x.data[i]! + 0.5 * r.normal(), 15));
    expect(Array.from(corrupt(x, { kind: 'gaussian', std: 0 }, new Rng(1)).data)).toEqual([1, 2, 3, 4, 5, 6]);
    const masked = corrupt(x, { kind: 'mask', drop: 0.5 }, new Rng(4));
    const u = new Rng(4);
    Array.from(masked.data).forEach((v, i) => expect(v).toBe(u.uniform() < 0.5 ? 0 : x.data[i]!));
    expect(Array.from(corrupt(x, { kind: 'mask', drop: 0 }, new Rng(1)).data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refuses a negative or NaN std and a drop outside [0, 1)', () => {
    for (const s of [-0.1, NaN]) expect(() => corrupt(x, { kind: 'gaussian', std: s }, new Rng(1))).toThrow(/corrupt: std must be ≥ 0/);
    for (const d of [1, -0.1, NaN]) expect(() => corrupt(x, { kind: 'mask', drop: d }, new Rng(1))).toThrow(/corrupt: drop must lie in \[0, 1\)/);
  });
});

describe('tensor constructors', () => {
  it('zeros and tensor refuse negative or fractional dimensions; fromRows of nothing is [0, 0]', () => {
    for (const shape of [[-1], [2, 0.5], [1, -2]]) {
      expect(() => zeros(shape), `[${shape}]`).toThrow(/zeros: shape .* must hold non-negative integers/);
      expect(() => tensor(shape, []), `[${shape}]`).toThrow(/tensor: shape/);
    }
    expect(zeros([0, 3]).data.length).toBe(0);
    expect(fromRows([]).shape).toEqual([0, 0]);
  });
});
