/** GELU and layer norm at points PyTorch computed (torch 1.13, float64), and erf against Python's math.erf. */
import { describe, expect, it } from 'vitest';
import { erf, gelu } from '../../../src/core/ops/gelu.js';
import { layerNorm } from '../../../src/core/ops/layernorm.js';
import { Rng } from '../../../src/core/rng.js';
import { fromRows, tensor, toRows } from '../../../src/core/tensor.js';
import type { Env } from '../../../src/core/ops/op.js';

const env = (params: Map<string, ReturnType<typeof tensor>> = new Map()): Env => ({
  params,
  grads: new Map([...params].map(([k, v]) => [k, { shape: [...v.shape], data: new Float64Array(v.data.length) }])),
  training: true,
  trackStats: false,
  rng: new Rng(0),
});
const xs = [-3, -1, -0.5, 0, 0.7, 1, 2.5];

describe('erf', () => {
  it('agrees with math.erf to 4 ulps in each of its three regimes (|x| < 0.5, < 2.5, beyond)', () => {
    const ref: [number, number][] = [
      [-5.5, -0.9999999999999927], [-2, -0.9953222650189527], [-1, -0.8427007929497149], [0.1, 0.1124629160182849],
      [1.5, 0.9661051464753108], [1.99, 0.995111413199617], [2, 0.9953222650189527], [3, 0.9999779095030014], [4.5, 0.9999999998033839],
    ];
    for (const [x, e] of ref) expect(Math.abs(erf(x) - e), `erf(${x})`).toBeLessThanOrEqual(4 * 2 ** -52 * Math.abs(e));
    expect(erf(0)).toBe(0);
    expect(erf(30)).toBe(1);
    expect(erf(-30)).toBe(-1);
  });
});

describe('gelu', () => {
  it('equals torch.nn.functional.gelu, exact and tanh-approximated', () => {
    const exact = [-0.00404969409489031, -0.15865525393145702, -0.15426876936299344, 0, 0.5306254434438489, 0.841344746068543, 2.4844758366855597];
    const approx = [-0.0036373920817729943, -0.15880800939172324, -0.15428599017485606, 0, 0.5305701347051167, 0.8411919906082768, 2.484915733910001];
    const x = tensor([1, 7], xs);
    const ye = gelu('none').forward(x, env()).y.data;
    const ya = gelu('tanh').forward(x, env()).y.data;
    xs.forEach((_, i) => {
      expect(Math.abs(ye[i]! - exact[i]!)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(exact[i]!)));
      expect(Math.abs(ya[i]! - approx[i]!)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(approx[i]!)));
    });
  });

  it('refuses an approximation it does not know, naming it', () => {
    expect(() => gelu('erf' as never)).toThrow(/gelu: approximate must be 'none' or 'tanh', got erf/);
  });
});

describe('layerNorm', () => {
  it('gives each row mean 0 and biased variance 1/(1 + eps/σ²), then scales and shifts per feature', () => {
    const x = fromRows([[1, 2, 3, 4], [10, -10, 0, 5]]);
    const y = toRows(layerNorm({ eps: 0 }).forward(x, env()).y);
    for (const r of y) {
      expect(Math.abs(r.reduce((a, b) => a + b, 0))).toBeLessThan(1e-15);
      expect(r.reduce((a, b) => a + b * b, 0) / r.length).toBeCloseTo(1, 14);
    }
    const p = new Map([['g', tensor([4], [1, 2, 3, 4])], ['b', tensor([4], [0, 0, 0, 1])]]);
    const z = toRows(layerNorm({ gamma: 'g', beta: 'b', eps: 0 }).forward(x, env(p)).y);
    z.forEach((r, i) => r.forEach((v, j) => expect(v).toBeCloseTo(y[i]![j]! * (j + 1) + (j === 3 ? 1 : 0), 14)));
  });

  it('accumulates into γ and β gradients (+=), and refuses a bad eps or a γ of the wrong width', () => {
    const p = new Map([['g', tensor([3], [1, 1, 1])], ['b', tensor([3], [0, 0, 0])]]);
    const e = env(p);
    e.grads.get('b')!.data.set([1, 1, 1]);
    const step = layerNorm({ gamma: 'g', beta: 'b' }).forward(fromRows([[1, 2, 4]]), e);
    step.backward(fromRows([[1, 2, 3]]));
    expect([...e.grads.get('b')!.data]).toEqual([2, 3, 4]);
    expect(() => layerNorm({ eps: -1 })).toThrow(/layerNorm: eps must be a finite number ≥ 0, got -1/);
    expect(() => layerNorm({ gamma: 'g' }).forward(fromRows([[1, 2]]), env(p))).toThrow(/layernorm: input has 2 columns but gamma has 3/);
  });
});
