import type { OpLowering, ValueType } from '../lower-context.js';
import { hostInts } from './typed-values.js';
import { elementwiseKernel, f32, numel } from './wgsl.js';

/**
 * ConstantOfShape(shape) (shape known when compiled): a device buffer filled with `value`.
 */
export const constantOfShapeLowering: OpLowering = (ctx) => {
  const dims = hostInts(ctx, ctx.input(0), 'shape');
  const a = ctx.node.attributes.value;
  const t = a?.kind === 'tensor' ? a.value : undefined;
  const type: ValueType = t ? (t.dtype === 'bool' ? 'bool' : t.dtype.startsWith('float') ? 'float' : 'int') : 'float';
  const value = t ? Number((t.data as ArrayLike<number | bigint>)[0] ?? 0) : 0;
  const y = ctx.output(0, dims, type);
  const literal = type === 'int' ? `${Math.trunc(value)}i` : f32(value);
  ctx.kernel(
    elementwiseKernel(
      `ConstantOfShape ${ctx.node.name}`,
      [{ variable: 'y', value: y, write: true, type: type === 'int' ? 'i32' : 'f32' }],
      numel(dims),
      `  y[i] = ${literal};`,
    ),
  );
};
