/**
 * The table of gradient rules and of the input slots through which gradients flow.
 */
import type { GradRule } from './context.js';
import { convGrad } from './conv.js';
import {
  addGrad,
  castGrad,
  divGrad,
  dropoutGrad,
  expGrad,
  identityGrad,
  leakyReluGrad,
  logGrad,
  logSoftmaxGrad,
  mulGrad,
  negGrad,
  reluGrad,
  sigmoidGrad,
  softmaxGrad,
  sqrtGrad,
  subGrad,
  tanhGrad,
} from './elementwise.js';
import { gemmGrad, matmulGrad } from './linear.js';
import { batchNormGrad } from './normalization.js';
import { averagePoolGrad, globalAveragePoolGrad, maxPoolGrad } from './pool.js';
import { concatGrad, reshapeGrad, transposeGrad } from './shape.js';

/**
 * A gradient rule with its differentiable input slots ('all' = every input) and
 * differentiable output slots.
 */
export interface GradEntry {
  rule: GradRule;
  inputs: number[] | 'all';
  outputs: number[];
}

const unary = (rule: GradRule): GradEntry => ({ rule, inputs: [0], outputs: [0] });
const binary = (rule: GradRule): GradEntry => ({ rule, inputs: [0, 1], outputs: [0] });

/**
 * Gradient rules by op type (default domain).
 */
export const GRAD_RULES: Readonly<Record<string, GradEntry>> = {
  Add: binary(addGrad),
  Sub: binary(subGrad),
  Mul: binary(mulGrad),
  Div: binary(divGrad),
  Neg: unary(negGrad),
  Identity: unary(identityGrad),
  Dropout: unary(dropoutGrad),
  Cast: unary(castGrad),
  Relu: unary(reluGrad),
  LeakyRelu: unary(leakyReluGrad),
  Sigmoid: unary(sigmoidGrad),
  Tanh: unary(tanhGrad),
  Exp: unary(expGrad),
  Log: unary(logGrad),
  Sqrt: unary(sqrtGrad),
  Softmax: unary(softmaxGrad),
  LogSoftmax: unary(logSoftmaxGrad),
  Gemm: { rule: gemmGrad, inputs: [0, 1, 2], outputs: [0] },
  MatMul: binary(matmulGrad),
  Conv: { rule: convGrad, inputs: [0, 1, 2], outputs: [0] },
  MaxPool: unary(maxPoolGrad),
  AveragePool: unary(averagePoolGrad),
  GlobalAveragePool: unary(globalAveragePoolGrad),
  BatchNormalization: { rule: batchNormGrad, inputs: [0, 1, 2], outputs: [0] },
  Flatten: unary(reshapeGrad),
  Reshape: unary(reshapeGrad),
  Squeeze: unary(reshapeGrad),
  Unsqueeze: unary(reshapeGrad),
  Transpose: unary(transposeGrad),
  Concat: { rule: concatGrad, inputs: 'all', outputs: [0] },
};
