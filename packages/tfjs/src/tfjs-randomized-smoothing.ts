import { createSmoothed, RandomizedSmoothingMixin } from '@rs/core';
import type { TfjsRandomizedSmoothingOptions } from './create-options.js';
import { TfjsClassifier } from './tfjs-classifier.js';

/**
 * Randomized smoothing over a TensorFlow.js model: {@link TfjsClassifier} with `@rs/core`'s
 * `RandomizedSmoothingMixin` applied (ART's `TensorFlowV2RandomizedSmoothing`, for TF.js). Every
 * method also takes `tf.Tensor` inputs and labels (core reads any tensor-like). `channelsFirst`
 * defaults to false (NHWC).
 *
 * @example
 * const rs = await TfjsRandomizedSmoothing.create({ model: 'cnn/model.json', scale: 0.25, sampleSize: 100, alpha: 0.001, seed: 0 });
 * const { prediction, radius } = await rs.certify(x, { n: 10_000, batchSize: 1000 });
 * await rs.dispose();
 */
export class TfjsRandomizedSmoothing extends RandomizedSmoothingMixin(TfjsClassifier) {
  /**
   * Chooses the backend, loads the model and validates every option (model and smoothing) before returning.
   *
   * @example
   * const rs = await TfjsRandomizedSmoothing.create({ model: layersModel, backend: 'wasm', scale: 0.25, clipValues: [0, 1] });
   */
  static override create(options: TfjsRandomizedSmoothingOptions): Promise<TfjsRandomizedSmoothing> {
    return createSmoothed(TfjsRandomizedSmoothing, options, 'TfjsRandomizedSmoothing options', { channelsFirst: false });
  }
}
