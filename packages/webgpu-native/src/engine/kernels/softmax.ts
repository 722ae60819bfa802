import { attrIntOf } from '../attributes.js';
import type { OpLowering } from '../lower-context.js';
import { elementwiseKernel, numel, u32 } from './wgsl.js';

/**
 * Softmax and LogSoftmax (opset 13: along `axis`; before 13: over the input flattened to 2-D at
 * `axis`), max-subtracted, one thread per row.
 */
export const softmaxLowering: OpLowering = (ctx) => {
  const x = ctx.input(0);
  const xs = ctx.shape(x);
  const rank = xs.length;
  const legacy = ctx.opset < 13;
  let axis = attrIntOf(ctx.node, 'axis', legacy ? 1 : -1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) throw ctx.fail(`axis ${attrIntOf(ctx.node, 'axis', -1)} is out of range for rank ${rank}`);
  const outer = numel(xs.slice(0, axis));
  const len = legacy ? numel(xs.slice(axis)) : xs[axis]!;
  const inner = legacy ? 1 : numel(xs.slice(axis + 1));
  const y = ctx.output(0, xs);
  const log = ctx.node.opType === 'LogSoftmax';
  const body = `
  let base = (i / ${u32(inner)}) * ${u32(len * inner)} + i % ${u32(inner)};
  var mx = xin[base];
  for (var k = 1u; k < ${u32(len)}; k++) { mx = max(mx, xin[base + k * ${u32(inner)}]); }
  var sum = 0.0;
  for (var k = 0u; k < ${u32(len)}; k++) { sum = sum + exp(xin[base + k * ${u32(inner)}] - mx); }
  ${log ? 'let ls = log(sum);' : 'let inv = 1.0 / sum;'}
  for (var k = 0u; k < ${u32(len)}; k++) { let v = xin[base + k * ${u32(inner)}] - mx; y[base + k * ${u32(inner)}] = ${log ? 'v - ls' : 'exp(v) * inv'}; }`;
  ctx.kernel(
    elementwiseKernel(
      `${ctx.node.opType} ${ctx.node.name}`,
      [
        { variable: 'xin', value: x },
        { variable: 'y', value: y, write: true },
      ],
      outer * inner,
      body,
    ),
  );
};
