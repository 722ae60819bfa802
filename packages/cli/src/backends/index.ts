import { onnxBackend } from './onnx.js';
import { registerBackend } from './registry.js';

/**
 * Registers the backends this package ships (today: onnx). Call once before {@link getBackend}.
 *
 * @example
 * registerBuiltinBackends();
 * const backend = getBackend('onnx');
 */
export function registerBuiltinBackends(): void {
  registerBackend(onnxBackend);
}

export { registerBackend, getBackend, availableBackends, type Backend, type BackendModel, type BackendOpenOptions } from './registry.js';
