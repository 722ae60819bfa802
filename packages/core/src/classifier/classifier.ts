/**
 * The contract between `@rs/core` and a model backend.
 *
 * A backend implements {@link Classifier}: a fixed input shape, a number of classes and batched
 * logits. Everything else a backend can do is an optional capability, declared in `capabilities`
 * and provided as the matching property: core never calls a capability that is not declared, and a
 * backend never ships a method that throws "not implemented". Inputs reaching a classifier are
 * already validated and preprocessed by core; a classifier trusts them.
 */

/** What a classifier can do beyond batched logits. */
export interface ClassifierCapabilities {
  /** Vector-Jacobian products of the logits w.r.t. the (preprocessed) input: loss and class gradients. */
  gradients: boolean;
  /** One optimizer step on a batch: `fit`. */
  training: boolean;
  /** Intermediate activations by layer index or name. */
  activations: boolean;
  /** Write the model to a file. */
  save: boolean;
  /** The classifier applies `preprocessing` itself (on its device); core then passes raw inputs. */
  preprocessing: boolean;
}

/** `d/dx sum(upstream * logits(x))` for a batch: the backend side of every gradient method. */
export interface GradientCapability {
  /**
   * @param x `batch * prod(inputShape)` preprocessed inputs.
   * @param batch number of inputs in `x`.
   * @param upstream `batch * nbClasses` weights on the logits.
   * @returns `batch * prod(inputShape)` gradient w.r.t. `x`.
   */
  vjp(x: Float32Array, batch: number, upstream: Float32Array): Float32Array | Promise<Float32Array>;
}

/** Hyper-parameters passed to {@link TrainingCapability.trainOnBatch}. */
export interface TrainingHyperParameters {
  optimizer: 'sgd' | 'adam';
  learningRate: number;
}

/** One optimizer step of softmax cross-entropy, plus weight management. */
export interface TrainingCapability {
  /**
   * Runs one optimizer step on `batch` (preprocessed, already noise-augmented) inputs and their
   * integer labels; resolves to the mean loss of the batch before the step.
   */
  trainOnBatch(x: Float32Array, labels: Int32Array, batch: number, hyper: TrainingHyperParameters): number | Promise<number>;
  /** Re-initializes the weights (and drops optimizer state). */
  reset(): void | Promise<void>;
  /** A fresh, untrained classifier of the same architecture. */
  cloneForRefitting(): Classifier | Promise<Classifier>;
}

/** Intermediate activations. */
export interface ActivationsCapability {
  readonly layerNames: readonly string[];
  /** Activations of `layer` (index or name) for a batch, flattened row-major, with their per-input shape. */
  getActivations(x: Float32Array, batch: number, layer: number | string): { data: Float32Array; shape: readonly number[] } | Promise<{ data: Float32Array; shape: readonly number[] }>;
}

/** Saving the model. */
export interface SaveCapability {
  save(path: string): void | Promise<void>;
}

/**
 * A base classifier f: what every backend provides.
 *
 * @example
 * const classifier: Classifier = {
 *   inputShape: [2], nbClasses: 2,
 *   capabilities: { gradients: false, training: false, activations: false, save: false, preprocessing: false },
 *   forward: (x, batch) => { const out = new Float32Array(batch * 2); for (let i = 0; i < batch; i++) out[2 * i + 1] = x[2 * i] - x[2 * i + 1]; return out; },
 * };
 */
export interface Classifier {
  /** Shape of one input, without the batch dimension (e.g. `[1, 28, 28]`). */
  readonly inputShape: readonly number[];
  readonly nbClasses: number;
  readonly capabilities: Readonly<ClassifierCapabilities>;
  /**
   * Logits for a batch: `x` holds `batch` inputs back to back; returns `batch * nbClasses` values.
   * Core does not keep or mutate `x` after the promise settles, and reads the result before the
   * next call (a backend may reuse its output buffer).
   */
  forward(x: Float32Array, batch: number): Float32Array | Promise<Float32Array>;
  /** Present exactly when `capabilities.gradients`. */
  readonly gradients?: GradientCapability;
  /** Present exactly when `capabilities.training`. */
  readonly training?: TrainingCapability;
  /** Present exactly when `capabilities.activations`. */
  readonly activations?: ActivationsCapability;
  /** Present exactly when `capabilities.save`. */
  readonly saver?: SaveCapability;
  /** Preprocessing `[subtrahend, divisor]` the classifier applies itself (when `capabilities.preprocessing`). */
  readonly preprocessing?: unknown;
  /** Why a capability is declared false (e.g. "unsupported ONNX op 'LSTM' (node 'lstm1')"), shown in core's errors. */
  readonly capabilityNotes?: Partial<Record<keyof ClassifierCapabilities, string>>;
  /** Largest batch the backend accepts in one call (core splits larger batches). */
  readonly maxBatchSize?: number;
  /** Releases native resources; idempotent. */
  dispose?(): void | Promise<void>;
}

/** Capabilities of a classifier that only computes logits. */
export const LOGITS_ONLY: Readonly<ClassifierCapabilities> = Object.freeze({
  gradients: false,
  training: false,
  activations: false,
  save: false,
  preprocessing: false,
});
