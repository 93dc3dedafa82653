import { type Tensor, dims2 } from './tensor.js';
import { GEMM_WASM_HEX } from './gemm-wasm.js';

/**
 * Matrix products on flat row-major Float64Arrays.
 *
 * One kernel does the work: C[m×n] += op(A)[m×k] · B[k×n] with B row-major
 * and A read through strides, so `Aᵀ·B` costs nothing extra. `A·Bᵀ` first
 * transposes B into a scratch buffer (O(k·n), small next to the O(m·k·n)
 * product). The kernel is WebAssembly SIMD (gemm.wat: blocks of 4 rows × 4
 * columns, eight f64x2 sums in registers; the operands are copied into its
 * memory and C back, O(mk + kn + mn) beside the product), about 4× the
 * JavaScript kernel below, which stands in where WebAssembly SIMD is missing.
 * That one blocks the k and n loops so a panel of B stays in cache, and
 * updates four rows of C from two rows of B per pass.
 */

const KC = 128; // rows of B per panel
const NC = 512; // columns of B per panel

/** C += A·B with A(i, p) = a[i·ai + p·ap] (JavaScript). */
function gemmJs(
  m: number, n: number, k: number,
  a: Float64Array, ai: number, ap: number,
  b: Float64Array, c: Float64Array,
): void {
  for (let j0 = 0; j0 < n; j0 += NC) {
    const j1 = Math.min(n, j0 + NC);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const p1 = Math.min(k, p0 + KC);
      let i = 0;
      for (; i + 3 < m; i += 4) {
        const c0 = i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
        const r0 = i * ai, r1 = r0 + ai, r2 = r1 + ai, r3 = r2 + ai;
        let p = p0;
        for (; p + 1 < p1; p += 2) {
          const q = p + 1;
          const a00 = a[r0 + p * ap]!, a01 = a[r0 + q * ap]!;
          const a10 = a[r1 + p * ap]!, a11 = a[r1 + q * ap]!;
          const a20 = a[r2 + p * ap]!, a21 = a[r2 + q * ap]!;
          const a30 = a[r3 + p * ap]!, a31 = a[r3 + q * ap]!;
          const bp = p * n, bq = bp + n;
          for (let j = j0; j < j1; j++) {
            const x = b[bp + j]!, y = b[bq + j]!;
            c[c0 + j]! += a00 * x + a01 * y;
            c[c1 + j]! += a10 * x + a11 * y;
            c[c2 + j]! += a20 * x + a21 * y;
            c[c3 + j]! += a30 * x + a31 * y;
          }
        }
        for (; p < p1; p++) {
          const a0 = a[r0 + p * ap]!, a1 = a[r1 + p * ap]!, a2 = a[r2 + p * ap]!, a3 = a[r3 + p * ap]!;
          const bp = p * n;
          for (let j = j0; j < j1; j++) {
            const x = b[bp + j]!;
            c[c0 + j]! += a0 * x;
            c[c1 + j]! += a1 * x;
            c[c2 + j]! += a2 * x;
            c[c3 + j]! += a3 * x;
          }
        }
      }
      for (; i < m; i++) {
        const ci = i * n, ri = i * ai;
        for (let p = p0; p < p1; p++) {
          const av = a[ri + p * ap]!;
          const bp = p * n;
          for (let j = j0; j < j1; j++) c[ci + j]! += av * b[bp + j]!;
        }
      }
    }
  }
}

// The few WebAssembly names used here (the project compiles without the DOM library that declares them).
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
};
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WasmGemm {
  gemm: (m: number, n: number, k: number, a: number, ai: number, ap: number, b: number, c: number) => void;
  memory: WasmMemory;
  heap: Float64Array;
}

let wasm: WasmGemm | null | undefined;

/** The WebAssembly kernel, instantiated once; null where WebAssembly SIMD is not available. */
function wasmGemm(): WasmGemm | null {
  if (wasm !== undefined) return wasm;
  try {
    const bytes = Uint8Array.from({ length: GEMM_WASM_HEX.length / 2 }, (_, i) => parseInt(GEMM_WASM_HEX.slice(2 * i, 2 * i + 2), 16));
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    const memory = instance.exports.memory as WasmMemory;
    wasm = { gemm: instance.exports.gemm as WasmGemm['gemm'], memory, heap: new Float64Array(memory.buffer) };
  } catch {
    wasm = null;
  }
  return wasm;
}

/** Addresses in the kernel are i32 bytes: beyond this many values the JavaScript kernel runs. */
const WASM_MAX_VALUES = 2 ** 27;

/**
 * C += A·B with A(i, p) = a[i·ai + p·ap]: in WebAssembly when it is there. `size` is the number of
 * values of the product the kernel is chosen for (a column of a product takes the product's kernel).
 */
