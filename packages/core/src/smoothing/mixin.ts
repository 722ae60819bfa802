import { requireCapability } from '../classifier/capabilities.js';
import type { Classifier } from '../classifier/classifier.js';
import { cloneForRefitting } from '../classifier/refittable.js';
import type { InputLike, LabelsLike } from '../input/tensor-like.js';
import type { BatchOptions, CertifyOptions, FitGeneratorOptions, FitOptions, GradientOptions, PredictOptions } from '../options/run-options.js';
import { SMOOTHING_OPTION_KEYS, type SmoothingOptions } from '../options/smoothing-options.js';
import type { MethodLossOptions } from '../training/fit-options.js';
import type { MethodLoss } from '../training/method-loss.js';
import type { CertifyResult } from './certify.js';
import type { FitResult } from './fit.js';
import type { BatchSource } from './fit-generator.js';
import type { PredictResult } from './predict.js';
import { SmoothedClassifier, type RandomizedSmoothingMethods } from './smoothed-classifier.js';

/** A class whose instances are {@link Classifier}s: what {@link RandomizedSmoothingMixin} extends. */
// biome-ignore lint/suspicious/noExplicitAny: TypeScript requires `any[]` constructor arguments for a mixin base
export type ClassifierConstructor = new (...args: any[]) => Classifier;

/**
 * What the mixin adds to each instance: ART's `RandomizedSmoothingMixin` surface (`sampleSize`,
 * `scale`, `alpha`, certify / predict / fit / gradients / losses) plus the smoothing engine.
 * A capability of the base (e.g. `save`) stays the base's own method.
 */
export interface RandomizedSmoothingInstance extends RandomizedSmoothingMethods {
  /** The smoothing engine over this classifier, created (and validated) on first use. */
  readonly smoothing: SmoothedClassifier;
  /** The smoothing options as given (constructor argument and `configureSmoothing` calls). */
  readonly smoothingOptions: SmoothingOptions;
  /** Sets smoothing options (validated; nothing changes when validation fails). */
  configureSmoothing(options: SmoothingOptions): this;
  /** Layer names of the model (needs the `activations` capability). */
  readonly layerNames: readonly string[];
  /** Activations of a layer for clean inputs, preprocessing applied (needs `activations`). */
  getActivations(x: InputLike, layer: number | string): Promise<{ data: Float32Array; shape: readonly number[] }>;
  /** Re-initializes the weights (needs `training`). */
  reset(): Promise<void>;
  /** A fresh instance of the same class, same smoothing options, weights re-initialized (ART's `clone_for_refitting`). */
  cloneForRefitting(): Promise<this>;
}

/** The class {@link RandomizedSmoothingMixin} returns: `Base`'s constructor, instances with the smoothing methods. */
export type RandomizedSmoothingClass<TBase extends ClassifierConstructor> = Pick<TBase, keyof TBase> &
  (new (
    ...args: ConstructorParameters<TBase>
  ) => InstanceType<TBase> & RandomizedSmoothingInstance);

/**
 * Picks the smoothing options out of a larger options object (the mixin's constructor argument).
 *
 * @example
 * pickSmoothingOptions({ model: 'm.onnx', scale: 0.25 }); // { scale: 0.25 }
 */
export function pickSmoothingOptions(value: unknown): SmoothingOptions {
  if (value === null || typeof value !== 'object') return {};
  const out: Record<string, unknown> = {};
  for (const key of SMOOTHING_OPTION_KEYS) if (Object.hasOwn(value, key)) out[key] = (value as Record<string, unknown>)[key];
  return out as SmoothingOptions;
}

/** Per-instance state, kept outside the class so no private name reaches the declarations. */
interface MixinState {
  smoothed: SmoothedClassifier | undefined;
  pending: SmoothingOptions;
}
const states = new WeakMap<object, MixinState>();
function stateOf(instance: object): MixinState {
  let state = states.get(instance);
  if (!state) {
    state = { smoothed: undefined, pending: {} };
    states.set(instance, state);
  }
  return state;
}

