/** One resolver for the checker's options: the documented defaults, and refusals that name the function and the option. */
import { describe, expect, it } from 'vitest';
import { CHECK_OPTION_RULES, resolveOptions } from '../../src/check/options.js';
import { checkJacobian, taylorTest } from '../../src/index.js';

const f = (x: Float64Array): number => x[0]! * x[0]!;
const g = (x: Float64Array): number[] => [2 * x[0]!];

describe('resolving the checker options', () => {
  it('fills in the documented defaults, rtol following the precision', () => {
    expect(resolveOptions('checkGradient', undefined)).toEqual({
      mode: 'auto',
      samples: 32,
      directions: 12,
      seed: 0,
      rtol: 0,
      resolution: 1e-7,
      atol: 0,
      step: 'auto',
      richardson: 'open',
      localize: true,
      maxLocalized: 20,
      precision: 'float64',
      nondeterminismTolerance: 'auto',
      record: false,
    });
    expect(resolveOptions('checkGradient', { precision: 'float32' }).rtol).toBe(1e-3);
    expect(resolveOptions('checkGradient', { precision: 'float32' }).resolution).toBe(1e-4);
    expect(Object.keys(CHECK_OPTION_RULES)).toHaveLength(14);
  });

  it('refuses unknown options, listing the known ones, and bad values, naming function and option', () => {
    expect(() => resolveOptions('checkParams', { tolerence: 1 })).toThrow(/^checkParams: unknown option 'tolerence' \(known: mode, samples, /);
    expect(() => resolveOptions('checkGradient', { mode: 'fast' })).toThrow(/^checkGradient: options.mode must be 'auto', 'full', 'sampled' or 'directional', got 'fast'$/);
    expect(() => resolveOptions('checkGradient', { localize: 1 })).toThrow(TypeError);
    expect(() => resolveOptions('checkGradient', [])).toThrow(/options must be an object, got an array/);
  });

  it('serves checkJacobian (with its cotangents) and taylorTest (with its own options)', () => {
    expect(() => checkJacobian((x) => [x[0]!], (_x, u) => [u[0]!], [1], { cotangents: 0 })).toThrow(/^checkJacobian: options.cotangents must be a positive integer, got 0$/);
    expect(() => checkJacobian((x) => [x[0]!], (_x, u) => [u[0]!], [1], { step: -1 })).toThrow(/^checkJacobian: options.step must be 'auto' or a finite number > 0/);
    expect(() => taylorTest(f, g, [1], { mode: 'full' } as never)).toThrow(/^taylorTest: unknown option 'mode' \(known: direction, seed, h0, steps, minRate\)$/);
    expect(() => taylorTest(f, g, [1], { steps: 2 })).toThrow(/^taylorTest: options.steps must be an integer ≥ 3, got 2$/);
    expect(() => taylorTest(f, g, [1], { minRate: 0 })).toThrow(/^taylorTest: options.minRate must be a finite number > 0, got 0$/);
    expect(taylorTest(f, g, [1]).ok).toBe(true);
  });
});
