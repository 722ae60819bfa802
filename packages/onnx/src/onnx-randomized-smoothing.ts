import { createSmoothed, RandomizedSmoothingMixin } from '@rs/core';
import type { OnnxRandomizedSmoothingOptions } from './create-options.js';
import { OnnxClassifier } from './onnx-classifier.js';

/**
 * Randomized smoothing over an ONNX model: {@link OnnxClassifier} with `@rs/core`'s
 * `RandomizedSmoothingMixin` applied (ART's `PyTorchRandomizedSmoothing`, for ONNX exports).
 *
 * @example
 * const rs = await OnnxRandomizedSmoothing.create({ model: 'model.onnx', scale: 0.25, sampleSize: 100, alpha: 0.001, seed: 0 });
 * const { prediction, radius } = await rs.certify(x, { n: 10_000, batchSize: 1000 });
 * await rs.dispose();
 */
export class OnnxRandomizedSmoothing extends RandomizedSmoothingMixin(OnnxClassifier) {
  /**
   * Loads the model and validates every option (model and smoothing) before returning.
   *
   * @example
   * const rs = await OnnxRandomizedSmoothing.create({ model: bytes, inputShape: [1, 28, 28], nbClasses: 10, scale: 0.25 });
   */
  static override create(options: OnnxRandomizedSmoothingOptions): Promise<OnnxRandomizedSmoothing> {
    return createSmoothed(OnnxRandomizedSmoothing, options, 'OnnxRandomizedSmoothing options');
  }
}
