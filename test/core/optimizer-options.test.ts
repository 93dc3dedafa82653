/**
 * The core optimisers' options at their edges: which values are accepted
 * (0 where the rule allows it) and refused, and where weight decay applies
 * by default (matrices, not biases) under both couplings.
 */
import { describe, expect, it } from 'vitest';
import { adagrad, adam, momentum, nesterov, rmsprop, sgd, type Params } from '../../src/core/index.js';

const params = (): Params =>
  new Map([
    ['W', { shape: [1, 2], data: Float64Array.of(1, -2) }],
    ['b', { shape: [2], data: Float64Array.of(3, 4) }],
  ]);
const zeroGrads = (): Params =>
  new Map([
    ['W', { shape: [1, 2], data: new Float64Array(2) }],
    ['b', { shape: [2], data: new Float64Array(2) }],
  ]);

describe('core optimiser options', () => {
  it('refuses a learning rate that is 0, negative or not finite, for every optimiser', () => {
    for (const make of [sgd, momentum, nesterov, adagrad, rmsprop, adam]) {
      for (const lr of [0, -0.1, NaN, Infinity]) expect(() => make({ lr }), `${make.name} lr ${lr}`).toThrow(/lr must be a finite number > 0/);
    }
  });

  it('accepts 0 and refuses negative values where the rule allows 0 (momentum, eps, weight decay, ρ, β)', () => {
    expect(() => momentum({ lr: 0.1, momentum: 0 })).not.toThrow();
    expect(() => nesterov({ lr: 0.1, momentum: 0 })).not.toThrow();
    expect(() => momentum({ lr: 0.1, momentum: -0.1 })).toThrow(/momentum: momentum/);
    expect(() => nesterov({ lr: 0.1, momentum: -0.1 })).toThrow(/nesterov: momentum/);
    expect(() => adagrad({ lr: 0.1, eps: 0 })).not.toThrow();
    expect(() => adam({ lr: 0.1, eps: 0 })).not.toThrow();
    expect(() => adam({ lr: 0.1, eps: -1e-8 })).toThrow(/adam: eps/);
    expect(() => sgd({ lr: 0.1, weightDecay: 0 })).not.toThrow();
    expect(() => sgd({ lr: 0.1, weightDecay: -1 })).toThrow(/weightDecay must be a finite number ≥ 0/);
    expect(() => rmsprop({ lr: 0.1, rho: 0 })).not.toThrow();
    for (const rho of [1, -0.1, NaN]) expect(() => rmsprop({ lr: 0.1, rho }), `rho ${rho}`).toThrow(/rmsprop: rho must lie in \[0, 1\)/);
    expect(() => adam({ lr: 0.1, beta1: 0, beta2: 0 })).not.toThrow();
    for (const beta1 of [1, -0.1, NaN]) expect(() => adam({ lr: 0.1, beta1 }), `beta1 ${beta1}`).toThrow(/adam: beta1 must lie in \[0, 1\)/);
    for (const beta2 of [1, -0.1, NaN]) expect(() => adam({ lr: 0.1, beta2 }), `beta2 ${beta2}`).toThrow(/adam: beta2 must lie in \[0, 1\)/);
  });

  it('decays matrices and not biases by default; coupled decay goes through the gradient, decoupled shrinks w directly', () => {
    // With a zero gradient: coupled SGD steps by −lr·wd·w; decoupled by the factor (1 − lr·wd).
    const coupled = params();
    sgd({ lr: 0.5, weightDecay: 0.1 }).step(coupled, zeroGrads());
    expect(Array.from(coupled.get('W')!.data)).toEqual([1 - 0.05, -2 + 0.1]);
    expect(Array.from(coupled.get('b')!.data)).toEqual([3, 4]);
    // Adam normalises the coupled decay term (first step moves by ≈ lr·sign), decoupled does not.
    const a = params();
    adam({ lr: 0.01, weightDecay: 0.1 }).step(a, zeroGrads());
    expect(a.get('W')!.data[0]).toBeCloseTo(1 - 0.01, 6);
    const aw = params();
    adam({ lr: 0.01, weightDecay: 0.1, decoupled: true }).step(aw, zeroGrads());
    expect(aw.get('W')!.data[0]).toBeCloseTo(1 - 0.001, 12);
    expect(Array.from(aw.get('b')!.data)).toEqual([3, 4]);
    const named = params();
    sgd({ lr: 0.5, weightDecay: 0.1, decay: ['b'] }).step(named, zeroGrads());
    expect(Array.from(named.get('W')!.data)).toEqual([1, -2]);
    expect(Array.from(named.get('b')!.data)).toEqual([3 - 0.15, 4 - 0.2]);
  });
});
