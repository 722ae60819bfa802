import { integerAtLeast, positiveReal, realIn, SEQUENTIAL_BOUNDS } from '@rs/core';
import { z } from 'zod';

/**
 * zod schemas of the JSON Lines log: the settings line and the per-row records. Objects are
 * "loose": fields a later version adds are kept (and compared between runs), the fields this version
 * reads are checked. Every count, index and probability is bounded, so a log edited to say
 * `"skip": 0` or `"count": 1e15` is a named error, not an endless loop or a V8 fatal.
 */

const U32 = 2 ** 32 - 1;
const MAX_SAMPLES = 2 ** 31 - 1;
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be a SHA-256 in hex' });
const finite = z.number({ error: 'must be a finite number' }).refine(Number.isFinite, { error: 'must be a finite number' });
const nonNegative = finite.refine((v) => v >= 0, { error: 'must be a finite number >= 0' });
const probability = realIn(0, 1, { open: 'none' });
const classIndex = integerAtLeast(0, 2 ** 31 - 1);
const counts = z.array(integerAtLeast(0, MAX_SAMPLES), { error: 'must be an array of counts' }).max(1_000_000);

/**
 * The settings that decide a run's rows (see `RunSettings`), as written on the log's first line.
 */
export const runSettingsSchema = z.looseObject({
  command: z.enum(['certify', 'predict'], { error: "must be 'certify' or 'predict'" }),
  backend: z.string().min(1),
  modelSha256: sha256,
  data: z.looseObject({ count: integerAtLeast(1, U32), sha256, labelsSha256: sha256.nullable() }),
  selection: z.looseObject({
    skip: integerAtLeast(1, U32),
    max: integerAtLeast(1, U32).nullable(),
    shard: z
      .object({ index: integerAtLeast(0, U32), count: integerAtLeast(1, U32) })
      .strict()
      .refine((s) => s.index < s.count, { error: 'must have index < count' })
      .nullable(),
  }),
  sigma: positiveReal(),
  n0: integerAtLeast(1, MAX_SAMPLES).nullable(),
  n: integerAtLeast(1, MAX_SAMPLES),
  alpha: realIn(0, 0.5, { open: 'both' }),
  seed: z
    .string()
    .regex(/^\d{1,20}$/, { error: 'must be a decimal integer string' })
    .refine((s) => BigInt(s) < 1n << 64n, { error: 'must be below 2^64' }),
  rng: z.literal('philox4x32-10'),
  noiseIds: z.literal('dataset-index'),
  clip: z
    .tuple([finite, finite])
    .refine(([lo, hi]) => lo < hi, { error: 'must be [min, max] with min < max' })
    .nullable(),
  /** Sequential certification (absent for fixed n). */
  sequential: z
    .object({
      mode: z.enum(['radius', 'budget']),
      radius: nonNegative.nullable(),
      tolerance: positiveReal().nullable(),
      bound: z.enum(SEQUENTIAL_BOUNDS),
    })
    .strict()
    .refine((s) => (s.mode === 'radius' ? s.radius !== null && s.tolerance === null : s.tolerance !== null && s.radius === null), {
      error: "must give the radius in 'radius' mode and the tolerance in 'budget' mode, and not the other",
    })
    .optional(),
});

/**
 * The log's first line.
 */
export const settingsLineSchema = z.looseObject({
  type: z.literal('settings'),
  format: z.literal('rsmooth-log/1'),
  settings: runSettingsSchema,
  info: z.record(z.string(), z.unknown()).optional(),
});

const recordCommon = {
  idx: integerAtLeast(0, U32),
  label: classIndex,
  prediction: integerAtLeast(-1, 2 ** 31 - 1),
  correct: z.union([z.literal(0), z.literal(1)], { error: 'must be 0 or 1' }),
  n: integerAtLeast(1, MAX_SAMPLES),
  alpha: realIn(0, 0.5, { open: 'both' }),
  sigma: positiveReal(),
  seed: z.string(),
  rng: z.string(),
  noiseId: integerAtLeast(0, U32),
};

/**
 * One certify row's record (`type: 'certificate'`): the counts and bounds the row follows from.
 */
export const certificateRecordSchema = z.looseObject({
  type: z.literal('certificate'),
  ...recordCommon,
  radius: nonNegative,
  pALower: probability,
  selected: classIndex,
  nA: integerAtLeast(0, MAX_SAMPLES),
  n0: integerAtLeast(1, MAX_SAMPLES),
  selectionCounts: counts.nullable(),
  estimationCounts: counts,
  /** Written since radii in other norms exist (older records: 'l2', 'one-sided', float mode). */
  norm: z.enum(['l1', 'l2', 'linf']).optional(),
  radiusMethod: z.enum(['one-sided', 'top-two']).optional(),
  dim: integerAtLeast(1, 2 ** 30).optional(),
  sound: z.looseObject({ levels: integerAtLeast(1, 65535), tvBound: z.number().min(0).max(1) }).optional(),
  /** Estimation samples the certificate used (`n` for fixed n; written since sequential certification). */
  samplesUsed: integerAtLeast(1, MAX_SAMPLES).optional(),
  bound: z.enum(SEQUENTIAL_BOUNDS).optional(),
  /** Sequential runs: the mode and target, why the input stopped, the upper bound, and the hits at each checkpoint it passed. */
  sequential: z
    .looseObject({
      mode: z.enum(['radius', 'budget']),
      radius: nonNegative.nullable(),
      tolerance: positiveReal().nullable(),
      stopReason: z.enum(['certified', 'futile', 'abstain', 'converged', 'budget']),
      pAUpper: probability,
      checkpointHits: counts.min(1).max(10_000),
    })
    .optional(),
});

/**
 * One predict row's record (`type: 'prediction'`): every class count and the test's p-value.
 */
export const predictionRecordSchema = z.looseObject({
  type: z.literal('prediction'),
  ...recordCommon,
  counts,
  pValue: probability,
});

/** A parsed certify record. */
export type CertificateRecord = z.output<typeof certificateRecordSchema>;
/** A parsed predict record. */
export type PredictionRecord = z.output<typeof predictionRecordSchema>;

/**
 * The schema of each record `type` this version reads; records of other types are kept unchecked
 * (a later version's), and a row that needs one is refused by the verifier.
 */
export const RECORD_SCHEMAS: ReadonlyMap<string, z.ZodType> = new Map<string, z.ZodType>([
  ['certificate', certificateRecordSchema],
  ['prediction', predictionRecordSchema],
]);

/**
 * The first problem zod found, as `path message, got value` (e.g. `settings.selection.skip must be
 * an integer >= 1, got 0`).
 */
export function describeIssue(error: z.ZodError, value: unknown): string {
  const issue = error.issues[0]!;
  let got: unknown = value;
  for (const key of issue.path)
    got = got !== null && typeof got === 'object' && Object.hasOwn(got, key) ? (got as Record<PropertyKey, unknown>)[key] : undefined;
  const where = issue.path.map(String).join('.');
  const shown = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 60);
  return `${where ? `${where} ` : ''}${issue.message}, got ${shown}`;
}
