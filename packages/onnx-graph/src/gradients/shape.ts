/**
 * Gradient rules of layout ops: Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Concat.
 */
import { attrInt, attrInts } from '../ir.js';
import type { GradRule } from './context.js';

/**
 * Ops that only change the shape (Flatten, Reshape, Squeeze, Unsqueeze): reshape g back to
 * the input's shape. The shape input of Reshape gets no gradient.
 */
export const reshapeGrad: GradRule = (ctx, _node, [g]) => [ctx.reshapeLike(g!, ctx.input(0))];

/**
 * Transpose: transpose g with the inverse permutation.
 */
export const transposeGrad: GradRule = (ctx, node, [g]) => {
  const rank = ctx.rank(ctx.input(0));
  const perm = attrInts(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const inv = new Array<number>(rank);
  for (const [i, p] of perm.entries()) inv[p] = i;
  return [ctx.emit('Transpose', [g!], { perm: inv })];
};

/**
 * Concat: split g along the concat axis into the inputs' sizes (static sizes as constants,
 * otherwise read at run time).
 */
export const concatGrad: GradRule = (ctx, node, [g]) => {
  const rank = ctx.rank(ctx.input(0));
  let axis = attrInt(node, 'axis', 0);
  if (axis < 0) axis += rank;
  const dims = node.inputs.map((x) => ctx.shape(x)?.[axis]);
  let sizes: string;
  if (dims.every((d) => typeof d === 'number')) {
    sizes = ctx.ints(dims as number[]);
  } else {
    const parts = node.inputs.map((x) => ctx.emit('Gather', [ctx.emit('Shape', [x]), ctx.ints([axis])], { axis: 0 }));
    sizes = ctx.emit('Concat', parts, { axis: 0 });
  }
  const outs = ctx.emitMulti('Split', [g!, sizes], { axis }, node.inputs.length);
  return node.inputs.map((_, i) => (ctx.needs(i) ? outs[i] : undefined));
};
