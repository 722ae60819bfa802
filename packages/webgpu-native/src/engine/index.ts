/// <reference types="@webgpu/types" preserve="true" />
/**
 * The WebGPU engine of `@rs/webgpu-native`, free of Node-only imports (it runs wherever a WebGPU
 * `GPU` object exists): pass `gpu: navigator.gpu` or call `setGpuEnvironment`.
 */
export { WebGpuClassifier, type WebGpuClassifierInit } from './webgpu-classifier.js';
export { WebGpuRandomizedSmoothing } from './webgpu-randomized-smoothing.js';
export {
  webGpuClassifierOptionsSchema,
  webGpuRandomizedSmoothingOptionsSchema,
  type WebGpuClassifierOptions,
  type ParsedWebGpuClassifierOptions,
  type WebGpuRandomizedSmoothingOptions,
} from './create-options.js';
export { setGpuEnvironment, getGpuEnvironment, noteGpuDriver, gpuDriverNote, type GpuEnvironment, type GpuDriverNote } from './environment.js';
export { openGpuDevice, GpuDevice, type AdapterReport, type GpuDeviceOptions } from './gpu-device.js';
export { NoAdapterError, DeviceLostError, UnsupportedModelError, GpuExecutionError, VULKAN_INSTALL_HINT } from './errors.js';
export { WebGpuEngine, DEFAULT_MEMORY_BUDGET, Serial, type EngineOptions } from './webgpu-engine.js';
export { prepareModel, type PreparedModel, type PrepareOptions } from './prepared-model.js';
export { analyzeGradients, GpuGradients, type GradientSupport } from './gradients.js';
export type { ValueType } from './lower-context.js';
export { WEBGPU_SUPPORTED_OPS } from './lowerings.js';
export { countOnGpu } from './device-sampler.js';
export { WebGpuNoiseSource } from './gpu-noise-source.js';
export { PHILOX_NORMAL_WGSL, noisyBatchKernel, argmaxCountKernel } from './kernels/philox-noise.js';
