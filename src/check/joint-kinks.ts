/**
 * Kinked coordinates judged together. At a point where f is not
 * differentiable, each coordinate's analytic value may lie between its own
 * one-sided derivatives and the gradient still be no subgradient: at a tie of
 * max(x₁, x₂), ∂ = (1, 1) passes coordinate by coordinate, but the
 * subgradients are the segment between (1, 0) and (0, 1). A correct
 * (Clarke) subgradient is a convex combination of the gradients of the
 * pieces that meet at x; those are sampled at points just off x, one per
 * orthant of the kinked coordinates (and random ones beyond six of them), by
 * central differences, and the analytic value must not be separable from
 * their hull: for no direction w may w·g exceed every sampled w·∇ by more
 * than the estimates' error. A necessary condition, so never a false alarm
 * from a piece it sampled, and decisive for ties like max's.
 */
import type { Rng } from '../core/rng.js';

export interface JointKinkInput {
  f: (x: Float64Array, where: string) => number;
  x: Float64Array;
  grad: Float64Array;
  scale: Float64Array;
  /** The kinked coordinates. */
  kinked: readonly number[];
  rng: Rng;
}

export interface JointKinkResult {
  ok: boolean;
  /** Piece gradients sampled (restricted to the kinked coordinates). */
  pieces: number;
  /** When not ok: the separating direction, w·g and the largest w·∇ over the pieces. */
  witness?: { w: number[]; analytic: number; largest: number };
}

/** Largest number of kinked coordinates sampled by every orthant (2^k points). */
const ORTHANT_LIMIT = 6;
/** How far off x the pieces are sampled, relative to each coordinate's scale. */
const OFFSET = 2 ** -14;

export function checkJointKinks(input: JointKinkInput): JointKinkResult {
  const { f, x, grad, scale, kinked, rng } = input;
  const k = kinked.length;
  const patterns: Float64Array[] = [];
  const count = k <= ORTHANT_LIMIT ? 2 ** k : 64;
  for (let p = 0; p < count; p++) {
    const r = new Float64Array(k);
    // an orthant's corner, nudged at random so the point leaves ties like x₁ = x₂ (never lies on them)
    for (let j = 0; j < k; j++) r[j] = (k <= ORTHANT_LIMIT ? ((p >> j) & 1 ? 1 : -1) : rng.uniform() < 0.5 ? 1 : -1) * (0.5 + rng.uniform());
    patterns.push(r);
  }
  const pieces: Float64Array[] = [];
  let err = 0;
  const y = x.slice();
  for (const r of patterns) {
    for (let j = 0; j < k; j++) y[kinked[j]!] = x[kinked[j]!]! + OFFSET * scale[kinked[j]!]! * r[j]!;
    const piece = new Float64Array(k);
    let clean = true;
    for (let j = 0; j < k && clean; j++) {
      const i = kinked[j]!;
      const yi = y[i]!;
      const h = (OFFSET * scale[i]!) / 16;
      const at = (t: number): number => {
        y[i] = yi + t;
        const v = f(y, `x + (kink piece) + ${t}·e[${i}]`);
        y[i] = yi;
        return v;
      };
      const d1 = (at(h) - at(-h)) / (2 * h);
      const d2 = (at(h / 2) - at(-h / 2)) / h;
      const est = d2 + (d2 - d1) / 3;
      // a stencil that still straddles a kink (the two steps disagree wildly) says nothing about the piece
      if (!Number.isFinite(est) || Math.abs(d2 - d1) > 1e-3 * Math.max(Math.abs(d1), Math.abs(d2), 1e-300)) clean = false;
      piece[j] = est;
      err = Math.max(err, Math.abs(d2 - d1));
    }
    if (clean) pieces.push(piece);
  }
  for (const j of kinked) y[j] = x[j]!;
  if (pieces.length === 0) return { ok: true, pieces: 0 };
  const g = Float64Array.from(kinked, (i) => grad[i]!);
  let big = 0;
  for (const p of pieces) for (const v of p) big = Math.max(big, Math.abs(v));
  for (const v of g) big = Math.max(big, Math.abs(v));
  const tol = 1e-6 * big + 8 * err;
  // Separating directions: the axes both ways, g minus each piece, and random ones.
  const ws: Float64Array[] = [];
  for (let j = 0; j < k; j++) for (const s of [1, -1]) ws.push(Float64Array.from({ length: k }, (_, m) => (m === j ? s : 0)));
  for (const p of pieces) ws.push(Float64Array.from(g, (v, m) => v - p[m]!));
  for (let t = 0; t < 64; t++) ws.push(Float64Array.from({ length: k }, () => rng.normal()));
  for (const w of ws) {
    let norm = 0;
    for (const v of w) norm += v * v;
    norm = Math.sqrt(norm);
    if (!(norm > 0)) continue;
    let wg = 0;
    for (let m = 0; m < k; m++) wg += (w[m]! * g[m]!) / norm;
    let largest = -Infinity;
    for (const p of pieces) {
      let wp = 0;
      for (let m = 0; m < k; m++) wp += (w[m]! * p[m]!) / norm;
      largest = Math.max(largest, wp);
    }
    if (wg > largest + tol) return { ok: false, pieces: pieces.length, witness: { w: Array.from(w, (v) => v / norm), analytic: wg, largest } };
  }
  return { ok: true, pieces: pieces.length };
}
