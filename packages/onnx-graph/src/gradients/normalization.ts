/**
 * Gradient rule of BatchNormalization (inference form).
 */
import { attrFloat, attrInt } from '../ir.js';
import type { GradRule } from './context.js';

/**
 * BatchNormalization with running statistics (inference form):
 * y = (x - mean) / sqrt(var + eps) * scale + B. Gradients for x, scale and B (mean and var
 * are constants). Training mode (extra outputs or training_mode = 1) is rejected.
 */
export const batchNormGrad: GradRule = (ctx, node, [g]) => {
  if (attrInt(node, 'training_mode', 0) !== 0 || node.outputs.slice(1).some((o) => !!o)) {
    ctx.fail('only the inference form of BatchNormalization (no training_mode, single output) is supported');
  }
  const [x, scale, mean, variance] = [ctx.input(0), ctx.input(1), ctx.input(3), ctx.input(4)];
  const rank = ctx.rank(x);
  const dt = ctx.dtype(x);
  const eps = attrFloat(node, 'epsilon', 1e-5);
  const extraAxes = Array.from({ length: rank - 2 }, (_, i) => i + 1);
  const bcast = (v: string) => (extraAxes.length ? ctx.unsqueeze(v, extraAxes) : v);
  const reduceAxes = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];
  const invStd = ctx.emit('Reciprocal', [ctx.emit('Sqrt', [ctx.emit('Add', [variance, ctx.scalar(eps, dt)])])]);
  let gx: string | undefined;
  let gs: string | undefined;
  let gb: string | undefined;
  if (ctx.needs(0)) {
    gx = ctx.emit('Mul', [g!, bcast(ctx.emit('Mul', [scale, invStd]))]);
  }
  if (ctx.needs(1)) {
    const xhat = ctx.emit('Mul', [ctx.emit('Sub', [x, bcast(mean)]), bcast(invStd)]);
    gs = ctx.reduceSum(ctx.emit('Mul', [g!, xhat]), reduceAxes, false);
  }
  if (ctx.needs(2)) {
    gb = ctx.reduceSum(g!, reduceAxes, false);
  }
  return [gx, gs, gb];
};
