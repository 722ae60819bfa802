/**
 * Errors of the WebGPU backend: each says what failed and what to do about it, with a stable `code`.
 */

import { RsError, type RsErrorOptions } from '@rs/core';

/** How to get a WebGPU adapter on Linux (SwiftShader's Vulkan driver, or a GPU driver). */
export const VULKAN_INSTALL_HINT =
  "set VK_ICD_FILENAMES to a Vulkan driver's manifest (SwiftShader's: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json), or install one: `apt-get install libvulkan1 chromium-common` (SwiftShader, a CPU implementation), or your GPU vendor's Vulkan driver (e.g. nvidia-driver; Mesa's mesa-vulkan-drivers for Intel/AMD GPUs)";

/**
 * No WebGPU adapter could be had (no driver, or the GPU object refused).
 *
 * @example
 * try { await WebGpuClassifier.create({ model }); } catch (e) { if (e instanceof NoAdapterError) console.error(e.message); }
 */
export class NoAdapterError extends RsError {
  constructor(message: string, options?: RsErrorOptions) {
    super('RS_DEVICE_UNAVAILABLE', message, options);
    this.name = 'NoAdapterError';
  }
}

/**
 * The WebGPU device was lost (driver reset, out of memory, `destroy()`): the work in flight is void
 * and nothing computed on it is returned.
 *
 * @example
 * try { await f.forward(x, 4); } catch (e) { if (e instanceof DeviceLostError) console.error(e.reason, e.message); }
 */
export class DeviceLostError extends RsError {
  /** `'destroyed'` (the device was destroyed, e.g. by `dispose()`) or `'unknown'`. */
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(
      'RS_DEVICE_LOST',
      `WebGPU device lost (${reason}): ${message || 'no message'}; results of the work in flight are discarded (create a new classifier to continue)`,
    );
    this.name = 'DeviceLostError';
    this.reason = reason;
  }
}

/**
 * The model uses an ONNX op (or an op variant) the WGSL kernels do not implement.
 *
 * @example
 * try { await WebGpuClassifier.create({ model }); } catch (e) { if (e instanceof UnsupportedModelError) console.error(e.message); }
 */
export class UnsupportedModelError extends RsError {
  constructor(message: string, options?: RsErrorOptions) {
    super('RS_UNSUPPORTED_MODEL', message, options);
    this.name = 'UnsupportedModelError';
  }
}

/**
 * A WebGPU validation or out-of-memory error reported by the device while running work.
 *
 * @example
 * try { await f.forward(x, 4); } catch (e) { if (e instanceof GpuExecutionError) console.error(e.message); }
 */
export class GpuExecutionError extends RsError {
  constructor(message: string, options?: RsErrorOptions) {
    super('RS_DEVICE_FAILED', message, options);
    this.name = 'GpuExecutionError';
  }
}
