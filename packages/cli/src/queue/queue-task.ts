import { CliError } from '../errors.js';
import { z } from 'zod';
import { RNG_ALGORITHM, type RunSettings } from '../io/run-log.js';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex');
/** A defence as the run log records it (core's `describeDefence`): workers rebuild it with `@rs/defences`. */
const defenceRecord = z.object({ name: z.string().min(1), params: z.record(z.string(), z.unknown()) }).strict();

/**
 * The settings of a run on the queue, as a worker reads them from Redis: exactly the keys of
 * {@link RunSettings}, checked, and no others. A setting this worker does not know would change
 * the results in a way it cannot reproduce, so it refuses such a run instead of ignoring the key.
 */
export const queueSettingsSchema = z
  .object({
    command: z.enum(['certify', 'predict']),
    backend: z.string().min(1),
    modelSha256: sha256,
    data: z.object({ count: z.number().int().min(1), sha256, labelsSha256: sha256.nullable() }).strict(),
    selection: z
      .object({
        skip: z.number().int().min(1),
        max: z.number().int().min(1).nullable(),
        shard: z
          .object({ index: z.number().int().min(0), count: z.number().int().min(1) })
          .strict()
          .nullable(),
      })
      .strict(),
    sigma: z.number().positive(),
    n0: z.number().int().min(1).nullable(),
    n: z.number().int().min(1),
    alpha: z.number().gt(0).lt(0.5),
    seed: z.string().regex(/^\d{1,20}$/),
    rng: z.literal(RNG_ALGORITHM),
    noise: z.enum(['gaussian', 'uniform', 'laplace']),
    norm: z.enum(['l1', 'l2', 'linf']).nullable(),
    sound: z
      .object({ levels: z.number().int().min(1) })
      .strict()
      .nullable(),
    radiusMethod: z.enum(['one-sided', 'top-two']).nullable(),
    noiseIds: z.literal('dataset-index'),
    clip: z.tuple([z.number(), z.number()]).nullable(),
    /** Sequential certification (absent for fixed n): part of the settings, so of the run id. */
    sequential: z
      .object({
        mode: z.enum(['radius', 'budget']),
        radius: z.number().min(0).nullable(),
        tolerance: z.number().positive().nullable(),
        bound: z.enum(['clopper-pearson', 'beta-binomial-mixture']),
      })
      .strict()
      .optional(),
    preprocessingDefences: z.array(defenceRecord).optional(),
    postprocessingDefences: z.array(defenceRecord).optional(),
    clipNoisy: z.literal(true).optional(),
  })
  .strict();

/**
 * How workers run a queued certify/predict run: where the submitter's model and data were (a
 * worker may name its own copies with --model/--data/--labels; the SHA-256 check decides), and the
 * batch size (a worker may change it: it does not change the noise).
 */
export const queueTaskSchema = z
  .object({
    /** The bundled default: each worker uses its own copy of packages/cli/assets. */
    bundled: z.boolean(),
    model: z.string().min(1),
    data: z.string().min(1),
    labels: z.string().min(1).nullable(),
    split: z.enum(['test', 'train']),
    scaleUint8: z.boolean(),
    batch: z.number().int().min(1),
  })
  .strict();

/**
 * A queued run's task, parsed.
 */
export type QueueTask = z.output<typeof queueTaskSchema>;

/**
 * The settings of a queued run, parsed.
 */
export type QueueSettings = z.output<typeof queueSettingsSchema>;

/**
 * One stored result: the TSV row and the log record, as a local run writes them.
 */
export const queueResultSchema = z
  .object({
    row: z
      .object({
        idx: z.number().int().min(0),
        label: z.number().int(),
        predict: z.number().int().min(-1),
        radius: z.number().min(0).optional(),
        correct: z.union([z.literal(0), z.literal(1)]),
        time: z.string().regex(/^(\d+ days?, )?\d+:\d\d:\d\d(\.\d{6})?$/),
      })
      .strict(),
    record: z.record(z.string(), z.unknown()),
  })
  .strict();

/**
 * Checks that settings built by this version of rsmooth are ones its workers can run (a guard for
 * when RunSettings gains a key the queue schema lacks).
 */
export function settingsForQueue(settings: RunSettings): Record<string, unknown> {
  const r = queueSettingsSchema.safeParse(settings);
  if (!r.success)
    throw new CliError(`these settings cannot go on the queue: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, {
      code: 'RS_USAGE',
    });
  return settings as unknown as Record<string, unknown>;
}