/**
 * ART's `RandomizedSmoothingMixin` for TypeScript: returns a subclass of `Base` (any class whose
 * instances implement {@link Classifier}) with `sampleSize` / `scale` / `alpha` and the smoothed
 * `certify`, `predict`, `predictClasses`, `fit`, `fitGenerator`, gradients and losses. The subclass's
 * constructor takes `Base`'s arguments; smoothing options are read from the first argument when it
 * is an object (keys `sampleSize`, `scale`, `alpha`, `clipValues`, `clipNoisy`, `seed`,
 * `channelsFirst`, `noise`, `sound`, `preprocessing`), or set later with `configureSmoothing`. The
 * base's own `forward(x, batch)` stays the raw model; `predictLogits(x, { batchSize })` is its
 * validated, batched, preprocessed form. `cloneForRefitting` works when `Base` is {@link Refittable}.
 *
 * @example
 * class MyClassifier implements Classifier {
 *   readonly inputShape = [2];
 *   readonly nbClasses = 2;
 *   constructor(readonly options: { bias: number }) {}
 *   forward(x: Float32Array, batch: number): Float32Array {
 *     const out = new Float32Array(batch * 2);
 *     for (let i = 0; i < batch; i++) out[2 * i + 1] = x[2 * i]! + x[2 * i + 1]! + this.options.bias;
 *     return out;
 *   }
 * }
 * const MySmoothed = RandomizedSmoothingMixin(MyClassifier);
 * const g = new MySmoothed({ bias: -1, scale: 0.25, sampleSize: 100, seed: 1 });
 * const { prediction, radius } = await g.certify(new Float32Array([1, 1]), { n: 10_000 });
 */
export function RandomizedSmoothingMixin<TBase extends ClassifierConstructor>(Base: TBase): RandomizedSmoothingClass<TBase> {
  class RandomizedSmoothing extends Base implements RandomizedSmoothingInstance {
    // biome-ignore lint/suspicious/noExplicitAny: TypeScript requires `any[]` constructor arguments for a mixin
    constructor(...args: any[]) {
      super(...args);
      stateOf(this).pending = pickSmoothingOptions(args[0]);
    }

    get smoothing(): SmoothedClassifier {
      const state = stateOf(this);
      state.smoothed ??= new SmoothedClassifier(this, state.pending);
      return state.smoothed;
    }

    get smoothingOptions(): SmoothingOptions {
      const state = stateOf(this);
      return state.smoothed ? state.smoothed.userOptions : { ...state.pending };
    }

    configureSmoothing(options: SmoothingOptions): this {
      const state = stateOf(this);
      if (state.smoothed) state.smoothed.configure(options);
      else {
        const next = { ...state.pending, ...options };
        state.smoothed = new SmoothedClassifier(this, next);
        state.pending = next;
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

    certify(x: InputLike, options: CertifyOptions): Promise<CertifyResult> {
      return this.smoothing.certify(x, options);
    }
    predict(x: InputLike, options?: PredictOptions): Promise<Float32Array> {
      return this.smoothing.predict(x, options);
    }
    predictClasses(x: InputLike, options?: PredictOptions): Promise<PredictResult> {
      return this.smoothing.predictClasses(x, options);
    }
    fit(x: InputLike, y: LabelsLike, options?: FitOptions): Promise<FitResult> {
      return this.smoothing.fit(x, y, options);
    }
    fitGenerator(batches: BatchSource, options?: FitGeneratorOptions): Promise<FitResult> {
      return this.smoothing.fitGenerator(batches, options);
    }
    predictLogits(x: InputLike, options?: BatchOptions): Promise<Float32Array> {
      return this.smoothing.predictLogits(x, options);
    }
    lossGradient(x: InputLike, y: LabelsLike, options?: GradientOptions): Promise<Float32Array> {
      return this.smoothing.lossGradient(x, y, options);
    }
    classGradient(x: InputLike, label?: number | LabelsLike, options?: GradientOptions): Promise<{ data: Float32Array; shape: number[] }> {
      return this.smoothing.classGradient(x, label, options);
    }
    computeLosses(x: InputLike, y: LabelsLike, options?: BatchOptions): Promise<Float64Array> {
      return this.smoothing.computeLosses(x, y, options);
    }
    computeLoss(x: InputLike, y: LabelsLike, options: MethodLossOptions): Promise<MethodLoss>;
    computeLoss(x: InputLike, y: LabelsLike, options?: BatchOptions & { reduction?: 'none' | 'mean' | 'sum' }): Promise<number | Float64Array>;
    computeLoss(
      x: InputLike,
      y: LabelsLike,
      options?: MethodLossOptions | (BatchOptions & { reduction?: 'none' | 'mean' | 'sum' }),
    ): Promise<MethodLoss | number | Float64Array> {
      return this.smoothing.computeLoss(x, y, options as BatchOptions);
    }
    get layerNames(): readonly string[] {
      return this.smoothing.layerNames;
    }
    getActivations(x: InputLike, layer: number | string): Promise<{ data: Float32Array; shape: readonly number[] }> {
      return this.smoothing.getActivations(x, layer);
    }
    async reset(): Promise<void> {
      await requireCapability(this, 'training', 'reset').reset();
    }
    async cloneForRefitting(): Promise<this> {
      const clone = await cloneForRefitting(this);
      clone.configureSmoothing(this.smoothingOptions);
      return clone;
    }
  }
  return RandomizedSmoothing as unknown as RandomizedSmoothingClass<TBase>;
}
