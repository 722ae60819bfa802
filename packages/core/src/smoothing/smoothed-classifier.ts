import { RsTypeError } from '../errors.js';
import { capabilitiesOf, requireCapability } from '../classifier/capabilities.js';
import type { Classifier, ClassifierCapabilities } from '../classifier/classifier.js';
import { cloneForRefitting } from '../classifier/refittable.js';
import type { NoiseGenerator } from '../noise/index.js';
import type { InputLike, LabelsLike } from '../input/tensor-like.js';
import type { BatchOptions, CertifyOptions, FitGeneratorOptions, FitOptions, GradientOptions, PredictOptions } from '../options/run-options.js';
import type { SmoothingOptions } from '../options/smoothing-options.js';
import { toInputBatch } from '../input/input-batch.js';
import { computeMethodLoss, type MethodLoss } from '../training/method-loss.js';
import type { MethodLossOptions } from '../training/fit-options.js';
import { computeLoss, computeLosses, predictLogits } from './base-outputs.js';
import { certify, type CertifyResult } from './certify.js';
import { fit, type FitResult } from './fit.js';
import { fitGenerator, type BatchSource } from './fit-generator.js';
import { classGradient, lossGradient } from './gradients.js';
import { oneHot, predictClasses, type PredictResult } from './predict.js';
import { resolveSmoothingConfig, type SmoothingConfig } from './smoothing-config.js';

/**
 * The methods randomized smoothing adds to a classifier (ART's `RandomizedSmoothingMixin`).
 * Implemented by {@link SmoothedClassifier} and by classes made with `RandomizedSmoothingMixin`.
 */
export interface RandomizedSmoothingMethods {
  /** n0: samples that select the class in certify; samples of predict and of the smoothed gradients. */
  sampleSize: number;
  /** sigma of the Gaussian noise, in raw input units. */
  scale: number;
  /** Failure probability of certify / predict. */
  alpha: number;
  /** Cohen et al.'s CERTIFY: `{ prediction, radius }` per input (plus the evidence). */
  certify(x: InputLike, options: CertifyOptions): Promise<CertifyResult>;
  /** Smoothed prediction as ART returns it: one-hot rows, zeros where it abstains. */
  predict(x: InputLike, options?: PredictOptions): Promise<Float32Array>;
  /** Smoothed prediction as class indices (-1 = abstain), with counts and p-values. */
  predictClasses(x: InputLike, options?: PredictOptions): Promise<PredictResult>;
  /** Training with a method of core (`method`: Gaussian augmentation by default, MACER, SmoothAdv, SmoothMix, Consistency). */
  fit(x: InputLike, y: LabelsLike, options?: FitOptions): Promise<FitResult>;
  /** `fit` over batches from an iterable (ART's `fit_generator`). */
  fitGenerator(batches: BatchSource, options?: FitGeneratorOptions): Promise<FitResult>;
  /** The base classifier's logits (no noise). */
  predictLogits(x: InputLike, options?: BatchOptions): Promise<Float32Array>;
  lossGradient(x: InputLike, y: LabelsLike, options?: GradientOptions): Promise<Float32Array>;
  classGradient(x: InputLike, label?: number | LabelsLike, options?: GradientOptions): Promise<{ data: Float32Array; shape: number[] }>;
  computeLosses(x: InputLike, y: LabelsLike, options?: BatchOptions): Promise<Float64Array>;
  /** A training method's loss on the inputs (with `method`): `{ loss, terms }`. */
  computeLoss(x: InputLike, y: LabelsLike, options: MethodLossOptions): Promise<MethodLoss>;
  /** Cross-entropy of the base classifier (ART's `compute_loss`). */
  computeLoss(x: InputLike, y: LabelsLike, options?: BatchOptions & { reduction?: 'none' | 'mean' | 'sum' }): Promise<number | Float64Array>;
}

/**
 * A smoothed classifier g around a base classifier f (composition; see `smooth`). Holds validated
 * options; `sampleSize`, `scale` and `alpha` can be changed later (validated again).
 *
 * @example
 * const g = new SmoothedClassifier(linearClassifier({ weights: [[0, 0], [1, 1]], bias: [0, -1] }), { scale: 0.5, seed: 7 });
 * const { prediction, radius } = await g.certify(new Float32Array([2, 2]), { n: 10_000, batchSize: 1000 });
 */
export class SmoothedClassifier implements RandomizedSmoothingMethods {
  #config: SmoothingConfig;
  #options: SmoothingOptions;
  readonly #noise: NoiseGenerator | undefined;

  constructor(
    readonly classifier: Classifier,
    options: SmoothingOptions = {},
    noise?: NoiseGenerator,
  ) {
    this.#noise = noise;
    this.#options = { ...options };
    this.#config = resolveSmoothingConfig(classifier, this.#options, noise);
  }

