import { z } from 'zod';
import type { Postprocessor, Preprocessor } from '../compose/defence.js';
import { NOISE_FAMILIES } from '../noise/families.js';
import { integerAtLeast, positiveReal, realIn } from './schema-helpers.js';

/** The largest `sampleSize` (n0): class counts are 32-bit. */
const MAX_SAMPLE_SIZE = 2 ** 31 - 1;

const numberArray = z.union([
  z.array(z.number({ error: 'must hold finite numbers' })),
  z.custom<Float32Array | Float64Array>((v) => v instanceof Float32Array || v instanceof Float64Array, {
    error: 'must be a number, a number array or a Float32Array/Float64Array',
  }),
]);
const isDefence = (v: unknown) => v !== null && typeof v === 'object' && typeof (v as { apply?: unknown }).apply === 'function';
const defences = <T>() =>
  z.array(z.custom<T>(isDefence, { error: 'must hold defences (objects with apply(data, shape))' }), { error: 'must be an array of defences' });
const scalarOrArray = z.union([z.number({ error: 'must be a finite number or an array' }), numberArray]);

/**
 * A seed: a non-negative integer below 2^64, as a safe-integer `number`, a `bigint` or a decimal string.
 */
export const seedSchema = z.union(
  [
    z.number().refine((v) => Number.isSafeInteger(v) && v >= 0, { error: 'must be an integer in [0, 2^53) (use a bigint or decimal string up to 2^64 - 1)' }),
    z.bigint().refine((v) => v >= 0n && v < 1n << 64n, { error: 'must be in [0, 2^64)' }),
    z
      .string()
      .regex(/^\d{1,20}$/, { error: 'must be a decimal integer string' })
      .refine((v) => BigInt(v) < 1n << 64n, { error: 'must be below 2^64' }),
  ],
  { error: 'must be a non-negative integer (number, bigint or decimal string) below 2^64' },
);

/**
 * The options of a smoothed classifier, with ART's names camelCased
 * (`sample_size` -> `sampleSize`, `scale`, `alpha`, `clip_values`, `preprocessing`, ...).
 *
 * - `sampleSize` (n0, default 32): noisy samples used to select the top class in `certify`, and
 *   the number of samples `predict` and the smoothed gradients draw.
 * - `scale` (sigma, default 0.1): per-coordinate standard deviation of the noise, in raw input units
 *   (noise is always added before `preprocessing`, in every method).
 * - `alpha` (default 0.001): failure probability of certify / predict, in (0, 0.5).
 * - `clipValues`: `[min, max]`, each a number or a per-feature array; declares the valid input domain.
 *   Inputs outside it are rejected.
 * - `clipNoisy` (default false): clip the noisy copies to `clipValues` too. Off by default, as in
 *   Cohen et al. and ART's certify; when on, it holds in every method that draws noise.
 * - `seed`: makes every method reproducible. Without it each call draws a fresh seed from `crypto`
 *   and reports it in its result.
 * - `channelsFirst` (default true): where the channel axis is, for per-channel `preprocessing`.
 * - `preprocessing`: `[subtrahend, divisor]` (ART semantics: the model sees `(x - subtrahend) / divisor`);
 *   each a number, a per-channel array or a per-feature array.
 * - `preprocessingDefences`: ART's `preprocessing_defences`, {@link Preprocessor}s applied in order
 *   to the noisy (and clipped) inputs, before `preprocessing`, in every method; they become part of
 *   the base classifier, so the certificate covers them (e.g. `@rs/defences`' `featureSqueezing`).
 * - `postprocessingDefences`: ART's `postprocessing_defences`, {@link Postprocessor}s applied in
 *   order to the base classifier's softmax probabilities (e.g. `classLabels()`, `rounded()`).
 * - `inputShape`, `nbClasses`: optional here; when given they must match the classifier's
 *   (`inputShape`: the raw input shape, before the preprocessing defences).
 * - `noise` (default 'gaussian'): the noise family, 'gaussian', 'uniform' (on [-sqrt 3 scale,
 *   sqrt 3 scale]) or 'laplace' (scale parameter scale / sqrt 2); `scale` is the per-coordinate
 *   standard deviation in every family (rs4a's sigma). certify, predict, fit and the smoothed
 *   gradients all draw it.
 * - `sound` (default false): certify and predict in the sound mode of Voracek & Hein (ICLR 2023):
 *   inputs on the grid m / levels (`true`: levels 255, or `{ levels }`; values off the grid are
 *   refused with an `OffGridInputError`), discretized Gaussian noise sampled exactly from 64-bit
 *   integers, x + noise exact in integers, and the radius of the theorem in src/sound/sound-radius.ts.
 *   Gaussian noise only; fit and the gradients keep the float noise (training needs no soundness).
 */
export const smoothingOptionsSchema = z
  .object({
    sampleSize: integerAtLeast(1, MAX_SAMPLE_SIZE).default(32),
    scale: positiveReal().default(0.1),
    alpha: realIn(0, 0.5, { open: 'both' }).default(0.001),
    clipValues: z.tuple([scalarOrArray, scalarOrArray], { error: 'must be [min, max]' }).optional(),
    clipNoisy: z.boolean({ error: 'must be a boolean' }).default(false),
    seed: seedSchema.optional(),
    channelsFirst: z.boolean({ error: 'must be a boolean' }).default(true),
    preprocessing: z.tuple([scalarOrArray, scalarOrArray], { error: 'must be [subtrahend, divisor]' }).optional(),
    preprocessingDefences: defences<Preprocessor>().optional(),
    postprocessingDefences: defences<Postprocessor>().optional(),
    inputShape: z.array(integerAtLeast(1), { error: 'must be an array of positive integers' }).min(1, { error: 'must have at least one dimension' }).optional(),
    nbClasses: integerAtLeast(2).optional(),
    noise: z.enum(NOISE_FAMILIES, { error: "must be 'gaussian', 'uniform' or 'laplace'" }).default('gaussian'),
    sound: z
      .union([z.boolean(), z.object({ levels: integerAtLeast(1, 65535) }).strict()], { error: 'must be a boolean or { levels: integer in [1, 65535] }' })
      .default(false),
  })
  .strict();

/** Smoothing options as a user writes them (every field optional). */
export type SmoothingOptions = z.input<typeof smoothingOptionsSchema>;
/** Smoothing options after validation and defaults. */
export type ParsedSmoothingOptions = z.output<typeof smoothingOptionsSchema>;

/** The option names of {@link smoothingOptionsSchema}, for code that picks them out of a larger object. */
export const SMOOTHING_OPTION_KEYS = Object.keys(smoothingOptionsSchema.shape) as ReadonlyArray<keyof SmoothingOptions>;
