/** Slice and Split: copies of sub-ranges along axes, with the ranges known when the model is compiled. */
import { attrIntOf, attrIntsOf } from '../attributes.js';
import type { LowerContext, OpLowering } from '../lower-context.js';
import { hostInts, int64Tensor, wgslType } from './typed-values.js';
import { elementwiseKernel, numel, stridesOf, u32 } from './wgsl.js';

/** ONNX Slice's output geometry: per axis start, step and length. */
function sliceGeometry(ctx: LowerContext, xs: readonly number[]): { start: number[]; step: number[]; out: number[] } {
  const starts = hostInts(ctx, ctx.input(1), 'starts');
  const ends = hostInts(ctx, ctx.input(2), 'ends');
  const axes = ctx.hasInput(3) ? hostInts(ctx, ctx.input(3), 'axes') : starts.map((_, k) => k);
  const steps = ctx.hasInput(4) ? hostInts(ctx, ctx.input(4), 'steps') : starts.map(() => 1);
  const start = xs.map(() => 0);
  const step = xs.map(() => 1);
  const out = [...xs];
  axes.forEach((a0, k) => {
    const a = a0 < 0 ? a0 + xs.length : a0;
    const dim = xs[a]!;
    const st = steps[k]!;
    if (st === 0) throw ctx.fail('Slice step 0');
    let s = starts[k]!;
    let e = ends[k]!;
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    if (st > 0) {
      s = Math.min(Math.max(s, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
    } else {
      s = Math.min(Math.max(s, 0), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
    }
    start[a] = s;
    step[a] = st;
    out[a] = Math.max(0, Math.ceil((e - s) / st));
  });
  return { start, step, out };
}

/**
 * Slice (starts, ends, axes, steps known when compiled; negative steps too); computed on the host
 * when the data is a host constant (shape arithmetic).
 */
export const sliceLowering: OpLowering = (ctx) => {
  const x = ctx.input(0);
  const xs = ctx.shape(x);
  const { start, step, out } = sliceGeometry(ctx, xs);
  const strides = stridesOf(xs);
  const host = ctx.hostTensor(x);
  if (host && ctx.dtype(x) === 'int') {
    const src = Array.from(host.data as ArrayLike<number | bigint>, (v) => Number(v));
    const vals: number[] = [];
    for (let i = 0; i < numel(out); i++) {
      let rem = i;
      let at = 0;
      for (let d = out.length - 1; d >= 0; d--) {
        const c = rem % out[d]!;
        rem = Math.floor(rem / out[d]!);
        at += (start[d]! + c * step[d]!) * strides[d]!;
      }
      vals.push(src[at]!);
    }
    ctx.hostOutput(0, int64Tensor(ctx.outputName(0), vals, out));
    return;
  }
  const y = ctx.output(0, out, ctx.dtype(x));
  const offset = start.reduce((a, s, d) => a + s * strides[d]!, 0);
  const lines = [`  var rem_ = i;`, `  var src = ${offset}i;`];
  for (let d = out.length - 1; d >= 0; d--) {
    lines.push(`  { let c_ = rem_ % ${u32(out[d]!)}; rem_ = rem_ / ${u32(out[d]!)}; src = src + i32(c_) * ${step[d]! * strides[d]!}i; }`);
  }
  const elem = wgslType(ctx, x);
  ctx.kernel(
    elementwiseKernel(
      `Slice ${ctx.node.name}`,
      [
        { variable: 'x', value: x, type: elem },
        { variable: 'y', value: y, write: true, type: elem },
      ],
      numel(out),
      `${lines.join('\n')}\n  y[i] = x[u32(src)];`,
    ),
  );
};

/**
 * Split along `axis` (sizes from the second input, the `split` attribute, or equal parts): one copy per output.
 */
export const splitLowering: OpLowering = (ctx) => {
  const x = ctx.input(0);
  const xs = ctx.shape(x);
  let axis = attrIntOf(ctx.node, 'axis', 0);
  if (axis < 0) axis += xs.length;
  const outputs = ctx.node.outputs.length;
  let sizes = ctx.hasInput(1) ? hostInts(ctx, ctx.input(1), 'split') : attrIntsOf(ctx.node, 'split');
  if (!sizes) {
    const part = Math.ceil(xs[axis]! / outputs);
    sizes = Array.from({ length: outputs }, (_, k) => Math.max(0, Math.min(part, xs[axis]! - k * part)));
  }
  if (sizes.length !== outputs || sizes.reduce((a, b) => a + b, 0) !== xs[axis])
    throw ctx.fail(`split sizes [${sizes.join(', ')}] do not add up to dimension ${xs[axis]}`);
  const inner = numel(xs.slice(axis + 1));
  const total = xs[axis]! * inner;
  const elem = wgslType(ctx, x);
  let offset = 0;
  sizes.forEach((size, k) => {
    const shape = [...xs];
    shape[axis] = size;
    const y = ctx.output(k, shape, ctx.dtype(x));
    const chunk = size * inner;
    if (chunk > 0) {
      ctx.kernel(
        elementwiseKernel(
          `Split ${ctx.node.name} [${k}]`,
          [
            { variable: 'x', value: x, type: elem },
            { variable: 'y', value: y, write: true, type: elem },
          ],
          numel(shape),
          `  y[i] = x[(i / ${u32(chunk)}) * ${u32(total)} + ${u32(offset * inner)} + i % ${u32(chunk)}];`,
        ),
      );
    }
    offset += size;
  });
};
