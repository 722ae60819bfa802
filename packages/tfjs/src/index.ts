/**
 * `@rs/tfjs`: randomized smoothing over TensorFlow.js (tfjs-node-gpu, tfjs-node, wasm or cpu backend).
 */
export { TfjsClassifier, type TfjsClassifierInit } from './tfjs-classifier.js';
export { TfjsRandomizedSmoothing } from './tfjs-randomized-smoothing.js';
export {
  tfjsClassifierOptionsSchema,
  tfjsRandomizedSmoothingOptionsSchema,
  type TfjsClassifierOptions,
  type ParsedTfjsClassifierOptions,
  type TfjsRandomizedSmoothingOptions,
} from './create-options.js';
export {
  selectBackend,
  activateBackend,
  GpuUnavailableError,
  TFJS_GPU_INSTALL_HINT,
  type BackendInfo,
  type BackendRequest,
  type TfjsBackendName,
} from './backend.js';
export { fileSystemIOHandler, modelJsonPath, readModelJson } from './file-io.js';
export { loadTfjsModel, isLayersModel, isGraphModel, type LoadedTfjsModel, type TfjsModelSource } from './load-model.js';
export { callModel, declaredInputShape, declaredOutputShape } from './model-call.js';
export { TfjsTrainer, type TfjsLossObject, type TfjsTrainStep, type TfjsTrainStepContext, type TfjsTrainerSettings } from './trainer.js';
export { resetLayersModel } from './weight-init.js';
