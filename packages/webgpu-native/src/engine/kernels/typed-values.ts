/**
 * Helpers of the kernels whose tensors are not all float: the WGSL element type a value is stored
 * as (integer tensors such as indices and labels are i32 on the device, booleans f32 0 / 1),
 * integer inputs that must be known when the model is compiled, and int64 host tensors (shape arithmetic).
 */
import type { Tensor } from '@rs/onnx-graph';
import type { LowerContext } from '../lower-context.js';
import type { ElementType } from './wgsl.js';

/** The WGSL element type a value is stored as. */
export function wgslType(ctx: LowerContext, value: string): ElementType {
  return ctx.dtype(value) === 'int' ? 'i32' : 'f32';
}

/** The integer values of a host constant input (`what` names it in the error when it is not one). */
export function hostInts(ctx: LowerContext, value: string, what: string): number[] {
  const t = ctx.hostTensor(value);
  if (!t) throw ctx.fail(`${ctx.node.opType}'s ${what} must be a constant known when the model is compiled`);
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

/** An int64 host tensor (shape arithmetic computed when a batch size is compiled). */
export function int64Tensor(name: string, values: number[], dims: number[]): Tensor {
  return { name, dtype: 'int64', dims, data: BigInt64Array.from(values, (v) => BigInt(v)) };
}
