import { dtypeFromCode } from '@rs/onnx-graph';
import { attrIntOf } from '../attributes.js';
import type { LowerContext, OpLowering, ValueType } from '../lower-context.js';
import { wgslType } from './typed-values.js';
import { elementwiseKernel, numel } from './wgsl.js';

function typeOfCode(ctx: LowerContext, code: number): ValueType {
  const dt = dtypeFromCode(code);
  if (!dt) throw ctx.fail(`Cast to type code ${code} is not supported`);
  return dt === 'bool' ? 'bool' : dt.startsWith('float') ? 'float' : 'int';
}

/**
 * Cast between float, integer and boolean tensors (bool -> float is a view: booleans are stored as f32 0 / 1).
 */
export const castLowering: OpLowering = (ctx) => {
  const x = ctx.input(0);
  const from = ctx.dtype(x);
  const to = typeOfCode(ctx, attrIntOf(ctx.node, 'to', 1));
  const shape = ctx.shape(x);
  const host = ctx.hostTensor(x);
  if (host && to === 'int' && from === 'int') {
    ctx.hostOutput(0, { ...host, dtype: 'int64', data: BigInt64Array.from(host.data as ArrayLike<number | bigint>, (v) => BigInt(v)) });
    return;
  }
  if (from === to || (from === 'bool' && to === 'float')) {
    ctx.alias(0, x, shape, to);
    return;
  }
  const y = ctx.output(0, shape, to);
  let expr: string;
  if (to === 'int') expr = from === 'float' ? 'i32(trunc(v))' : 'i32(v)';
  else if (to === 'float') expr = 'f32(v)';
  else expr = from === 'int' ? 'select(0.0, 1.0, v != 0)' : 'select(0.0, 1.0, v != 0.0)';
  ctx.kernel(
    elementwiseKernel(
      `Cast ${ctx.node.name}`,
      [
        { variable: 'x', value: x, type: wgslType(ctx, x) },
        { variable: 'y', value: y, write: true, type: to === 'int' ? 'i32' : 'f32' },
      ],
      numel(shape),
      `  let v = x[i];\n  y[i] = ${expr};`,
    ),
  );
};
