/**
 * Gradient rules of element-wise ops (arithmetic with broadcasting, activations, softmax).
 */
import { dtypeToCode } from '../dtype.js';
import { attrFloat, attrInt } from '../ir.js';
import type { GradRule } from './context.js';

const binaryShape = (ctx: Parameters<GradRule>[0]) => ctx.shape(ctx.output(0));

/** d(a+b): g reduced to each operand's shape. */
export const addGrad: GradRule = (ctx, _node, [g]) => {
  const ys = binaryShape(ctx);
  return [ctx.needs(0) ? ctx.reduceToShape(g!, ys, ctx.input(0)) : undefined, ctx.needs(1) ? ctx.reduceToShape(g!, ys, ctx.input(1)) : undefined];
};

/** d(a-b). */
export const subGrad: GradRule = (ctx, _node, [g]) => {
  const ys = binaryShape(ctx);
  return [
    ctx.needs(0) ? ctx.reduceToShape(g!, ys, ctx.input(0)) : undefined,
    ctx.needs(1) ? ctx.reduceToShape(ctx.emit('Neg', [g!]), ys, ctx.input(1)) : undefined,
  ];
};

/** d(a*b) = (g*b, g*a), reduced. */
export const mulGrad: GradRule = (ctx, _node, [g]) => {
  const ys = binaryShape(ctx);
  const a = ctx.input(0);
  const b = ctx.input(1);
  return [
    ctx.needs(0) ? ctx.reduceToShape(ctx.emit('Mul', [g!, b]), ys, a) : undefined,
    ctx.needs(1) ? ctx.reduceToShape(ctx.emit('Mul', [g!, a]), ys, b) : undefined,
  ];
};

/** d(a/b) = (g/b, -g*y/b), reduced. */
export const divGrad: GradRule = (ctx, _node, [g]) => {
  const ys = binaryShape(ctx);
  const a = ctx.input(0);
  const b = ctx.input(1);
  const y = ctx.output(0);
  return [
    ctx.needs(0) ? ctx.reduceToShape(ctx.emit('Div', [g!, b]), ys, a) : undefined,
    ctx.needs(1) ? ctx.reduceToShape(ctx.emit('Neg', [ctx.emit('Div', [ctx.emit('Mul', [g!, y]), b])]), ys, b) : undefined,
  ];
};

/** d(-x) = -g. */
export const negGrad: GradRule = (ctx, _node, [g]) => [ctx.emit('Neg', [g!])];

/** Identity-like ops (Identity, Dropout in inference): g. */
export const identityGrad: GradRule = (_ctx, _node, [g]) => [g];

/** Dropout: identity in inference mode (training_mode input must be absent or false). */
export const dropoutGrad: GradRule = (ctx, node, [g]) => {
  if (node.inputs[2]) {
    const v = ctx.analysis.values.get(node.inputs[2])?.values[0];
    if (v !== 0) ctx.fail('Dropout with a training_mode input is only supported in inference mode (training_mode = false)');
  }
  return [g];
};

/** Cast between float types: cast the gradient back. */
export const castGrad: GradRule = (ctx, _node, [g]) => [ctx.emit('Cast', [g!], { to: dtypeToCode(ctx.dtype(ctx.input(0))) })];

/** Relu: g where x > 0, else 0. */
export const reluGrad: GradRule = (ctx, _node, [g]) => {
  const x = ctx.input(0);
  const dt = ctx.dtype(x);
  const zero = ctx.scalar(0, dt);
  const mask = ctx.emit('Greater', [x, zero]);
  return [ctx.emit('Where', [mask, g!, zero])];
};

/** LeakyRelu: g where x > 0, else alpha*g. */
export const leakyReluGrad: GradRule = (ctx, node, [g]) => {
  const x = ctx.input(0);
  const dt = ctx.dtype(x);
  const alpha = attrFloat(node, 'alpha', 0.01);
  const mask = ctx.emit('Greater', [x, ctx.scalar(0, dt)]);
  return [ctx.emit('Where', [mask, g!, ctx.emit('Mul', [g!, ctx.scalar(alpha, dt)])])];
};

/** Sigmoid: g*y*(1-y). */
export const sigmoidGrad: GradRule = (ctx, _node, [g]) => {
  const y = ctx.output(0);
  const dt = ctx.dtype(y);
  const oneMinus = ctx.emit('Sub', [ctx.scalar(1, dt), y]);
  return [ctx.emit('Mul', [g!, ctx.emit('Mul', [y, oneMinus])])];
};

/** Tanh: g*(1-y^2). */
export const tanhGrad: GradRule = (ctx, _node, [g]) => {
  const y = ctx.output(0);
  const dt = ctx.dtype(y);
  const d = ctx.emit('Sub', [ctx.scalar(1, dt), ctx.emit('Mul', [y, y])]);
  return [ctx.emit('Mul', [g!, d])];
};

/** Exp: g*y. */
export const expGrad: GradRule = (ctx, _node, [g]) => [ctx.emit('Mul', [g!, ctx.output(0)])];

/** Log: g/x. */
export const logGrad: GradRule = (ctx, _node, [g]) => [ctx.emit('Div', [g!, ctx.input(0)])];

/** Sqrt: g/(2y). */
export const sqrtGrad: GradRule = (ctx, _node, [g]) => {
  const y = ctx.output(0);
  return [ctx.emit('Div', [g!, ctx.emit('Mul', [y, ctx.scalar(2, ctx.dtype(y))])])];
};

function softmaxAxis(ctx: Parameters<GradRule>[0]): number {
  const node = ctx.node;
  const rank = ctx.rank(ctx.input(0));
  const dflt = ctx.opset >= 13 ? -1 : 1;
  let axis = attrInt(node, 'axis', dflt);
  if (axis < 0) axis += rank;
  if (ctx.opset < 13 && axis !== rank - 1) {
    ctx.fail(`${node.opType} before opset 13 flattens to 2-D; only axis = last is supported`);
  }
  return axis;
}

/** Softmax: y*(g - sum(g*y, axis)). */
export const softmaxGrad: GradRule = (ctx, _node, [g]) => {
  const axis = softmaxAxis(ctx);
  const y = ctx.output(0);
  const s = ctx.reduceSum(ctx.emit('Mul', [g!, y]), [axis], true);
  return [ctx.emit('Mul', [y, ctx.emit('Sub', [g!, s])])];
};

/** LogSoftmax: g - exp(y)*sum(g, axis). */
export const logSoftmaxGrad: GradRule = (ctx, _node, [g]) => {
  const axis = softmaxAxis(ctx);
  const y = ctx.output(0);
  const s = ctx.reduceSum(g!, [axis], true);
  return [ctx.emit('Sub', [g!, ctx.emit('Mul', [ctx.emit('Exp', [y]), s])])];
};
