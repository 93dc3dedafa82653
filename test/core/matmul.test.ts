import { describe, expect, it } from 'vitest';
import { fromRows, matmul, matmulColumns, matmulTA, matmulTB, Rng, tensor, toRows, transpose } from '../../src/core/index.js';
import { type Tensor } from '../../src/index.js';
import { kernels } from '../../src/core/matmul.js';

function random(rng: Rng, rows: number, cols: number): Tensor {
  return tensor([rows, cols], rng.normals(rows * cols));
}

/** The textbook triple loop: C[i][j] = Σ_p A[i][p]·B[p][j]. */
function naive(a: Tensor, b: Tensor): Float64Array {
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a.data[i * k + p]! * b.data[p * n + j]!;
      c[i * n + j] = s;
    }
  }
  return c;
}

/** A·B by the JavaScript kernel (the one that stands in where WebAssembly SIMD is missing). */
function viaJs(a: Tensor, b: Tensor): Float64Array {
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  const c = new Float64Array(m * n);
  kernels.js(m, n, k, a.data, k, 1, b.data, c);
  return c;
}

function expectMatrixClose(got: Tensor, want: Float64Array, shape: number[], k: number): void {
  expect(got.shape).toEqual(shape);
  expect(got.data.length).toBe(want.length);
  // summation order differs from the naive loop: allow k rounding errors of unit-size terms
  const tol = 1e-15 * 8 * k;
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got.data[i]! - want[i]!));
  expect(worst).toBeLessThanOrEqual(tol);
}

// [m, k, n]: odd and even sizes, sizes not divisible by 4 or 2, and sizes past the 128-row / 512-column panels
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 1],
  [3, 5, 2],
  [5, 3, 7],
  [4, 4, 4],
  [6, 1, 9],
  [7, 129, 3],
  [9, 257, 13],
  [130, 200, 517],
  [131, 201, 515],
];

