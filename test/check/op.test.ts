import { describe, expect, it } from 'vitest';
import { assertOp, checkOp, formatOpResult, type OpUnderTest } from '../../src/index.js';
import { createOp, tensor, type Tensor } from '../../src/core/index.js';

/** y = tanh(x·W + b), with a planted bug chosen by name. */
function layer(bug?: 'scale' | 'overwrite' | 'mutate-dy' | 'mutate-x' | 'transpose'): OpUnderTest {
  return {
    forward(x, env) {
      const W = env.params.get('W')!;
      const b = env.params.get('b')!;
      const [m, d] = x.shape as [number, number];
      const k = W.shape[1]!;
      const y = new Float64Array(m * k);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < k; j++) {
          let s = b.data[j]!;
          for (let t = 0; t < d; t++) s += x.data[i * d + t]! * W.data[t * k + j]!;
          y[i * k + j] = Math.tanh(s);
        }
      return {
        y: tensor([m, k], y),
        backward(dy: Tensor) {
          const dx = new Float64Array(m * d);
          const gW = env.grads.get('W')!.data;
          const gb = env.grads.get('b')!.data;
          if (bug === 'overwrite') gW.fill(0);
          for (let i = 0; i < m; i++)
            for (let j = 0; j < k; j++) {
              const g = dy.data[i * k + j]! * (1 - y[i * k + j]! ** 2);
              gb[j]! += g;
              for (let t = 0; t < d; t++) {
                gW[t * k + j]! += x.data[i * d + t]! * g * (bug === 'scale' && t === 1 ? 1.001 : 1);
                dx[i * d + t]! += (bug === 'transpose' && d === k ? W.data[j * k + t]! : W.data[t * k + j]!) * g;
              }
            }
          if (bug === 'mutate-dy') dy.data[0] = 7;
          if (bug === 'mutate-x') x.data[0] = 7;
          return tensor([m, d], dx);
        },
      };
    },
  };
}
const params = ({ d, k }: { d: number; k: number }) => ({ W: [d, k], b: [k] });

describe('checkOp: property tests of an op, shrunk to the smallest failing input', () => {
  it("passes a user's correct layer in three lines", () => {
    const r = checkOp(layer(), { params });
    expect(r.verdict, formatOpResult(r)).toBe('pass');
    expect(r.runs).toBe(25);
  });

  it('catches a 0.1% error in one column of dW, naming the entry, with a small counterexample', () => {
    const r = checkOp(layer('scale'), { params });
    expect(r.verdict).toBe('fail');
    expect(r.counterexample!.reason).toMatch(/W\[1,\d\]/);
    expect(r.counterexample!.x.shape[1]).toBe(2); // the bug needs d ≥ 2, and no more
    expect(formatOpResult(r)).toMatch(/^op check FAILED/);
  });

  it('catches a transposed weight in dx (square W), naming x entries', () => {
    const r = checkOp(layer('transpose'), { params });
    expect(r.verdict).toBe('fail');
    expect(r.counterexample!.reason).toMatch(/x\[\d+,\d+\]/);
  });

  it('catches gradients that overwrite env.grads instead of accumulating, shrunk to one entry', () => {
    const r = checkOp(layer('overwrite'), { params });
    expect(r.verdict).toBe('fail');
    expect(r.counterexample!.reason).toMatch(/^backward overwrites env\.grads\.W instead of accumulating \(\+=\)/);
    expect(r.counterexample!.x.shape).toEqual([1, 1]);
  });

  it('catches a backward that mutates dy or x', () => {
    expect(checkOp(layer('mutate-dy'), { params }).counterexample!.reason).toBe('backward mutated dy');
    expect(checkOp(layer('mutate-x'), { params }).counterexample!.reason).toBe('forward or backward mutated the input x');
  });

  it("checks the core's own ops the same way (dense, relu)", () => {
    const dense = createOp({ op: 'dense', weight: 'W', bias: 'b', transpose: false });
    expect(checkOp(dense, { params, runs: 10 }).verdict).toBe('pass');
    expect(checkOp(createOp({ op: 'relu' }), { runs: 10 }).verdict).toBe('pass');
  });

  it('assertOp throws the formatted counterexample; bad options are refused naming the option', () => {
    expect(() => assertOp(layer('scale'), { params, runs: 10 })).toThrow(/op check FAILED[\s\S]*W = \[/);
    expect(() => checkOp(layer(), { runs: 0 })).toThrow(/^checkOp: options.runs must be a positive integer, got 0$/);
    expect(() => checkOp(layer(), { params: () => ({ W: [0] }) })).toThrow(/^checkOp: options.params\(dims\).W must be a non-empty array of positive integers/);
    expect(() => checkOp({} as OpUnderTest)).toThrow(/^checkOp: op must have a forward/);
  });
});
