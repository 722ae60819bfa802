/**
 * `@rs/onnx`: randomized smoothing over ONNX Runtime (onnxruntime-node).
 */
export { OnnxClassifier, type OnnxClassifierInit } from './onnx-classifier.js';
export { OnnxRandomizedSmoothing } from './onnx-randomized-smoothing.js';
export {
  onnxClassifierOptionsSchema,
  onnxRandomizedSmoothingOptionsSchema,
  type OnnxClassifierOptions,
  type ParsedOnnxClassifierOptions,
  type OnnxRandomizedSmoothingOptions,
} from './create-options.js';
export { createSession, GpuUnavailableError, CUDA_INSTALL_HINT, type DeviceInfo, type SessionSettings } from './session.js';
export { readModelSource, type ModelSource } from './model-source.js';
