import { createSmoothed, RandomizedSmoothingMixin } from '@rs/core';
import type { WebGpuRandomizedSmoothingOptions } from './create-options.js';
import { WebGpuClassifier } from './webgpu-classifier.js';

/**
 * Randomized smoothing entirely on a WebGPU device: {@link WebGpuClassifier} with `@rs/core`'s
 * `RandomizedSmoothingMixin` applied. `certify` and `predict` hand the Monte Carlo loop to the
 * device (noise in core's Philox layout, so the counts match the host engine's).
 *
 * @example
 * const rs = await WebGpuRandomizedSmoothing.create({ model: 'model.onnx', scale: 0.25, sampleSize: 100, alpha: 0.001, seed: 0 });
 * const { prediction, radius } = await rs.certify(x, { n: 10_000, batchSize: 1000 });
 * await rs.dispose();
 */
export class WebGpuRandomizedSmoothing extends RandomizedSmoothingMixin(WebGpuClassifier) {
  /**
   * Opens the device, compiles the model and validates every option before returning.
   *
   * @example
   * const rs = await WebGpuRandomizedSmoothing.create({ model: bytes, scale: 0.25, clipValues: [0, 1] });
   */
  static override create(options: WebGpuRandomizedSmoothingOptions): Promise<WebGpuRandomizedSmoothing> {
    return createSmoothed(WebGpuRandomizedSmoothing, options, 'WebGpuRandomizedSmoothing options');
  }
}
