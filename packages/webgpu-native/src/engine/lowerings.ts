import type { OpLowering } from './lower-context.js';
import { convLowering } from './kernels/conv.js';
import { BINARY_OPS, binaryLowering, UNARY_OPS, unaryLowering } from './kernels/elementwise.js';
import { concatLowering, flattenLowering, identityLowering, reshapeLowering, squeezeLowering, transposeLowering } from './kernels/layout.js';
import { gemmLowering, matmulLowering } from './kernels/matmul.js';
import { globalPoolLowering, poolLowering } from './kernels/pool.js';
import { softmaxLowering } from './kernels/softmax.js';
import { batchNormLowering } from './kernels/batch-norm.js';
import { COMPARE_OPS, compareLowering, expandLowering, sumLowering, whereLowering } from './kernels/broadcast-ops.js';
import { castLowering } from './kernels/cast.js';
import { constantOfShapeLowering } from './kernels/constant-of-shape.js';
import { convTransposeLowering } from './kernels/conv-transpose.js';
import { reduceSumLowering } from './kernels/reduce-sum.js';
import { scatterElementsLowering } from './kernels/scatter-elements.js';
import { shapeLowering } from './kernels/shape.js';
import { sliceLowering, splitLowering } from './kernels/slice-split.js';

/**
 * The ONNX ops the WGSL engine runs (default domain), each lowered to WGSL dispatches. `Constant`
 * nodes are folded into constants before lowering.
 */
export const LOWERINGS: Readonly<Record<string, OpLowering>> = Object.freeze({
  Conv: convLowering,
  MaxPool: poolLowering,
  AveragePool: poolLowering,
  GlobalAveragePool: globalPoolLowering,
  GlobalMaxPool: globalPoolLowering,
  Gemm: gemmLowering,
  MatMul: matmulLowering,
  ...Object.fromEntries(UNARY_OPS.map((op) => [op, unaryLowering])),
  ...Object.fromEntries(BINARY_OPS.map((op) => [op, binaryLowering])),
  Softmax: softmaxLowering,
  LogSoftmax: softmaxLowering,
  BatchNormalization: batchNormLowering,
  Flatten: flattenLowering,
  Reshape: reshapeLowering,
  Squeeze: squeezeLowering,
  Unsqueeze: squeezeLowering,
  Transpose: transposeLowering,
  Concat: concatLowering,
  Identity: identityLowering,
  Dropout: identityLowering,
  // Ops of the gradient models built by @rs/onnx-graph.
  ConvTranspose: convTransposeLowering,
  ...Object.fromEntries(COMPARE_OPS.map((op) => [op, compareLowering])),
  Where: whereLowering,
  Sum: sumLowering,
  Expand: expandLowering,
  Cast: castLowering,
  ConstantOfShape: constantOfShapeLowering,
  ScatterElements: scatterElementsLowering,
  ReduceSum: reduceSumLowering,
  Slice: sliceLowering,
  Split: splitLowering,
  Shape: shapeLowering,
  Size: shapeLowering,
});

/**
 * Names of the supported ops (plus `Constant`), sorted.
 */
export const WEBGPU_SUPPORTED_OPS: readonly string[] = Object.freeze([...Object.keys(LOWERINGS), 'Constant'].sort());
