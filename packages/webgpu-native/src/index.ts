/// <reference types="@webgpu/types" preserve="true" />
/**
 * `@rs/webgpu-native`: randomized smoothing run entirely on the GPU through WebGPU, on Node
 * (Dawn, the `webgpu` npm package). Importing this entry point installs the Node environment
 * (Dawn's GPU object on a Vulkan driver that gives an adapter: the system's, else SwiftShader where
 * present; see `createNodeGpu`). The engine alone, without Node imports, is `@rs/webgpu-native/engine`.
 */
import { setGpuEnvironment } from './engine/environment.js';
import { nodeEnvironment } from './node-environment.js';

setGpuEnvironment(nodeEnvironment);

export * from './engine/index.js';
export { nodeEnvironment } from './node-environment.js';
export { nodeGpu, createNodeGpu, installedVulkanDrivers, vulkanIcdDirs, SWIFTSHADER_ICD, type NodeGpuOptions } from './node-gpu.js';