function gemm(
  m: number, n: number, k: number,
  a: Float64Array, ai: number, ap: number,
  b: Float64Array, c: Float64Array,
  size = a.length + b.length + c.length,
): void {
  const w = wasmGemm();
  const values = a.length + b.length + c.length;
  if (!w || size > WASM_MAX_VALUES) return gemmJs(m, n, k, a, ai, ap, b, c);
  if (w.heap.length < values) {
    w.memory.grow(Math.ceil((values * 8 - w.memory.buffer.byteLength) / 65536));
    w.heap = new Float64Array(w.memory.buffer);
  }
  const bAt = a.length;
  const cAt = bAt + b.length;
  w.heap.set(a, 0);
  w.heap.set(b, bAt);
  w.heap.set(c, cAt);
  w.gemm(m, n, k, 0, ai, ap, bAt * 8, cAt * 8);
  c.set(w.heap.subarray(cAt, cAt + c.length));
}

/** Both kernels, for tests that hold them to each other. */
export const kernels = { wasm: (): boolean => wasmGemm() !== null, js: gemmJs, gemm };

function transposeData(x: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) out[j * rows + i] = x[o + j]!;
  }
  return out;
}

function target(out: Tensor | undefined, m: number, n: number, where: string): Tensor {
  if (!out) return { shape: [m, n], data: new Float64Array(m * n) };
  const [om, on] = dims2(out, where);
  if (om !== m || on !== n) throw new RangeError(`${where}: output is [${om}, ${on}], product is [${m}, ${n}]`);
  return out;
}

/**
 * A·B. With `out`, the product is *added* to out (gradients accumulate);
 * without, a new matrix is returned.
 */
export function matmul(a: Tensor, b: Tensor, out?: Tensor): Tensor {
  const [m, k] = dims2(a, 'matmul(A)');
  const [k2, n] = dims2(b, 'matmul(B)');
  if (k !== k2) throw new RangeError(`matmul: A is [${m}, ${k}] but B is [${k2}, ${n}]`);
  const c = target(out, m, n, 'matmul');
  gemm(m, n, k, a.data, k, 1, b.data, c.data);
  return c;
}

/** Aᵀ·B (A is [k, m]); accumulates into `out` when given. */
export function matmulTA(a: Tensor, b: Tensor, out?: Tensor): Tensor {
  const [k, m] = dims2(a, 'matmulTA(A)');
  const [k2, n] = dims2(b, 'matmulTA(B)');
  if (k !== k2) throw new RangeError(`matmulTA: Aᵀ is [${m}, ${k}] but B is [${k2}, ${n}]`);
  const c = target(out, m, n, 'matmulTA');
  gemm(m, n, k, a.data, 1, m, b.data, c.data);
  return c;
}

/** A·Bᵀ (B is [n, k]); accumulates into `out` when given. */
export function matmulTB(a: Tensor, b: Tensor, out?: Tensor): Tensor {
  const [m, k] = dims2(a, 'matmulTB(A)');
  const [n, k2] = dims2(b, 'matmulTB(B)');
  if (k !== k2) throw new RangeError(`matmulTB: A is [${m}, ${k}] but Bᵀ is [${k2}, ${n}]`);
  const c = target(out, m, n, 'matmulTB');
  gemm(m, n, k, a.data, k, 1, transposeData(b.data, n, k), c.data);
  return c;
}

/**
 * Writes columns `cols` of A·B (A·Bᵀ with `transposeB`, B then [n, k]) into `out` [m, n], leaving its
 * other columns alone: bit for bit the product's columns, since both kernels sum each entry in an
 * order that depends only on its row and k (incremental evaluation relies on it; tests hold it).
 */
export function matmulColumns(a: Tensor, b: Tensor, cols: readonly number[], out: Tensor, transposeB = false): void {
  const [m, k] = dims2(a, 'matmulColumns(A)');
  const [br, bc] = dims2(b, 'matmulColumns(B)');
  const [k2, n] = transposeB ? [bc, br] : [br, bc];
  if (k !== k2) throw new RangeError(`matmulColumns: A is [${m}, ${k}] but B${transposeB ? 'ᵀ' : ''} is [${k2}, ${n}]`);
  target(out, m, n, 'matmulColumns');
  const bd = b.data;
  const od = out.data;
  const column = new Float64Array(k);
  const sum = new Float64Array(m);
  const size = m * k + k * n + m * n;
  for (const j of cols) {
    if (!(Number.isInteger(j) && j >= 0 && j < n)) throw new RangeError(`matmulColumns: column ${j} is not one of 0..${n - 1}`);
    for (let p = 0; p < k; p++) column[p] = transposeB ? bd[j * k + p]! : bd[p * n + j]!;
    sum.fill(0);
    gemm(m, 1, k, a.data, k, 1, column, sum, size);
    for (let i = 0; i < m; i++) od[i * n + j] = sum[i]!;
  }
}