describe('matrix products agree with a naive triple loop', () => {
  const rng = new Rng(123);
  it.each(shapes)('matmul for A [%d, %d] · B [%d columns]', (m, k, n) => {
    const a = random(rng, m, k);
    const b = random(rng, k, n);
    expectMatrixClose(matmul(a, b), naive(a, b), [m, n], k);
  });

  it.each(shapes)('matmulTA for Aᵀ with A stored [k, m], m=%d, k=%d, n=%d', (m, k, n) => {
    const at = random(rng, k, m); // A = atᵀ is [m, k]
    const b = random(rng, k, n);
    expectMatrixClose(matmulTA(at, b), naive(transpose(at), b), [m, n], k);
  });

  it.each(shapes)('matmulTB for Bᵀ with B stored [n, k], m=%d, k=%d, n=%d', (m, k, n) => {
    const a = random(rng, m, k);
    const bt = random(rng, n, k); // B = btᵀ is [k, n]
    expectMatrixClose(matmulTB(a, bt), naive(a, transpose(bt)), [m, n], k);
  });

  it('computes a small product exactly', () => {
    const a = fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = fromRows([
      [7, 8],
      [9, 10],
      [11, 12],
    ]);
    expect(toRows(matmul(a, b))).toEqual([
      [58, 64],
      [139, 154],
    ]);
    expect(toRows(matmulTA(transpose(a), b))).toEqual([
      [58, 64],
      [139, 154],
    ]);
    expect(toRows(matmulTB(a, transpose(b)))).toEqual([
      [58, 64],
      [139, 154],
    ]);
  });

  it('propagates a NaN or infinity of B through a zero of A into every row, as the naive product does', () => {
    // 5 rows: the kernel handles rows in blocks of four plus a remainder row
    for (const bad of [NaN, Infinity]) {
      const a = tensor([5, 2], [0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
      const b = tensor([2, 1], [bad, 1]);
      const want = naive(a, b);
      const c = matmul(a, b);
      for (let i = 0; i < 5; i++) {
        expect(want[i]).toBeNaN();
        expect(c.data[i], `row ${i} with B holding ${bad}`).toBeNaN();
      }
    }
  });
});

describe('matrix products with an output argument', () => {
  const rng = new Rng(321);
  const start = (m: number, n: number): Tensor => tensor([m, n], Array.from({ length: m * n }, (_, i) => (i % 7) - 3));

  it.each([
    [5, 6, 7],
    [130, 200, 517],
  ])('add the product into out instead of overwriting it (m=%d, k=%d, n=%d)', (m, k, n) => {
    const a = random(rng, m, k);
    const b = random(rng, k, n);
    const want = naive(a, b);
    const checks: [string, (out: Tensor) => Tensor][] = [
      ['matmul', (out) => matmul(a, b, out)],
      ['matmulTA', (out) => matmulTA(transpose(a), b, out)],
      ['matmulTB', (out) => matmulTB(a, transpose(b), out)],
    ];
    for (const [name, f] of checks) {
      const out = start(m, n);
      const initial = out.data.slice();
      const r = f(out);
      expect(r, name).toBe(out);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(out.data[i]! - (initial[i]! + want[i]!)));
      expect(worst, name).toBeLessThanOrEqual(1e-15 * 8 * k + 1e-14);
    }
  });

  it('accumulates over repeated calls', () => {
    const a = fromRows([[1, 2]]);
    const b = fromRows([[3], [4]]);
    const out = fromRows([[1]]);
    matmul(a, b, out);
    matmul(a, b, out);
    expect(out.data[0]).toBe(1 + 11 + 11);
  });
});

describe('matrix product shape checks', () => {
  const a = tensor([2, 3], [1, 2, 3, 4, 5, 6]);
  it('throw a RangeError when the inner dimensions differ', () => {
    expect(() => matmul(a, tensor([2, 2], [1, 2, 3, 4]))).toThrow(RangeError);
    expect(() => matmulTA(a, tensor([3, 2], [1, 2, 3, 4, 5, 6]))).toThrow(RangeError);
    expect(() => matmulTB(a, tensor([2, 2], [1, 2, 3, 4]))).toThrow(RangeError);
  });

  it('throw a RangeError when out has the wrong shape', () => {
    const b = tensor([3, 2], [1, 2, 3, 4, 5, 6]);
    expect(() => matmul(a, b, tensor([2, 3], [0, 0, 0, 0, 0, 0]))).toThrow(RangeError);
    expect(() => matmulTA(b, b, tensor([3, 3], new Array(9).fill(0)))).toThrow(RangeError);
    expect(() => matmulTB(a, a, tensor([3, 2], [0, 0, 0, 0, 0, 0]))).toThrow(RangeError);
  });

  it('throw a RangeError for operands that are not matrices', () => {
    expect(() => matmul(tensor([3], [1, 2, 3]), a)).toThrow(RangeError);
    expect(() => matmul(a, tensor([3], [1, 2, 3]))).toThrow(RangeError);
  });
});

describe('the WebAssembly kernel', () => {
  // the shapes above, and an empty inner dimension
  const edges: [number, number, number][] = [...shapes, [64, 0, 8]];

  it('is there (WebAssembly SIMD) and gives, bit for bit, the textbook sum in order, for every edge of its 4 × 4 blocks', () => {
    expect(kernels.wasm()).toBe(true);
    const rng = new Rng(11);
    for (const [m, k, n] of edges) {
      const a = random(rng, m, k);
      const b = random(rng, k, n);
      expect(Array.from(matmul(a, b).data), `${m}×${k}·${k}×${n}`).toEqual(Array.from(naive(a, b)));
      // Aᵀ·B reads A through strides: the same sums
      expect(Array.from(matmulTA(transpose(a), b).data)).toEqual(Array.from(naive(a, b)));
    }
  });

  it('adds into C (gradients accumulate) and leaves A and B as they were', () => {
    const rng = new Rng(12);
    const a = random(rng, 6, 5);
    const b = random(rng, 5, 7);
    const before = [a.data.slice(), b.data.slice()];
    const out = tensor([6, 7], new Float64Array(42).fill(1));
    matmul(a, b, out);
    // C's old value first, then each product in order
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 7; j++) {
        let s = 1;
        for (let p = 0; p < 5; p++) s += a.data[i * 5 + p]! * b.data[p * 7 + j]!;
        expect(out.data[i * 7 + j]).toBe(s);
      }
    }
    expect(a.data).toEqual(before[0]);
    expect(b.data).toEqual(before[1]);
  });

  it('agrees with the JavaScript kernel that stands in where WebAssembly SIMD is missing, to rounding', () => {
    const rng = new Rng(13);
    for (const [m, k, n] of edges) {
      const a = random(rng, m, k);
      const b = random(rng, k, n);
      expectMatrixClose(tensor([m, n], viaJs(a, b)), matmul(a, b).data, [m, n], Math.max(k, 1));
    }
  });

  it('grows its memory for products larger than it has held', () => {
    const rng = new Rng(14);
    const a = random(rng, 300, 300);
    const b = random(rng, 300, 300);
    expect(Array.from(matmul(a, b).data.subarray(0, 600))).toEqual(Array.from(naive(a, b).subarray(0, 600)));
  });
});

