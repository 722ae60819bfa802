import {
  createSmoothed,
  parseOptions,
  RandomizedSmoothingMixin,
  type BatchOptions,
  type CertifyOptions,
  type CertifyResult,
  type FitOptions,
  type FitResult,
  type GradientOptions,
  type PredictOptions,
  type PredictResult,
} from '@rs/core';
import { tfjsRandomizedSmoothingOptionsSchema, type TfjsRandomizedSmoothingOptions } from './create-options.js';
import { fitGenerator, type BatchSource, type FitGeneratorOptions } from './fit-generator.js';
import { hostInput } from './host-input.js';
import { prepareTfjsClassifier, TfjsClassifier, type TfjsClassifierInit } from './tfjs-classifier.js';

/**
 * Randomized smoothing over a TensorFlow.js model: {@link TfjsClassifier} with `@rs/core`'s
 * `RandomizedSmoothingMixin` applied (ART's `TensorFlowV2RandomizedSmoothing`, for TF.js). Every
 * method also takes `tf.Tensor` inputs and labels. `channelsFirst` defaults to false (NHWC).
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
  static override async create(options: TfjsRandomizedSmoothingOptions): Promise<TfjsRandomizedSmoothing> {
    const o = parseOptions(tfjsRandomizedSmoothingOptionsSchema, options, 'TfjsRandomizedSmoothing options');
    return createSmoothed(options, prepareTfjsClassifier, (init) => new TfjsRandomizedSmoothing(init), {
      channelsFirst: o.channelsFirst && options.channelsFirst !== undefined,
    });
  }

  constructor(init: TfjsClassifierInit) {
    super(init);
  }

  override certify(x: unknown, options: CertifyOptions): Promise<CertifyResult> {
    return super.certify(hostInput(x), options);
  }
  override predict(x: unknown, options?: PredictOptions): Promise<Float32Array> {
    return super.predict(hostInput(x), options);
  }
  override predictClasses(x: unknown, options?: PredictOptions): Promise<PredictResult> {
    return super.predictClasses(hostInput(x), options);
  }
  override predictLogits(x: unknown, options?: BatchOptions): Promise<Float32Array> {
    return super.predictLogits(hostInput(x), options);
  }
  override lossGradient(x: unknown, y: unknown, options?: GradientOptions): Promise<Float32Array> {
    return super.lossGradient(hostInput(x), hostInput(y, 'int32'), options);
  }
  override classGradient(x: unknown, label?: number | ArrayLike<number>, options?: GradientOptions): Promise<{ data: Float32Array; shape: number[] }> {
    return super.classGradient(hostInput(x), label, options);
  }
  override computeLosses(x: unknown, y: unknown, options?: BatchOptions): Promise<Float64Array> {
    return super.computeLosses(hostInput(x), hostInput(y, 'int32'), options);
  }
  override computeLoss(x: unknown, y: unknown, options?: BatchOptions & { reduction?: 'none' | 'mean' | 'sum' }): Promise<number | Float64Array> {
    return super.computeLoss(hostInput(x), hostInput(y, 'int32'), options);
  }
  override getActivations(x: unknown, layer: number | string): Promise<{ data: Float32Array; shape: readonly number[] }> {
    return super.getActivations(hostInput(x), layer);
  }

  /**
   * Gaussian data augmentation training (core's `fit`, one `trainOnBatch` per batch with fresh
   * noise). The optimizer built from `optimizer` / `learningRate` is released when `fit` returns (so
   * no tensor outlives it; Adam's moments restart with the next `fit`); a user `optimizer` is kept.
   *
   * @example
   * await rs.fit(xTrain, yTrain, { nbEpochs: 2, batchSize: 64, optimizer: 'adam', learningRate: 1e-3 });
   */
  override async fit(x: unknown, y: unknown, options?: FitOptions): Promise<FitResult> {
    try {
      return await super.fit(hostInput(x), hostInput(y, 'int32'), options);
    } finally {
      this.trainer?.releaseOptimizer();
    }
  }

  /**
   * ART's `fit_generator`: Gaussian augmentation training over batches from an iterable, async
   * iterable or per-epoch function, noise drawn with core's `training` stream layout.
   *
   * @example
   * await rs.fitGenerator((epoch) => batchesOf(xTrain, yTrain, 64), { nbEpochs: 2, optimizer: 'adam', learningRate: 1e-3 });
   */
  async fitGenerator(batches: BatchSource, options?: FitGeneratorOptions): Promise<FitResult> {
    try {
      return await fitGenerator(this, this.smoothing.userOptions, batches, options);
    } finally {
      this.trainer?.releaseOptimizer();
    }
  }

  /**
   * A fresh copy with the same architecture, backend and smoothing options, its weights
   * re-initialized (ART's `clone_for_refitting`). Needs a `tf.LayersModel`.
   *
   * @example
   * const fresh = await rs.cloneForRefitting();
   * await fresh.fit(xTrain, yTrain, { nbEpochs: 2 });
   */
  async cloneForRefitting(): Promise<TfjsRandomizedSmoothing> {
    if (!this.training) throw new TypeError(`cloneForRefitting needs the 'training' capability: ${this.capabilityNotes.training ?? 'training: false'}`);
    const clone = new TfjsRandomizedSmoothing(await this.prepareClone());
    clone.configureSmoothing({ ...this.smoothing.userOptions });
    await clone.reset();
    return clone;
  }
}
