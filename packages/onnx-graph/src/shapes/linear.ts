/**
 * Shape rules of Gemm and MatMul.
 */
import { attrInt } from '../ir.js';
import { broadcastShapes } from './dims.js';
import type { ShapeRule } from './rule.js';

/** Gemm: `[M, N]` from A and B with their `transA` / `transB`. */
export const gemmShape: ShapeRule = (n, [a, b], [d0]) => {
  const m = a ? (attrInt(n, 'transA', 0) ? a[1] : a[0]) : null;
  const k = b ? (attrInt(n, 'transB', 0) ? b[0] : b[1]) : null;
  return [{ dtype: d0, shape: [m ?? null, k ?? null] }];
};

/** MatMul: numpy's matmul (1-D operands promoted and their axis removed, batch dims broadcast). */
export const matmulShape: ShapeRule = (_n, [a, b], [d0]) => {
  if (!a || !b) return [{ dtype: d0 }];
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const batch = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2)) ?? [];
  const out = [...batch, a2[a2.length - 2] ?? null, b2[b2.length - 1] ?? null];
  if (a.length === 1) out.splice(out.length - 2, 1);
  if (b.length === 1) out.splice(out.length - 1, 1);
  return [{ dtype: d0, shape: out }];
};
