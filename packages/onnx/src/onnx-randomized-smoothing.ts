import { createSmoothed, parseOptions, RandomizedSmoothingMixin } from '@rs/core';
import { onnxRandomizedSmoothingOptionsSchema, type OnnxRandomizedSmoothingOptions } from './create-options.js';
import { OnnxClassifier, prepareOnnxClassifier, type OnnxClassifierInit } from './onnx-classifier.js';

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
  static override async create(options: OnnxRandomizedSmoothingOptions): Promise<OnnxRandomizedSmoothing> {
    parseOptions(onnxRandomizedSmoothingOptionsSchema, options, 'OnnxRandomizedSmoothing options');
    return createSmoothed(options, prepareOnnxClassifier, (init) => new OnnxRandomizedSmoothing(init));
  }

  constructor(init: OnnxClassifierInit) {
    super(init);
  }

  /**
   * A fresh copy with the same model file, device and smoothing options, its weights re-initialized
   * (ART's `clone_for_refitting`). Needs the `training` capability.
   *
   * @example
   * const fresh = await rs.cloneForRefitting();
   * await fresh.fit(xTrain, yTrain, { nbEpochs: 2 });
   */
  async cloneForRefitting(): Promise<OnnxRandomizedSmoothing> {
    if (!this.training) throw new TypeError(`cloneForRefitting needs the 'training' capability: ${this.capabilityNotes.training ?? 'training: false'}`);
    const clone = new OnnxRandomizedSmoothing(await prepareOnnxClassifier({ ...this.init.options, model: this.init.source.bytes }));
    clone.configureSmoothing({ ...this.smoothingOptions });
    await clone.reset();
    return clone;
  }
}
