import { attrIntOf, attrIntsOf } from '../attributes.js';
import type { OpLowering } from '../lower-context.js';
import { decompose, elementwiseKernel, numel, stridesOf, u32 } from './wgsl.js';

/** A view of `x` with a new shape; integer host constants (shape arithmetic) stay on the host. */
function view(ctx: Parameters<OpLowering>[0], x: string, shape: readonly number[]): void {
  const t = ctx.hostTensor(x);
  if (t && ctx.dtype(x) !== 'float') ctx.hostOutput(0, { ...t, dims: [...shape] });
  else ctx.alias(0, x, shape);
}

/**
 * Identity and Dropout (inference): the output is a view of the input.
 */
export const identityLowering: OpLowering = (ctx) => {
  if (ctx.node.opType === 'Dropout' && ctx.node.outputs[1]) throw ctx.fail(`Dropout's mask output is not supported (inference only)`);
  const x = ctx.input(0);
  view(ctx, x, ctx.shape(x));
};

/**
 * Flatten at `axis` (a view).
 */
export const flattenLowering: OpLowering = (ctx) => {
  const x = ctx.input(0);
  const xs = ctx.shape(x);
  let axis = attrIntOf(ctx.node, 'axis', 1);
  if (axis < 0) axis += xs.length;
  view(ctx, x, [numel(xs.slice(0, axis)), numel(xs.slice(axis))]);
};

function constantInts(ctx: Parameters<OpLowering>[0], k: number, what: string): number[] {
  const t = ctx.hostTensor(ctx.input(k));
  if (!t) throw ctx.fail(`${ctx.node.opType}'s ${what} must be a constant (foldShapeArithmetic could not resolve it)`);
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

/**
 * Reshape to a constant target shape (`0` copies a dimension unless allowzero, `-1` is inferred): a view.
 */
export const reshapeLowering: OpLowering = (ctx) => {
  const x = ctx.input(0);
  const xs = ctx.shape(x);
  const target = constantInts(ctx, 1, 'shape');
  const allowzero = attrIntOf(ctx.node, 'allowzero', 0) === 1;
  const out = target.map((t, i) => (t === 0 && !allowzero ? xs[i]! : t));
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const inferred = out.indexOf(-1);
  if (inferred >= 0) out[inferred] = known === 0 ? 0 : numel(xs) / known;
  if (numel(out) !== numel(xs) || out.some((d) => !Number.isInteger(d) || d < 0)) throw ctx.fail(`cannot reshape [${xs.join(', ')}] to [${target.join(', ')}]`);
  view(ctx, x, out);
};

/**
 * Squeeze and Unsqueeze (axes from the attribute, or the constant second input from opset 13): views.
 */
export const squeezeLowering: OpLowering = (ctx) => {
  const x = ctx.input(0);
  const xs = ctx.shape(x);
  const axes = attrIntsOf(ctx.node, 'axes') ?? (ctx.hasInput(1) ? constantInts(ctx, 1, 'axes') : undefined);
  if (ctx.node.opType === 'Squeeze') {
    const drop = new Set((axes ?? xs.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)).map((a) => (a < 0 ? a + xs.length : a)));
    view(
      ctx,
      x,
      xs.filter((_, i) => !drop.has(i)),
    );
  } else {
    if (!axes) throw ctx.fail('Unsqueeze needs axes');
    const rank = xs.length + axes.length;
    const add = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
    const out: number[] = [];
    let k = 0;
    for (let d = 0; d < rank; d++) out.push(add.has(d) ? 1 : xs[k++]!);
    view(ctx, x, out);
  }
};

/**
 * Transpose with `perm` (default: reversed axes), one thread per output element.
 */
export const transposeLowering: OpLowering = (ctx) => {
  const x = ctx.input(0);
  const xs = ctx.shape(x);
  const perm = attrIntsOf(ctx.node, 'perm') ?? xs.map((_, i) => xs.length - 1 - i);
  if (perm.length !== xs.length || [...perm].sort().some((p, i) => p !== i))
    throw ctx.fail(`perm [${perm.join(', ')}] is not a permutation of ${xs.length} axes`);
  const out = perm.map((p) => xs[p]!);
  const y = ctx.output(0, out);
  const inStrides = stridesOf(xs);
  const body = `${decompose('i', out, [['src', perm.map((p) => inStrides[p]!)]])}\n  y[i] = xin[src];`;
  ctx.kernel(
    elementwiseKernel(
      `Transpose ${ctx.node.name}`,
      [
        { variable: 'xin', value: x },
        { variable: 'y', value: y, write: true },
      ],
      numel(out),
      body,
    ),
  );
};

/**
 * Concat along `axis`: one copy dispatch per input into its slice of the output.
 */
export const concatLowering: OpLowering = (ctx) => {
  const inputs = ctx.node.inputs.filter((n) => n);
  const shapes = inputs.map((n) => ctx.shape(n));
  const rank = shapes[0]!.length;
  let axis = attrIntOf(ctx.node, 'axis', 0);
  if (axis < 0) axis += rank;
  for (const s of shapes) {
    if (s.length !== rank || s.some((d, i) => i !== axis && d !== shapes[0]![i]))
      throw ctx.fail(`Concat inputs [${shapes.map((q) => q.join('x')).join(', ')}] differ outside axis ${axis}`);
  }
  const total = shapes.reduce((a, s) => a + s[axis]!, 0);
  const out = [...shapes[0]!];
  out[axis] = total;
  const y = ctx.output(0, out);
  const inner = numel(out.slice(axis + 1));
  let offset = 0;
  inputs.forEach((name, k) => {
    const chunk = shapes[k]![axis]! * inner;
    if (chunk > 0) {
      ctx.kernel(
        elementwiseKernel(
          `Concat ${ctx.node.name} [${k}]`,
          [
            { variable: 'xin', value: name },
            { variable: 'y', value: y, write: true },
          ],
          numel(shapes[k]!),
          `  y[(i / ${u32(chunk)}) * ${u32(total * inner)} + ${u32(offset)} + i % ${u32(chunk)}] = xin[i];`,
        ),
      );
    }
    offset += chunk;
  });
};
