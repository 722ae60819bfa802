import { attrIntOf, attrIntsOf } from '../attributes.js';
import type { OpLowering } from '../lower-context.js';
import { hostInts } from './typed-values.js';
import { decompose, elementwiseKernel, numel, stridesOf, u32 } from './wgsl.js';

/**
 * ReduceSum over `axes` (the second input from opset 13, else the attribute), keepdims and
 * noop_with_empty_axes; one thread per output element.
 */
export const reduceSumLowering: OpLowering = (ctx) => {
  const x = ctx.input(0);
  const xs = ctx.shape(x);
  const given = ctx.hasInput(1) ? hostInts(ctx, ctx.input(1), 'axes') : attrIntsOf(ctx.node, 'axes');
  const keep = attrIntOf(ctx.node, 'keepdims', 1) === 1;
  if ((!given || given.length === 0) && attrIntOf(ctx.node, 'noop_with_empty_axes', 0) === 1) {
    ctx.alias(0, x, xs);
    return;
  }
  const axes = new Set((given?.length ? given : xs.map((_, d) => d)).map((a) => (a < 0 ? a + xs.length : a)));
  const kept = xs.map((d, k) => (axes.has(k) ? 1 : d));
  const out = keep ? kept : xs.filter((_, k) => !axes.has(k));
  const y = ctx.output(0, out);
  const strides = stridesOf(xs);
  const reduced = [...axes].sort((a, b) => a - b);
  const count = numel(reduced.map((a) => xs[a]!));
  const body = `${decompose('i', kept, [['base', strides.map((s, d) => (axes.has(d) ? 0 : s))]])}
  var acc = 0.0;
  for (var r = 0u; r < ${u32(count)}; r++) {
${decompose(
  'r',
  reduced.map((a) => xs[a]!),
  [['off', reduced.map((a) => strides[a]!)]],
).replaceAll('rem_', 'remr_')}
    acc = acc + x[base + off];
  }
  y[i] = acc;`;
  ctx.kernel(
    elementwiseKernel(
      `ReduceSum ${ctx.node.name}`,
      [
        { variable: 'x', value: x },
        { variable: 'y', value: y, write: true },
      ],
      numel(out),
      body,
    ),
  );
};
