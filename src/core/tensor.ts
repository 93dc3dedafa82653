/**
 * A tensor is a flat row-major Float64Array plus a shape. Nothing else: no
 * strides, no views, no autograd tape. Ops take and return tensors; the
 * backward passes are written by hand beside each forward.
 */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** Number of entries implied by a shape (1 for a scalar shape `[]`). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function checkShape(shape: readonly number[], where: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`${where}: shape [${shape.join(', ')}] must hold non-negative integers`);
    }
  }
}

/** A tensor of zeros. */
export function zeros(shape: readonly number[]): Tensor {
  checkShape(shape, 'zeros');
  return { shape: [...shape], data: new Float64Array(sizeOf(shape)) };
}

/** A tensor of zeros with another tensor's shape. */
export function zerosLike(t: Tensor): Tensor {
  return { shape: [...t.shape], data: new Float64Array(t.data.length) };
}

/** Wraps (copies) flat data into a tensor, checking that the sizes agree. */
export function tensor(shape: readonly number[], data: ArrayLike<number>): Tensor {
  checkShape(shape, 'tensor');
  const n = sizeOf(shape);
  if (data.length !== n) {
    throw new RangeError(`tensor: shape [${shape.join(', ')}] needs ${n} values, got ${data.length}`);
  }
  return { shape: [...shape], data: Float64Array.from(data) };
}

/** A matrix from rows (for tests and small literals; never in hot loops). */
export function fromRows(rows: readonly (readonly number[])[]): Tensor {
  const m = rows.length;
  const n = m === 0 ? 0 : rows[0]!.length;
  const data = new Float64Array(m * n);
  rows.forEach((r, i) => {
    if (r.length !== n) throw new RangeError(`fromRows: row ${i} has ${r.length} entries, expected ${n}`);
    data.set(r, i * n);
  });
  return { shape: [m, n], data };
}

/** Rows of a matrix as plain arrays (for tests and printing). */
export function toRows(t: Tensor): number[][] {
  const [m, n] = dims2(t, 'toRows');
  const out: number[][] = [];
  for (let i = 0; i < m; i++) out.push(Array.from(t.data.subarray(i * n, (i + 1) * n)));
  return out;
}

export function clone(t: Tensor): Tensor {
  return { shape: [...t.shape], data: t.data.slice() };
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The two dimensions of a matrix, or a RangeError naming the caller. */
export function dims2(t: Tensor, where: string): [number, number] {
  if (t.shape.length !== 2) {
    throw new RangeError(`${where}: expected a matrix [m, n], got shape [${t.shape.join(', ')}]`);
  }
  return [t.shape[0]!, t.shape[1]!];
}

export function assertSameShape(a: Tensor, b: Tensor, where: string): void {
  if (!sameShape(a.shape, b.shape)) {
    throw new RangeError(`${where}: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ`);
  }
}

/** Y[i, j] = X[i, j] + b[j]: the bias broadcast over the rows of a batch. */
export function addRowVector(x: Tensor, b: Tensor): void {
  const [m, n] = dims2(x, 'addRowVector');
  if (b.data.length !== n) throw new RangeError(`addRowVector: bias has ${b.data.length} entries, rows have ${n}`);
  const xd = x.data;
  const bd = b.data;
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) xd[o + j]! += bd[j]!;
  }
}

/** out[j] += Σ_i X[i, j]: column sums (the bias gradient of a dense layer). */
export function sumRowsInto(x: Tensor, out: Float64Array): void {
  const [m, n] = dims2(x, 'sumRowsInto');
  const xd = x.data;
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) out[j]! += xd[o + j]!;
  }
}

/** Column means of a matrix, as a vector of length n. */
export function colMeans(x: Tensor): Float64Array {
  const [m, n] = dims2(x, 'colMeans');
  const out = new Float64Array(n);
  sumRowsInto(x, out);
  for (let j = 0; j < n; j++) out[j]! /= m;
  return out;
}

/** Row sums of a matrix, as a vector of length m. */
export function rowSums(x: Tensor): Float64Array {
  const [m, n] = dims2(x, 'rowSums');
  const out = new Float64Array(m);
  const xd = x.data;
  for (let i = 0; i < m; i++) {
    let s = 0;
    const o = i * n;
    for (let j = 0; j < n; j++) s += xd[o + j]!;
    out[i] = s;
  }
  return out;
}


/** Rows `idx` of X gathered into a new [idx.length, n] matrix (mini-batches). */
export function gatherRows(x: Tensor, idx: ArrayLike<number>): Tensor {
  const [, n] = dims2(x, 'gatherRows');
  const out = new Float64Array(idx.length * n);
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r]!;
    out.set(x.data.subarray(i * n, (i + 1) * n), r * n);
  }
  return { shape: [idx.length, n], data: out };
}

/** The transpose of a matrix (used off the hot path). */
export function transpose(x: Tensor): Tensor {
  const [m, n] = dims2(x, 'transpose');
  const out = new Float64Array(m * n);
  const xd = x.data;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = xd[i * n + j]!;
  return { shape: [n, m], data: out };
}
