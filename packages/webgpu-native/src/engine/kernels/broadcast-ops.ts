/**
 * The n-ary element-wise ops with numpy broadcasting that the gradient models use: the
 * comparisons (a boolean, f32 0 / 1, output), Where, Sum and Expand.
 */
import type { LowerContext, OpLowering } from '../lower-context.js';
import { broadcast, broadcastStrides } from './elementwise.js';
import { hostInts, wgslType } from './typed-values.js';
import { decompose, elementwiseKernel, numel, type ElementType, type KernelBinding } from './wgsl.js';

/**
 * A kernel over `out` (numpy broadcasting of every input to it): `expr(vars)` computes the element
 * from the inputs' elements `vars[k]`.
 */
function broadcastKernel(ctx: LowerContext, inputs: string[], out: readonly number[], y: string, yType: ElementType, expr: (vars: string[]) => string): void {
  const total = numel(out);
  const lines: string[] = [];
  const vars = inputs.map((value, k) => {
    const s = ctx.shape(value);
    if (numel(s) === total) return `x${k}[i]`;
    if (numel(s) === 1) return `x${k}[0u]`;
    lines.push(decompose('i', out, [[`i${k}`, broadcastStrides(s, out)]]).replaceAll('rem_', `rem${k}_`));
    return `x${k}[i${k}]`;
  });
  const bindings: KernelBinding[] = [
    ...inputs.map((value, k) => ({ variable: `x${k}`, value, type: wgslType(ctx, value) })),
    { variable: 'y', value: y, write: true, type: yType },
  ];
  ctx.kernel(elementwiseKernel(`${ctx.node.opType} ${ctx.node.name}`, bindings, total, `${lines.join('\n')}\n  y[i] = ${expr(vars)};`));
}

function broadcastAll(ctx: LowerContext, shapes: ReadonlyArray<readonly number[]>): number[] {
  try {
    return shapes.reduce<number[]>((a, s) => broadcast(a, s), []);
  } catch (err) {
    throw ctx.fail((err as Error).message);
  }
}

const COMPARE: Record<string, string> = { Greater: '>', Less: '<', Equal: '==', GreaterOrEqual: '>=', LessOrEqual: '<=' };

/** The comparison ops implemented. */
export const COMPARE_OPS = Object.keys(COMPARE);

/**
 * Greater, Less, Equal, GreaterOrEqual, LessOrEqual with broadcasting: a boolean (f32 0 / 1) output.
 */
export const compareLowering: OpLowering = (ctx) => {
  const a = ctx.input(0);
  const b = ctx.input(1);
  const out = broadcastAll(ctx, [ctx.shape(a), ctx.shape(b)]);
  const y = ctx.output(0, out, 'bool');
  broadcastKernel(ctx, [a, b], out, y, 'f32', ([va, vb]) => `select(0.0, 1.0, ${va} ${COMPARE[ctx.node.opType]} ${vb})`);
};

/**
 * Where(condition, X, Y) with broadcasting.
 */
export const whereLowering: OpLowering = (ctx) => {
  const [c, a, b] = [ctx.input(0), ctx.input(1), ctx.input(2)];
  const out = broadcastAll(ctx, [ctx.shape(c), ctx.shape(a), ctx.shape(b)]);
  const type = ctx.dtype(a);
  const y = ctx.output(0, out, type);
  const cond = (v: string) => (ctx.dtype(c) === 'int' ? `${v} != 0` : `${v} != 0.0`);
  broadcastKernel(ctx, [c, a, b], out, y, wgslType(ctx, a), ([vc, va, vb]) => `select(${vb}, ${va}, ${cond(vc!)})`);
};

/**
 * Sum of any number of inputs with broadcasting.
 */
export const sumLowering: OpLowering = (ctx) => {
  const inputs = ctx.node.inputs.filter((n) => n);
  if (inputs.length === 0) throw ctx.fail('Sum needs at least one input');
  if (inputs.length > 6) throw ctx.fail('Sum of more than 6 inputs is not supported');
  for (const name of inputs) ctx.input(ctx.node.inputs.indexOf(name));
  const out = broadcastAll(
    ctx,
    inputs.map((n) => ctx.shape(n)),
  );
  const y = ctx.output(0, out);
  broadcastKernel(ctx, inputs, out, y, 'f32', (vars) => vars.join(' + '));
};

/**
 * Expand(input, shape) (shape known when compiled): a broadcast copy.
 */
export const expandLowering: OpLowering = (ctx) => {
  const x = ctx.input(0);
  const out = broadcastAll(ctx, [ctx.shape(x), hostInts(ctx, ctx.input(1), 'shape')]);
  const y = ctx.output(0, out, ctx.dtype(x));
  broadcastKernel(ctx, [x], out, y, wgslType(ctx, x), ([v]) => v!);
};
