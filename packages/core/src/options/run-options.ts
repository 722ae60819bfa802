import { z } from 'zod';
import { abortSignal, callback, integerAtLeast, positiveReal, realIn } from './schema-helpers.js';
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
 * Options of sequential certification (`certify(x, { n, sequential })`, `n` being the budget per
 * input): exactly one of `radius` (radius mode: decide whether each input is certifiably robust
 * at that radius, stopping as soon as it is known) or `tolerance` (budget mode: stop once the
 * rest of the budget could not raise the radius by more than this); the `bound`
 * (`'clopper-pearson'`, the default, or `'beta-binomial-mixture'` with its `prior`); the
 * `checkpoints` (a list of sample counts, or `{ first, ratio }` of a geometric schedule).
 */
export const sequentialOptionsSchema = z
  .object({
    radius: z
      .number({ error: 'must be a finite number >= 0' })
      .refine((v) => Number.isFinite(v) && v >= 0, { error: 'must be a finite number >= 0' })
      .optional(),
    tolerance: positiveReal().optional(),
    bound: z.enum(['clopper-pearson', 'beta-binomial-mixture'], { error: "must be 'clopper-pearson' or 'beta-binomial-mixture'" }).default('clopper-pearson'),
    checkpoints: z
      .union(
        [z.array(integerAtLeast(1)).min(1), z.object({ first: integerAtLeast(1).optional(), ratio: realIn(1, 1000, { open: 'low' }).optional() }).strict()],
        { error: 'must be a list of sample counts or { first, ratio }' },
      )
      .optional(),
    /** The mixture bound's prior Beta(a, b) (default a = 0.5, b = 0.1). */
    prior: z.object({ a: positiveReal(), b: positiveReal() }).strict().optional(),
  })
  .strict()
  .refine((s) => (s.radius === undefined) !== (s.tolerance === undefined), {
    error: "needs exactly one of 'radius' (radius mode) or 'tolerance' (budget mode)",
  })
  .refine((s) => s.prior === undefined || s.bound === 'beta-binomial-mixture', { error: "'prior' applies to the 'beta-binomial-mixture' bound only" });
/** Options of sequential certification. */
export type SequentialOptions = z.input<typeof sequentialOptionsSchema>;
/** Sequential options after validation (defaults filled in). */
export type ParsedSequentialOptions = z.output<typeof sequentialOptionsSchema>;

/**
 * Options of `certify(x, options)`: `n` (required, at most 2^31 - 1) samples for estimation,
 * `batchSize`, `norm` (the radius's norm, default 'l2'), `radius` (the certificate: 'one-sided' or
 * 'top-two'), and the shared run options (`inputIds`, `indexOffset`, `onProgress`, `signal`,
 * `forwardTimeoutMs`); `sequential` for anytime-valid sequential certification with `n` as the
 * budget (see `sequentialOptionsSchema`).
 */
export const certifyOptionsSchema = z
  .object({
    n: integerAtLeast(1, MAX_SAMPLES),
    /** The norm of the certified radius (default 'l2'; see `certifiedRadius` for each noise family). */
    norm: z.enum(['l1', 'l2', 'linf'], { error: "must be 'l1', 'l2' or 'linf'" }).default('l2'),
    /** 'one-sided' (default): Cohen et al.'s CERTIFY; 'top-two': the runner-up bounded too (Gaussian; see `topTwoBounds`). */
    radius: z.enum(['one-sided', 'top-two'], { error: "must be 'one-sided' or 'top-two'" }).default('one-sided'),
    ...common,
    sequential: sequentialOptionsSchema.optional(),
  })
  .strict();
/** Options of `certify`. */
export type CertifyOptions = z.input<typeof certifyOptionsSchema>;
/** Options of `certify` after validation. */
export type ParsedCertifyOptions = z.output<typeof certifyOptionsSchema>;

/**
 * Options of `predict(x, options)`: `n` (default: the classifier's `sampleSize`), `isAbstain`
 * (default true: rows of zeros where the two-sided binomial test cannot separate the top two classes).
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
 */
export const batchOptionsSchema = z.object({ batchSize: common.batchSize, ...cancellation }).strict();
/** Options of `predictLogits` and friends. */
export type BatchOptions = z.input<typeof batchOptionsSchema>;
