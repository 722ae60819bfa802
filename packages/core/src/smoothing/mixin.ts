import type { Classifier } from '../classifier/classifier.js';
import { SMOOTHING_OPTION_KEYS, type SmoothingOptions } from '../options/smoothing-options.js';
import type { BatchOptions, CertifyOptions, FitOptions, GradientOptions, PredictOptions } from '../options/run-options.js';
import type { CertifyResult } from './certify.js';
import type { FitResult } from './fit.js';
import type { PredictResult } from './predict.js';
import { SmoothedClassifier, type RandomizedSmoothingMethods } from './smoothed-classifier.js';

// biome-ignore lint/suspicious/noExplicitAny: TypeScript requires `any[]` constructor arguments for a mixin base
type ClassifierConstructor = new (...args: any[]) => Classifier;

/**
 * Picks the smoothing options out of a larger options object (the mixin's constructor argument).
 *
 * @example
 * pickSmoothingOptions({ model: 'm.onnx', scale: 0.25 }); // { scale: 0.25 }
 */
export function pickSmoothingOptions(value: unknown): SmoothingOptions {
  if (value === null || typeof value !== 'object') return {};
  const out: Record<string, unknown> = {};
  for (const key of SMOOTHING_OPTION_KEYS) if (key in value) out[key] = (value as Record<string, unknown>)[key];
  return out as SmoothingOptions;
}

/**
 * ART's `RandomizedSmoothingMixin` for TypeScript: returns a subclass of `Base` (any class whose
 * instances implement {@link Classifier}) with `sampleSize` / `scale` / `alpha` and the smoothed
 * `certify`, `predict`, `predictClasses`, `fit`, gradients and losses. The subclass's constructor
 * takes `Base`'s arguments; smoothing options are read from the first argument when it is an object
 * (keys `sampleSize`, `scale`, `alpha`, `clipValues`, `clipNoisy`, `seed`, `channelsFirst`, `noise`, `sound`,
 * `preprocessing`), or set later with `configureSmoothing`. The base's own `forward(x, batch)` stays the
 * raw model; `predictLogits(x, { batchSize })` is its validated, batched, preprocessed form.
 *
 * @example
 * class MyClassifier implements Classifier { ... constructor(opts: { weights: Float32Array }) { ... } }
 * const MySmoothed = RandomizedSmoothingMixin(MyClassifier);
 * const g = new MySmoothed({ weights, scale: 0.25, sampleSize: 100 });
 * const { prediction, radius } = await g.certify(x, { n: 10_000 });
 */
export function RandomizedSmoothingMixin<TBase extends ClassifierConstructor>(Base: TBase) {
  class RandomizedSmoothing extends Base implements RandomizedSmoothingMethods {
    #smoothed: SmoothedClassifier | undefined;
    #pending: SmoothingOptions;

    // biome-ignore lint/suspicious/noExplicitAny: TypeScript requires `any[]` constructor arguments for a mixin
    constructor(...args: any[]) {
      super(...args);
      this.#pending = pickSmoothingOptions(args[0]);
    }

    /** The smoothing engine over this classifier, created (and validated) on first use. */
    get smoothing(): SmoothedClassifier {
      this.#smoothed ??= new SmoothedClassifier(this, this.#pending);
      return this.#smoothed;
    }

    /** The smoothing options as given (constructor argument and `configureSmoothing` calls). */
    get smoothingOptions(): SmoothingOptions {
      return this.#smoothed ? this.#smoothed.userOptions : { ...this.#pending };
    }

    /** Sets smoothing options (validated). */
    configureSmoothing(options: SmoothingOptions): this {
      if (this.#smoothed) this.#smoothed.configure(options);
      else {
        const next = { ...this.#pending, ...options };
        this.#smoothed = new SmoothedClassifier(this, next);
        this.#pending = next;
      }
      return this;
    }

    get sampleSize(): number {
      return this.smoothing.sampleSize;
    }
    set sampleSize(v: number) {
      this.smoothing.sampleSize = v;
    }
    get scale(): number {
      return this.smoothing.scale;
    }
    set scale(v: number) {
      this.smoothing.scale = v;
    }
    get alpha(): number {
      return this.smoothing.alpha;
    }
    set alpha(v: number) {
      this.smoothing.alpha = v;
    }

    certify(x: unknown, options: CertifyOptions): Promise<CertifyResult> {
      return this.smoothing.certify(x, options);
    }
    predict(x: unknown, options?: PredictOptions): Promise<Float32Array> {
      return this.smoothing.predict(x, options);
    }
    predictClasses(x: unknown, options?: PredictOptions): Promise<PredictResult> {
      return this.smoothing.predictClasses(x, options);
    }
    fit(x: unknown, y: unknown, options?: FitOptions): Promise<FitResult> {
      return this.smoothing.fit(x, y, options);
    }
    /** The base model's logits (unsmoothed) for clean inputs, preprocessing applied, in batches. */
    predictLogits(x: unknown, options?: BatchOptions): Promise<Float32Array> {
      return this.smoothing.predictLogits(x, options);
    }
    lossGradient(x: unknown, y: unknown, options?: GradientOptions): Promise<Float32Array> {
      return this.smoothing.lossGradient(x, y, options);
    }
    classGradient(x: unknown, label?: number | ArrayLike<number>, options?: GradientOptions): Promise<{ data: Float32Array; shape: number[] }> {
      return this.smoothing.classGradient(x, label, options);
    }
    computeLosses(x: unknown, y: unknown, options?: BatchOptions): Promise<Float64Array> {
      return this.smoothing.computeLosses(x, y, options);
    }
    computeLoss(x: unknown, y: unknown, options?: BatchOptions & { reduction?: 'none' | 'mean' | 'sum' }): Promise<number | Float64Array> {
      return this.smoothing.computeLoss(x, y, options);
    }
    /** Layer names of the model (needs the `activations` capability). */
    get layerNames(): readonly string[] {
      return this.smoothing.layerNames;
    }
    /** Activations of a layer for clean inputs (needs `activations`). */
    getActivations(x: unknown, layer: number | string): Promise<{ data: Float32Array; shape: readonly number[] }> {
      return this.smoothing.getActivations(x, layer);
    }
    /** Saves the model (needs `save`). */
    save(path: string): Promise<void> {
      return this.smoothing.save(path);
    }
    /** Re-initializes the weights (needs `training`). */
    async reset(): Promise<void> {
      if (!this.capabilities.training || !this.training) throw new TypeError(`reset needs the 'training' capability; this classifier declares training: false`);
      await this.training.reset();
    }
  }
  return RandomizedSmoothing;
}
