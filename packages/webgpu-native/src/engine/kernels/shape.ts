import { attrIntOf } from '../attributes.js';
import type { OpLowering } from '../lower-context.js';
import { int64Tensor } from './typed-values.js';
import { numel } from './wgsl.js';

/**
 * Shape (with start / end) and Size: computed on the host for the plan's batch size.
 */
export const shapeLowering: OpLowering = (ctx) => {
  const xs = ctx.shape(ctx.input(0));
  if (ctx.node.opType === 'Size') {
    ctx.hostOutput(0, int64Tensor(ctx.outputName(0), [numel(xs)], []));
    return;
  }
  const clampAxis = (a: number) => Math.min(Math.max(a < 0 ? a + xs.length : a, 0), xs.length);
  const start = clampAxis(attrIntOf(ctx.node, 'start', 0));
  const end = clampAxis(attrIntOf(ctx.node, 'end', xs.length));
  const dims = xs.slice(start, Math.max(start, end));
  ctx.hostOutput(0, int64Tensor(ctx.outputName(0), dims, [dims.length]));
};
