import { autoBackend } from './auto.js';
import { onnxBackend } from './onnx.js';
import { registerBackend } from './registry.js';
import { tfjsBackend } from './tfjs.js';
import { webgpuBackend } from './webgpu.js';

/**
 * Registers the backends this package knows: onnx, tfjs, webgpu and auto. Each loads its package
 * (`@rs/onnx`, `@rs/tfjs`, `@rs/webgpu-native`) only when a model is opened on it; a missing one is
 * an error naming it with the install line. Call once before {@link getBackend}.
 *
 * @example
 * registerBuiltinBackends();
 * const backend = getBackend('tfjs');
 */
export function registerBuiltinBackends(): void {
  for (const b of [onnxBackend, tfjsBackend, webgpuBackend, autoBackend]) registerBackend(b);
}

export { registerBackend, getBackend, availableBackends, BACKEND_PACKAGES, type Backend, type BackendModel, type BackendOpenOptions } from './registry.js';
export { isInstalled, missingPackages } from './load-package.js';
