/**
 * Gradient rules of Gemm and MatMul.
 */
import { attrFloat, attrInt } from '../ir.js';
import { broadcastShapes } from '../shapes/dims.js';
import type { GradContext, GradRule } from './context.js';

function scaled(ctx: GradContext, x: string, alpha: number, like: string): string {
  return alpha === 1 ? x : ctx.emit('Mul', [x, ctx.scalar(alpha, ctx.dtype(like))]);
}

/**
 * Gemm: Y = alpha*A'B' + beta*C. dA/dB via Gemm with flipped transposes, dC = beta*g reduced
 * to C's shape.
 */
export const gemmGrad: GradRule = (ctx, node, [g]) => {
  const a = ctx.input(0);
  const b = ctx.input(1);
  const c = node.inputs[2];
  const alpha = attrFloat(node, 'alpha', 1);
  const beta = attrFloat(node, 'beta', 1);
  const ta = attrInt(node, 'transA', 0) === 1;
  const tb = attrInt(node, 'transB', 0) === 1;
  let ga: string | undefined;
  let gb: string | undefined;
  let gc: string | undefined;
  if (ctx.needs(0)) {
    ga = ta ? ctx.emit('Gemm', [b, g!], { alpha, transA: tb ? 1 : 0, transB: 1 }) : ctx.emit('Gemm', [g!, b], { alpha, transA: 0, transB: tb ? 0 : 1 });
  }
  if (ctx.needs(1)) {
    gb = tb ? ctx.emit('Gemm', [g!, a], { alpha, transA: 1, transB: ta ? 1 : 0 }) : ctx.emit('Gemm', [a, g!], { alpha, transA: ta ? 0 : 1, transB: 0 });
  }
  if (c && ctx.needs(2)) {
    gc = scaled(ctx, ctx.reduceToShape(g!, ctx.shape(ctx.output(0)), c), beta, c);
  }
  return [ga, gb, gc];
};

/** The permutation swapping the last two of `rank` >= 2 axes. */
function swapLast(rank: number): number[] {
  return [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
}

/**
 * MatMul with numpy semantics (1-D operands, broadcast batch dims reduced back).
 */
export const matmulGrad: GradRule = (ctx, _node, [g]) => {
  const a = ctx.input(0);
  const b = ctx.input(1);
  const as = ctx.shape(a);
  const bs = ctx.shape(b);
  if (!as || !bs) return ctx.fail('operand ranks could not be inferred');
  const ra = as.length;
  const rb = bs.length;
  if (ra === 1 && rb === 1) ctx.fail('vector-vector MatMul is not supported');
  let ga: string | undefined;
  let gb: string | undefined;
  if (ra >= 2 && rb >= 2) {
    const batch = broadcastShapes(as.slice(0, -2), bs.slice(0, -2)) ?? [];
    if (ctx.needs(0)) {
      const full = ctx.emit('MatMul', [g!, ctx.emit('Transpose', [b], { perm: swapLast(rb) })]);
      ga = ctx.reduceToShape(full, [...batch, as[ra - 2]!, as[ra - 1]!], a);
    }
    if (ctx.needs(1)) {
      if (rb === 2 && ra > 2 && as.slice(0, -1).length > 0) {
        // Flatten the batch dims: dB = A2^T g2 as one Gemm.
        const k = as[ra - 1];
        const n = bs[1];
        const a2 = ctx.emit('Reshape', [a, ctx.ints([-1, typeof k === 'number' ? k : 0])]);
        const g2 = ctx.emit('Reshape', [g!, ctx.ints([-1, typeof n === 'number' ? n : 0])]);
        if (typeof k !== 'number' || typeof n !== 'number') ctx.fail('MatMul weight dims must be static');
        gb = ctx.emit('Gemm', [a2, g2], { transA: 1 });
      } else {
        const full = ctx.emit('MatMul', [ctx.emit('Transpose', [a], { perm: swapLast(ra) }), g!]);
        gb = ctx.reduceToShape(full, [...batch, as[ra - 1]!, bs[rb - 1]!], b);
      }
    }
  } else if (rb === 1) {
    // y[..., M] = a[..., M, K] @ b[K]
    const g1 = ctx.unsqueeze(g!, [-1]);
    if (ctx.needs(0)) ga = ctx.emit('MatMul', [g1, ctx.unsqueeze(b, [0])]);
    if (ctx.needs(1)) {
      const full = ctx.squeeze(ctx.emit('MatMul', [ctx.emit('Transpose', [a], { perm: swapLast(ra) }), g1]), [-1]);
      gb = ctx.reduceToShape(full, [...as.slice(0, -2), as[ra - 1]!], b); // ra >= 2: vector-vector failed above
    }
  } else {
    // y[..., N] = a[K] @ b[..., K, N]
    if (ctx.needs(0)) {
      const full = ctx.squeeze(ctx.emit('MatMul', [b, ctx.unsqueeze(g!, [-1])]), [-1]);
      ga = ctx.reduceToShape(full, [...bs.slice(0, -2), bs[rb - 2]!], a); // rb >= 2: vector-vector failed above
    }
    if (ctx.needs(1)) {
      gb = ctx.emit('MatMul', [ctx.unsqueeze(a, [-1]), ctx.unsqueeze(g!, [-2])]);
    }
  }
  return [ga, gb];
};
