import { z } from 'zod';
import { abortSignal, callback, integerAtLeast } from './schema-helpers.js';
import type { Progress } from '../sampling/progress.js';

const ids = z.union([
  z.array(integerAtLeast(0)),
  z.custom<Int32Array | Uint32Array>((v) => v instanceof Int32Array || v instanceof Uint32Array, {
    error: 'must be an Int32Array, Uint32Array or array of integers',
  }),
]);

/**
 * The largest `n` (and `sampleSize`): class counts are 32-bit, so n >= 2^31 is refused up front
 * rather than overflowing after hours of sampling.
 */
export const MAX_SAMPLES = 2 ** 31 - 1;

/** What may stop a run: an `AbortSignal`, and a limit on how long one classifier call may take. */
const cancellation = {
  signal: abortSignal().optional(),
  /**
   * Milliseconds one classifier call (a forward, a vjp, a training step) may take; a call that does
   * not settle by then ends the run with a `ForwardTimeoutError` naming the batch and the input ids.
   */
  forwardTimeoutMs: integerAtLeast(1, 2 ** 31 - 1).optional(),
};

const common = {
  /** Noisy samples per model call (the memory bound: two buffers of batchSize inputs). */
  batchSize: integerAtLeast(1).default(128),
  /** Noise stream identity of each input (default 0..K-1, offset by `indexOffset`). */
  inputIds: ids.optional(),
  /** Added to the default input ids: a shard starting at dataset row 5000 passes 5000. */
  indexOffset: integerAtLeast(0).default(0),
  onProgress: callback<(p: Progress) => void>().optional(),
  ...cancellation,
};

/**
 * Options of `certify(x, options)`: `n` (required, at most 2^31 - 1) samples for estimation,
 * `batchSize`, `norm` (the radius's norm, default 'l2'), `radius` (the certificate: 'one-sided' or
 * 'top-two'), and the shared run options (`inputIds`, `indexOffset`, `onProgress`, `signal`,
 * `forwardTimeoutMs`).
 *
 * @example
 * parseOptions(certifyOptionsSchema, { n: 10_000, batchSize: 1000 }, 'certify options');
 */
export const certifyOptionsSchema = z
  .object({
    n: integerAtLeast(1, MAX_SAMPLES),
    /** The norm of the certified radius (default 'l2'; see `certifiedRadius` for each noise family). */
    norm: z.enum(['l1', 'l2', 'linf'], { error: "must be 'l1', 'l2' or 'linf'" }).default('l2'),
    /** 'one-sided' (default): Cohen et al.'s CERTIFY; 'top-two': the runner-up bounded too (Gaussian; see `topTwoBounds`). */
    radius: z.enum(['one-sided', 'top-two'], { error: "must be 'one-sided' or 'top-two'" }).default('one-sided'),
    ...common,
  })
  .strict();
/** Options of `certify`. */
export type CertifyOptions = z.input<typeof certifyOptionsSchema>;

/**
 * Options of `predict(x, options)`: `n` (default: the classifier's `sampleSize`), `isAbstain`
 * (default true: rows of zeros where the two-sided binomial test cannot separate the top two classes).
 *
 * @example
 * parseOptions(predictOptionsSchema, { batchSize: 64, isAbstain: false }, 'predict options');
 */
export const predictOptionsSchema = z
  .object({ n: integerAtLeast(1, MAX_SAMPLES).optional(), isAbstain: z.boolean({ error: 'must be a boolean' }).default(true), ...common })
  .strict();
/** Options of `predict`. */
export type PredictOptions = z.input<typeof predictOptionsSchema>;

export {
  fitOptionsSchema,
  fitGeneratorOptionsSchema,
  type FitOptions,
  type FitGeneratorOptions,
} from '../training/fit-options.js';

/**
 * Options of the gradient methods: `sampling` (ART's smoothed loss gradient over `sampleSize`
 * noisy copies when true), `batchSize`, `inputIds`, `indexOffset`, `signal`, `forwardTimeoutMs`.
 *
 * @example
 * parseOptions(gradientOptionsSchema, { sampling: true }, 'lossGradient options');
 */
export const gradientOptionsSchema = z
  .object({
    sampling: z.boolean({ error: 'must be a boolean' }).default(false),
    batchSize: common.batchSize,
    inputIds: common.inputIds,
    indexOffset: common.indexOffset,
    ...cancellation,
  })
  .strict();
/** Options of `lossGradient` / `classGradient`. */
export type GradientOptions = z.input<typeof gradientOptionsSchema>;

/**
 * Options of the unsmoothed batched methods (`predictLogits`, `computeLoss`, `getActivations`):
 * `batchSize`, `signal`, `forwardTimeoutMs`.
 *
 * @example
 * parseOptions(batchOptionsSchema, { batchSize: 256 }, 'predictLogits options');
 */
export const batchOptionsSchema = z.object({ batchSize: common.batchSize, ...cancellation }).strict();
/** Options of `predictLogits` and friends. */
export type BatchOptions = z.input<typeof batchOptionsSchema>;