  /** The options as given (merged over every `configure` call), e.g. to build a twin. */
  get userOptions(): SmoothingOptions {
    return { ...this.#options };
  }

  /** Validated options in force. */
  get options(): SmoothingConfig['options'] {
    return this.#config.options;
  }
  /** The raw input shape (the classifier's, or before the preprocessing defences). */
  get inputShape(): readonly number[] {
    return this.#config.classifier.inputShape;
  }
  get nbClasses(): number {
    return this.classifier.nbClasses;
  }
  /** The base classifier's capabilities (`capabilitiesOf`; with defences, those of the defended composition). */
  get capabilities(): ClassifierCapabilities {
    return capabilitiesOf(this.#config.classifier);
  }
  get sampleSize(): number {
    return this.#config.options.sampleSize;
  }
  set sampleSize(v: number) {
    this.configure({ sampleSize: v });
  }
  get scale(): number {
    return this.#config.options.scale;
  }
  set scale(v: number) {
    this.configure({ scale: v });
  }
  get alpha(): number {
    return this.#config.options.alpha;
  }
  set alpha(v: number) {
    this.configure({ alpha: v });
  }
  /** Name of the noise generator in use (e.g. `'wasm-simd'`). */
  get noiseGenerator(): string {
    return this.#config.noise.name;
  }
  /** The noise generator in use (e.g. for `sourceDigest(noiseSourceOf(g.generator))`, its self-test digest). */
  get generator(): NoiseGenerator {
    return this.#config.noise;
  }

  /**
   * Changes smoothing options (validated; nothing changes when validation fails).
   *
   * @example
   * g.configure({ scale: 0.5, seed: 3 });
   */
  configure(options: SmoothingOptions): this {
    const next = { ...this.#options, ...options };
    this.#config = resolveSmoothingConfig(this.classifier, next, this.#noise);
    this.#options = next;
    return this;
  }

  certify(x: InputLike, options: CertifyOptions): Promise<CertifyResult> {
    return certify(this.#config, x, options);
  }
  async predict(x: InputLike, options: PredictOptions = {}): Promise<Float32Array> {
    return oneHot((await predictClasses(this.#config, x, options)).prediction, this.nbClasses);
  }
  predictClasses(x: InputLike, options: PredictOptions = {}): Promise<PredictResult> {
    return predictClasses(this.#config, x, options);
  }
  fit(x: InputLike, y: LabelsLike, options: FitOptions = {}): Promise<FitResult> {
    return fit(this.#config, x, y, options);
  }
  fitGenerator(batches: BatchSource, options: FitGeneratorOptions = {}): Promise<FitResult> {
    return fitGenerator(this.#config, batches, options);
  }
  predictLogits(x: InputLike, options: BatchOptions = {}): Promise<Float32Array> {
    return predictLogits(this.#config, x, options);
  }
  lossGradient(x: InputLike, y: LabelsLike, options: GradientOptions = {}): Promise<Float32Array> {
    return lossGradient(this.#config, x, y, options);
  }
  classGradient(x: InputLike, label?: number | LabelsLike, options: GradientOptions = {}): Promise<{ data: Float32Array; shape: number[] }> {
    return classGradient(this.#config, x, label, options);
  }
  computeLosses(x: InputLike, y: LabelsLike, options: BatchOptions = {}): Promise<Float64Array> {
    return computeLosses(this.#config, x, y, options);
  }
  /**
   * ART's `compute_loss` (cross-entropy of the base classifier, `reduction` default `'none'`), or
   * with `method` that training method's loss on the inputs (`{ loss, terms, method, seed }`: the
   * noise and attack `fit` would use in `epoch`).
   *
   * @example
   * const { loss, terms } = await g.computeLoss(x, y, { method: 'macer', gaussianSamples: 16 });
   */
  computeLoss(x: InputLike, y: LabelsLike, options: MethodLossOptions): Promise<MethodLoss>;
  computeLoss(x: InputLike, y: LabelsLike, options?: BatchOptions & { reduction?: 'none' | 'mean' | 'sum' }): Promise<number | Float64Array>;
  computeLoss(
    x: InputLike,
    y: LabelsLike,
    options: MethodLossOptions | (BatchOptions & { reduction?: 'none' | 'mean' | 'sum' }) = {},
  ): Promise<MethodLoss | number | Float64Array> {
    if (options !== null && typeof options === 'object' && 'method' in options && options.method !== undefined) {
      return computeMethodLoss(this.#config, x, y, options as MethodLossOptions);
    }
    return computeLoss(this.#config, x, y, options as BatchOptions & { reduction?: 'none' | 'mean' | 'sum' });
  }

  /** Layer names of the base classifier (needs the `activations` capability). */
  get layerNames(): readonly string[] {
    return requireCapability(this.#config.classifier, 'activations', 'layerNames').layerNames;
  }

  /**
   * Activations of a layer of the base classifier for clean inputs (needs `activations`).
   *
   * @example
   * const { data, shape } = await g.getActivations(x, 'conv1');
   */
  async getActivations(x: InputLike, layer: number | string): Promise<{ data: Float32Array; shape: readonly number[] }> {
    const activations = requireCapability(this.#config.classifier, 'activations', 'getActivations');
    const batch = toInputBatch(x, this.inputShape, { domain: this.#config.domain });
    const pre = this.#config.preprocessing;
    const data = pre ? batch.data.map((v, i) => (v - pre.sub[i % this.#config.dim]!) / pre.div[i % this.#config.dim]!) : batch.data;
    return activations.getActivations(data, batch.count, layer);
  }

  /**
   * Saves the base classifier's model (needs `save`).
   *
   * @example
   * await g.save('trained.onnx');
   */
  async save(path: string): Promise<void> {
    if (typeof path !== 'string' || path.length === 0) throw new RsTypeError('RS_INVALID_ARG_TYPE', `'path' must be a non-empty string`);
    requireCapability(this.classifier, 'save', 'save');
    await this.classifier.save!(path); // called as a method: a class's save uses `this`
  }

  /**
   * A smoothed classifier with the same options around a fresh, untrained twin of the base
   * classifier (ART's `clone_for_refitting`; needs `training` and a `Refittable` classifier class).
   *
   * @example
   * const fresh = await g.cloneForRefitting();
   * await fresh.fit(xTrain, yTrain, { nbEpochs: 2 });
   */
  async cloneForRefitting(): Promise<SmoothedClassifier> {
    return new SmoothedClassifier(await cloneForRefitting(this.classifier), this.#options, this.#noise);
  }

  /** Releases the base classifier's native resources. */
  async dispose(): Promise<void> {
    await this.classifier.dispose?.();
  }
}
