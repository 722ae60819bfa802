import type { NoiseFamily } from '../noise/families.js';
import type { NoiseGenerator } from '../noise/types.js';

/**
 * The contract between `@rs/core` and a model backend.
 *
 * A backend implements {@link Classifier}: a fixed input shape, a number of classes and batched
 * logits. Everything else a backend can do is an optional capability, and a capability is declared
 * by its property being there (as onnxruntime's `Backend` declares optional handlers): `gradients`,
 * `training`, `activations`, `save`, `deviceSampling`, `preprocessing`. Core never calls a
 * capability that is absent, and a backend never ships a method that throws "not implemented";
 * `capabilityNotes` says why one is absent. `capabilitiesOf(classifier)` derives the report.
 * Inputs reaching a classifier are already validated and preprocessed by core; a classifier trusts them.
 */

/** One Monte Carlo counting request handed to a device sampler (see {@link DeviceSamplingCapability}). */
export interface DeviceSamplingRequest {
  /** Clean inputs, raw input space, `dim` values each, back to back. */
  data: Float32Array;
  dim: number;
  /** Per job: `count` noisy samples (sample indices `sampleStart..`) of input `row`, noise id `id`. */
  jobs: ReadonlyArray<{ row: number; id: number; sampleStart: number; count: number }>;
  /** Noise key and stream (counter word c3) of core's Philox layout (src/noise/stream-layout.ts). */
  seed: bigint;
  stream: number;
  /** sigma: noisy = clean + scale * z, in float32 as core's `fillNoisy` does. */
  scale: number;
  /**
   * Noise family of z (core's layout, "Noise families"); absent means 'gaussian'. Core sends only
   * families the sampler lists in {@link DeviceSamplingCapability.families}.
   */
  noise?: NoiseFamily;
  /** Clip noisy copies to these per-feature bounds (clipNoisy), or null. */
  clip: { min: Float32Array; max: Float32Array } | null;
  /**
   * Elementwise defences to apply, in order, after noise and clip and before `preprocessing`
   * (absent or empty: none). Only sent to a sampler whose `defenceKinds` lists their kinds.
   */
  defences?: readonly DeviceDefence[] | undefined;
  /** Per-feature `(x - sub) / div` to apply after noise and clip, or null. */
  preprocessing: { sub: Float32Array; div: Float32Array } | null;
  /** Largest number of noisy samples to evaluate at once (the caller's memory bound). */
  batchSize: number;
  signal?: AbortSignal | undefined;
  /** Called as work completes: samples evaluated so far and jobs completed so far. */
  report?: ((samplesDone: number, jobsDone: number) => void) | undefined;
}

/**
 * An elementwise defence in a form a device kernel runs exactly: `'step'` is a monotone step
 * function, `v -> values[number of thresholds <= v]` (thresholds ascending; `values.length =
 * thresholds.length + 1`; a NaN value marks inputs outside the range the table was built for, and
 * a NaN reaching the logits is an error, never a count).
 */
export interface DeviceDefence {
  kind: 'step';
  thresholds: Float32Array;
  values: Float32Array;
}

