/**
 * The table of shape rules by op type (default domain). An op without a rule leaves its outputs'
 * shapes unknown (and its first output typed like its first input).
 */
import { arithmeticShape, castShape, compareShape, dropoutShape, sameAsInput, whereShape } from './elementwise.js';
import { concatShape, flattenShape, reshapeShapeRule, squeezeShape, transposeShape, unsqueezeShape } from './layout.js';
import { gemmShape, matmulShape } from './linear.js';
import type { ShapeRule } from './rule.js';
import { constantOfShapeShape, constantShape, gatherShape, rangeShape, reduceShape, shapeOfShape, sizeShape, sliceShape } from './shape-ops.js';
import { globalPoolShape, windowShape } from './window.js';

/**
 * Shape rules by op type.
 */
export const SHAPE_RULES: Readonly<Record<string, ShapeRule>> = Object.freeze({
  Relu: sameAsInput,
  LeakyRelu: sameAsInput,
  Sigmoid: sameAsInput,
  Tanh: sameAsInput,
  Softmax: sameAsInput,
  LogSoftmax: sameAsInput,
  Identity: sameAsInput,
  Neg: sameAsInput,
  Exp: sameAsInput,
  Log: sameAsInput,
  Sqrt: sameAsInput,
  Abs: sameAsInput,
  Erf: sameAsInput,
  BatchNormalization: sameAsInput,
  Dropout: dropoutShape,
  Cast: castShape,
  Add: arithmeticShape,
  Sub: arithmeticShape,
  Mul: arithmeticShape,
  Div: arithmeticShape,
  Pow: arithmeticShape,
  Equal: compareShape,
  Less: compareShape,
  Greater: compareShape,
  Where: whereShape,
  Gemm: gemmShape,
  MatMul: matmulShape,
  Conv: windowShape,
  MaxPool: windowShape,
  AveragePool: windowShape,
  GlobalAveragePool: globalPoolShape,
  GlobalMaxPool: globalPoolShape,
  Flatten: flattenShape,
  Reshape: reshapeShapeRule,
  Transpose: transposeShape,
  Concat: concatShape,
  Unsqueeze: unsqueezeShape,
  Squeeze: squeezeShape,
  Shape: shapeOfShape,
  Size: sizeShape,
  Constant: constantShape,
  Gather: gatherShape,
  Slice: sliceShape,
  ConstantOfShape: constantOfShapeShape,
  Range: rangeShape,
  ReduceProd: reduceShape,
  ReduceSum: reduceShape,
});
