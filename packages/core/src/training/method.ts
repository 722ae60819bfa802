import { RsRangeError } from '../errors.js';
import type { CapabilityName, LossHead } from '../classifier/classifier.js';
import { requireCapability } from '../classifier/capabilities.js';
import type { SmoothingConfig } from '../smoothing/smoothing-config.js';

/** The training methods of `fit`. */
export type TrainingMethodName = 'gaussian' | 'macer' | 'smoothAdv' | 'smoothMix' | 'consistency';

/**
 * One batch as a training method receives it: clean inputs in raw input space, their labels and
 * their noise ids (the example's index in the data set, or its position in the epoch for
 * `fitGenerator`), the epoch (the noise's sample index, warm-ups) and the call's seed.
 */
export interface MethodBatch {
  config: SmoothingConfig;
  seed: bigint;
  epoch: number;
  /** `count` clean inputs, raw input space, back to back. */
  x: Float32Array;
  count: number;
  labels: Int32Array;
  /** Noise id of each example (Philox counter word c2). */
  ids: ArrayLike<number>;
  signal?: AbortSignal | undefined;
}

/** What a method hands the training capability for one step: preprocessed noisy rows and the loss over their logits. */
export interface PreparedBatch {
  /** `rows * dim` preprocessed inputs. */
  x: Float32Array;
  rows: number;
  head: LossHead;
}

/**
 * A training method of core: given a batch, it draws the noise (and runs an attack, for the
 * adversarial methods) and returns the rows of the optimizer step with the loss head over their
 * logits. The same object serves `fit`, `fitGenerator` and `computeLoss`.
 *
 * @example
 * const method = trainingMethod({ method: 'macer', gaussianSamples: 16 });
 * const { x, rows, head } = await method.prepare({ config, seed, epoch: 0, x: clean, count: 64, labels, ids });
 */
export interface TrainingMethod {
  readonly name: TrainingMethodName;
  /** The method's settings after defaults (recorded in logs and `FitResult`). */
  readonly settings: Readonly<Record<string, number | string | boolean | null>>;
  /** Rows of the step per example (e.g. MACER's `gaussianSamples`; SmoothMix: 2 m). */
  readonly rowsPerExample: number;
  /** Noisy samples drawn per example in an epoch (the noise's sample index is `epoch * samplesPerEpoch + copy`). */
  readonly samplesPerEpoch: number;
  /** Capabilities the method needs besides `training` (the attacks need `gradients`). */
  readonly needs: readonly CapabilityName[];
  /** The names of the loss terms its head reports, in display order. */
  readonly terms: readonly string[];
  prepare(batch: MethodBatch): Promise<PreparedBatch>;
}

/**
 * Checks that the classifier and the smoothing options suit `method` (the call is `fit` or
 * `computeLoss`): the capabilities it needs, and Gaussian noise for every method but Gaussian
 * augmentation (MACER's radius term, the attacks' soft classifier and the papers assume it; Gaussian
 * augmentation draws whichever family `noise` names). Throws naming the problem.
 */
export function checkMethod(method: TrainingMethod, config: SmoothingConfig, call: string): void {
  for (const need of method.needs) requireCapability(config.classifier, need, `${call} with method '${method.name}'`);
  if (method.name !== 'gaussian' && config.options.noise !== 'gaussian') {
    throw new RsRangeError(
      'RS_INVALID_ARG_VALUE',
      `${call} with method '${method.name}' needs Gaussian noise; the smoothing option 'noise' is '${config.options.noise}' (use method 'gaussian' to train with it)`,
    );
  }
}