/** The whole Monte Carlo loop on the classifier's device. */
export interface DeviceSamplingCapability {
  /** The {@link DeviceDefence} kinds its kernels apply (absent: none). */
  readonly defenceKinds?: readonly DeviceDefence['kind'][];
  /** Per-class counts of the argmax of the logits over each job's noisy samples: `jobs.length * nbClasses` values. */
  countPredictions(request: DeviceSamplingRequest): Promise<Int32Array>;
  /** The noise families it draws (`request.noise`); absent means Gaussian only. Core samples other families on the host. */
  readonly families?: readonly NoiseFamily[];
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

/** Hyper-parameters of one {@link TrainingCapability.step}. */
export interface TrainingHyperParameters {
  optimizer: 'sgd' | 'adam';
  /**
   * The learning rate of this step (core applies the schedule, so it may change between steps; a
   * backend keeps its optimizer state, e.g. Adam's moments, while `optimizer` stays the same).
   */
  learningRate: number;
}

/** What a {@link LossHead} returns for the logits of a training batch. */
export interface LossHeadOutput {
  /** The loss the step minimizes (already reduced over the batch, e.g. a mean). */
  loss: number;
  /** `d loss / d logits`: `rows * nbClasses` values, row-major like the logits. */
  gradient: Float32Array;
  /** The loss's named parts (e.g. `{ classification, robustness }`), for progress and logs. */
  terms: Readonly<Record<string, number>>;
}

/**
 * A loss defined by core over the logits of a whole training batch. It may couple rows: MACER and
 * Consistency hand the backend `m` noisy copies of each input and the head sees all their logits.
 *
 * @example
 * const head: LossHead = {
 *   name: 'sum of logits',
 *   evaluate: (logits) => ({ loss: logits.reduce((a, b) => a + b, 0), gradient: new Float32Array(logits.length).fill(1), terms: {} }),
 * };
 */
export interface LossHead {
  /** Shown in errors and logs (e.g. `'cross-entropy'`, `'macer'`). */
  readonly name: string;
  /**
   * Set only when the head is the mean softmax cross-entropy of each row against `labels[row]`
   * (Gaussian augmentation): a backend with a loss of its own for that case (e.g. `@rs/tfjs`'s
   * ART-style `lossObject` / `trainStep`) may apply it instead of calling `evaluate`.
   */
  readonly crossEntropyLabels?: Int32Array;
  /** The loss of `rows` rows of logits (`rows * nbClasses` values) and its gradient w.r.t. them. Synchronous, pure. */
  evaluate(logits: Float32Array, rows: number): LossHeadOutput;
}

/**
 * Training: one optimizer step with a loss supplied by core, plus weight management.
 *
 * A step is: the forward pass over the batch in training mode, `head.evaluate(logits, rows)` once
 * with all of the batch's logits, then the weight gradient (the vector-Jacobian product of the
 * logits w.r.t. the weights with `gradient` as the upstream; no further scaling) applied by the
 * backend's optimizer. Every training method of core (Gaussian augmentation, MACER, SmoothAdv,
 * SmoothMix, Consistency) runs through this one method.
 */
export interface TrainingCapability {
  /**
   * One optimizer step on `rows` preprocessed, already noisy inputs `x`; resolves to the loss of
   * the batch before the step (the head's `loss`).
   */
  step(x: Float32Array, rows: number, head: LossHead, hyper: TrainingHyperParameters): number | Promise<number>;
  /** Re-initializes the weights (and drops optimizer state). */
  reset(): void | Promise<void>;
  /**
   * Called when a `fit` / `fitGenerator` call ends (normally or not): release per-fit state such as
   * an optimizer's moment tensors. Optional.
   */
  endFit?(): void | Promise<void>;
}

/** Intermediate activations. */
export interface ActivationsCapability {
  readonly layerNames: readonly string[];
  /** Activations of `layer` (index or name) for a batch, flattened row-major, with their per-input shape. */
  getActivations(
    x: Float32Array,
    batch: number,
    layer: number | string,
  ): { data: Float32Array; shape: readonly number[] } | Promise<{ data: Float32Array; shape: readonly number[] }>;
}

/** Writes the model (with its current weights) to `path`, in the backend's own format. */
export type SaveCapability = (path: string) => void | Promise<void>;

/**
 * The classifier applies a per-feature `(x - sub) / div` itself (e.g. inside its device kernels):
 * `forward`, `gradients`, `training` and `deviceSampling` then take raw inputs, and the smoothing
 * option `preprocessing` must not be given as well.
 */
export interface PreprocessingCapability {
  readonly sub: Float32Array;
  readonly div: Float32Array;
}

/** The names of the optional capabilities, each the name of the {@link Classifier} property that provides it. */
export type CapabilityName = 'gradients' | 'training' | 'activations' | 'save' | 'deviceSampling' | 'preprocessing';

/** Which capabilities a classifier has (derived by `capabilitiesOf`, never declared separately). */
export type ClassifierCapabilities = Readonly<Record<CapabilityName, boolean>>;

/** Why a capability is absent, e.g. `{ gradients: "unsupported ONNX op 'LSTM' (node 'lstm1')" }`; shown in core's errors. */
export type CapabilityNotes = Readonly<Partial<Record<CapabilityName, string>>>;

/**
 * How core draws the noisy copies it hands to `forward` (not used with `deviceSampling`).
 *
 * By default core draws batch k+1's noise on the JS thread while `forward` works on batch k. That
 * is right when `forward` leaves host cores free (a GPU, a single-threaded WASM backend); when it
 * already keeps every core busy (ONNX Runtime's CPU provider with one thread per core), drawing
 * noise beside it stalls its thread pool, and it is faster to draw each batch between two forward
 * calls with a generator that spreads it over all cores (`@rs/core/node`'s threaded generator).
 * The output is the same either way: only the schedule changes.
 *
 * @example
 * import { createThreadedNoiseGenerator } from '@rs/core/node';
 * const hostSampling: HostSamplingPlan = { noise: createThreadedNoiseGenerator({ threads: 2 }), overlap: false };
 */
export interface HostSamplingPlan {
  /** The generator of the noisy copies (owned by the classifier, which disposes it). Default: core's shared generator. */
  readonly noise?: NoiseGenerator;
  /** Draw the next batch's noise while `forward` runs (default true); false: between forward calls. */
  readonly overlap?: boolean;
}

/**
 * A base classifier f: what every backend provides. Only `inputShape`, `nbClasses` and `forward`
 * are required; each optional capability is there or not.
 *
 * @example
 * const classifier: Classifier = {
 *   inputShape: [2],
 *   nbClasses: 2,
 *   forward: (x, batch) => {
 *     const out = new Float32Array(batch * 2);
 *     for (let i = 0; i < batch; i++) out[2 * i + 1] = x[2 * i]! - x[2 * i + 1]!;
 *     return out;
 *   },
 *   gradients: {
 *     vjp: (_x, batch, up) => {
 *       const g = new Float32Array(batch * 2);
 *       for (let i = 0; i < batch; i++) { g[2 * i] = up[2 * i + 1]!; g[2 * i + 1] = -up[2 * i + 1]!; }
 *       return g;
 *     },
 *   },
 * };
 */
export interface Classifier {
  /** Shape of one input, without the batch dimension (e.g. `[1, 28, 28]`). */
  readonly inputShape: readonly number[];
  readonly nbClasses: number;
  /**
   * Logits for a batch: `x` holds `batch` inputs back to back; returns `batch * nbClasses` values.
   * Core does not keep or mutate `x` after the promise settles, and reads the result before the
   * next call (a backend may reuse its output buffer).
   */
  forward(x: Float32Array, batch: number): Float32Array | Promise<Float32Array>;
  /** Vector-Jacobian products of the logits w.r.t. the input: loss and class gradients. */
  readonly gradients?: GradientCapability;
  /** One optimizer step with a loss head of core's: `fit` with every training method. */
  readonly training?: TrainingCapability;
  /** Intermediate activations by layer index or name. */
  readonly activations?: ActivationsCapability;
  /** Writes the model to a file. */
  readonly save?: SaveCapability;
  /** The whole Monte Carlo loop on the classifier's device (core then draws no noise on the host). */
  readonly deviceSampling?: DeviceSamplingCapability;
  /** Preprocessing the classifier applies itself. */
  readonly preprocessing?: PreprocessingCapability;
  /** Why a capability is absent (e.g. "unsupported ONNX op 'LSTM' (node 'lstm1')"), shown in core's errors. */
  readonly capabilityNotes?: CapabilityNotes;
  /** Largest batch the backend accepts in one call (core splits larger batches). */
  readonly maxBatchSize?: number;
  /** How core should draw the noisy copies for this classifier on the host (default: core's generator, overlapped). */
  readonly hostSampling?: HostSamplingPlan;
  /** Releases native resources; idempotent. */
  dispose?(): void | Promise<void>;
}
