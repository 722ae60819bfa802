import { RsError } from '@rs/core';
import { attrFloatOf } from '../attributes.js';
import type { OpLowering } from '../lower-context.js';
import { decompose, elementwiseKernel, f32, numel, stridesOf } from './wgsl.js';

/** WGSL expressions of the unary ops, in terms of `v` (the input element). */
const UNARY: Record<string, (alpha: number) => string> = {
  Relu: () => 'max(v, 0.0)',
  LeakyRelu: (alpha) => `select(v, v * ${f32(alpha)}, v < 0.0)`,
  // exp(-v) overflows to +inf for v < -88: 1 / inf = 0, the right limit.
  Sigmoid: () => '1.0 / (1.0 + exp(-v))',
  // tanh(v) = sign(v) (1 - e) / (1 + e), e = exp(-2|v|): no overflow, accurate near 0 via the builtin below 0.5.
  Tanh: () => 'select(sign(v) * (1.0 - exp(-2.0 * abs(v))) / (1.0 + exp(-2.0 * abs(v))), tanh(v), abs(v) < 0.5)',
  Exp: () => 'exp(v)',
  Log: () => 'log(v)',
  Sqrt: () => 'sqrt(v)',
  Neg: () => '-v',
  Abs: () => 'abs(v)',
  Reciprocal: () => '1.0 / v',
};

/** The unary element-wise ops implemented. */
export const UNARY_OPS = Object.keys(UNARY);

/**
 * Unary element-wise ops (Relu, LeakyRelu, Sigmoid, Tanh, Exp, Log, Sqrt, Neg, Abs, Reciprocal).
 */
export const unaryLowering: OpLowering = (ctx) => {
  const x = ctx.input(0);
  const shape = ctx.shape(x);
  const y = ctx.output(0, shape);
  const expr = UNARY[ctx.node.opType]!(attrFloatOf(ctx.node, 'alpha', 0.01));
  ctx.kernel(
    elementwiseKernel(
      `${ctx.node.opType} ${ctx.node.name}`,
      [
        { variable: 'x', value: x },
        { variable: 'y', value: y, write: true },
      ],
      numel(shape),
      `  let v = x[i];\n  y[i] = ${expr};`,
    ),
  );
};

const BINARY: Record<string, string> = { Add: 'a + b', Sub: 'a - b', Mul: 'a * b', Div: 'a / b' };

/** The binary element-wise ops implemented. */
export const BINARY_OPS = Object.keys(BINARY);

/**
 * Numpy broadcasting of two shapes; throws on incompatible shapes.
 */
export function broadcast(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let d = 0; d < rank; d++) {
    const da = a[d - (rank - a.length)] ?? 1;
    const db = b[d - (rank - b.length)] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new RsError('RS_MALFORMED_FILE', `shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/**
 * Strides of `shape` read through a broadcast to `out` (0 along broadcast dimensions).
 */
export function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const s = stridesOf(shape);
  return out.map((_, d) => {
    const k = d - (out.length - shape.length);
    return k < 0 || shape[k] === 1 ? 0 : s[k]!;
  });
}

/**
 * Add, Sub, Mul, Div with numpy broadcasting.
 */
export const binaryLowering: OpLowering = (ctx) => {
  const a = ctx.input(0);
  const b = ctx.input(1);
  const sa = ctx.shape(a);
  const sb = ctx.shape(b);
  let out: number[];
  try {
    out = broadcast(sa, sb);
  } catch (err) {
    throw ctx.fail((err as Error).message);
  }
  const y = ctx.output(0, out);
  const total = numel(out);
  const index = (shape: readonly number[], name: string): [string, string] => {
    if (numel(shape) === total) return ['', 'i'];
    if (numel(shape) === 1) return ['', '0u'];
    return [decompose('i', out, [[name, broadcastStrides(shape, out)]]), name];
  };
  const [pa, ia] = index(sa, 'ia');
  const [pb, ib] = index(sb, 'ib');
  ctx.kernel(
    elementwiseKernel(
      `${ctx.node.opType} ${ctx.node.name}`,
      [
        { variable: 'xa', value: a },
        { variable: 'xb', value: b },
        { variable: 'y', value: y, write: true },
      ],
      total,
      `${pa.replaceAll('rem_', 'rema_')}\n${pb.replaceAll('rem_', 'remb_')}\n  let a = xa[${ia}];\n  let b = xb[${ib}];\n  y[i] = ${BINARY[ctx.node.opType]};`,
    ),
  );
};