describe('columns of a product (incremental evaluation)', () => {
  const column = (c: Float64Array, m: number, n: number, j: number): number[] => Array.from({ length: m }, (_, i) => c[i * n + j]!);

  it('are, bit for bit, the columns of the whole product, for A·B and A·Bᵀ, and leave the other columns as they were', () => {
    const rng = new Rng(15);
    for (const [m, k, n] of shapes) {
      const a = random(rng, m, k);
      const b = random(rng, k, n);
      const full = matmul(a, b);
      const cols = [...new Set([0, n - 1, n >> 1])];
      const out = tensor([m, n], new Float64Array(m * n).fill(7));
      matmulColumns(a, b, cols, out);
      const bt = transpose(b);
      const outT = tensor([m, n], new Float64Array(m * n).fill(7));
      matmulColumns(a, bt, cols, outT, true);
      for (let j = 0; j < n; j++) {
        const want = cols.includes(j) ? column(full.data, m, n, j) : new Array<number>(m).fill(7);
        expect(column(out.data, m, n, j), `${m}×${k}·${k}×${n}, column ${j}`).toEqual(want);
        expect(column(outT.data, m, n, j), `${m}×${k}·(${n}×${k})ᵀ, column ${j}`).toEqual(want);
      }
    }
  });

  it('come from the JavaScript kernel, too, as its whole product has them: its sums depend on the row and k only', () => {
    const rng = new Rng(16);
    for (const [m, k, n] of shapes) {
      const a = random(rng, m, k);
      const b = random(rng, k, n);
      const j = n - 1;
      const one = viaJs(a, tensor([k, 1], Float64Array.from({ length: k }, (_, p) => b.data[p * n + j]!)));
      expect(Array.from(one), `${m}×${k}·${k}×${n}`).toEqual(column(viaJs(a, b), m, n, j));
    }
  });

  it('name the shape that does not fit, and a column outside the product', () => {
    const a = tensor([2, 3], new Float64Array(6));
    const b = tensor([3, 4], new Float64Array(12));
    expect(() => matmulColumns(a, b, [0], tensor([2, 3], new Float64Array(6)))).toThrow(/output is \[2, 3\], product is \[2, 4\]/);
    expect(() => matmulColumns(a, b, [4], tensor([2, 4], new Float64Array(8)))).toThrow(/column 4 is not one of 0..3/);
    expect(() => matmulColumns(a, b, [0], tensor([2, 4], new Float64Array(8)), true)).toThrow(/Bᵀ is \[4, 3\]/);
  });
});
