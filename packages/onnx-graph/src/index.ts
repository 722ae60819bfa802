/**
 * @rs/onnx-graph: ONNX graph IR, reading/writing, shape inference, and reverse-mode autodiff
 * producing gradient models that ONNX Runtime (or any ONNX executor) runs.
 */
export { DataType, dtypeFromCode, dtypeToCode, isFloat, type DType, type TensorData } from './dtype.js';
export { OnnxGraphError, InvalidModelError, UnsupportedOpError, type OnnxGraphErrorCode } from './errors.js';
export {
  cloneModel,
  topologicalSort,
  consumers,
  producers,
  type Attribute,
  type Dim,
  type Graph,
  type Model,
  type Node,
  type Tensor,
  type ValueInfo,
} from './ir.js';
export { loadModel } from './load.js';
export { saveModel } from './save.js';
export { makeTensor } from './tensor.js';
export { GraphBuilder, type AttrInput, type BuilderOptions, type NodeOptions } from './builder.js';
export { checkSupported, SUPPORTED_OPS, DIFFERENTIABLE_OPS, SHAPE_OPS, SUPPORTED_OPSETS } from './ops.js';
export { inferShapes, type ShapeAnalysis, type SymValue } from './shape-inference.js';
export { foldShapeArithmetic, removeDeadNodes } from './fold.js';
export { buildGradientModel, type GradientModel, type GradientOptions, type TensorSpec } from './autodiff.js';
export type { SoftmaxCrossEntropyOptions } from './loss.js';
export { withIntermediateOutputs, layerNames, type LayerNameOptions } from './intermediate.js';
export { replaceInitializers, getInitializers } from './initializers.js';
export { initialWeights, type WeightRandomSource } from './initial-weights.js';
export { onnxModelOptionsShape } from './model-options.js';
