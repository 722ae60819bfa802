import { RsTypeError } from '../errors.js';
import { z } from 'zod';
import { parseOptions } from '../options/parse-options.js';
import { abortSignal, callback, integerAtLeast, positiveReal } from '../options/schema-helpers.js';
import type { Progress } from '../sampling/progress.js';
import { consistencyMethod, consistencyOptionsShape } from './consistency.js';
import { gaussianMethod, gaussianOptionsShape } from './gaussian.js';
import { learningRateScheduleSchema } from './learning-rate.js';
import { macerMethod, macerOptionsShape } from './macer.js';
import type { TrainingMethod, TrainingMethodName } from './method.js';
import { smoothAdvMethod, smoothAdvOptionsShape } from './smooth-adv.js';
import { smoothMixMethod, smoothMixOptionsShape } from './smooth-mix.js';

/** Each method's own options (its `method` literal and settings with defaults). */
const METHOD_SHAPES = {
  gaussian: gaussianOptionsShape,
  macer: macerOptionsShape,
  smoothAdv: smoothAdvOptionsShape,
  smoothMix: smoothMixOptionsShape,
  consistency: consistencyOptionsShape,
} as const;

/** The training methods, in documentation order. */
export const TRAINING_METHODS: readonly TrainingMethodName[] = Object.freeze(['gaussian', 'macer', 'smoothAdv', 'smoothMix', 'consistency']);

const METHOD_ERROR = `must be one of ${TRAINING_METHODS.map((m) => `'${m}'`).join(', ')}`;

/** The options every method's `fit` shares. */
const trainingShape = {
  batchSize: integerAtLeast(1).default(128),
  nbEpochs: integerAtLeast(1).default(10),
  shuffle: z.boolean({ error: 'must be a boolean' }).default(true),
  optimizer: z.enum(['sgd', 'adam'], { error: "must be 'sgd' or 'adam'" }).default('adam'),
  learningRate: positiveReal().default(1e-3),
  learningRateSchedule: learningRateScheduleSchema.default('constant'),
  /** Epoch number of the first epoch (its noise, warm-ups and schedule); a resumed fit passes the epochs already done. */
  initialEpoch: integerAtLeast(0).default(0),
  onProgress: callback<(p: Progress) => void>().optional(),
  signal: abortSignal().optional(),
  /** Milliseconds one training step may take; a step that does not settle by then ends the fit with a `ForwardTimeoutError`. */
  forwardTimeoutMs: integerAtLeast(1, 2 ** 31 - 1).optional(),
};

function union<E extends Record<string, z.ZodType>>(extra: E) {
  return z.discriminatedUnion(
    'method',
    [
      z.object({ ...extra, ...METHOD_SHAPES.gaussian }).strict(),
      z.object({ ...extra, ...METHOD_SHAPES.macer }).strict(),
      z.object({ ...extra, ...METHOD_SHAPES.smoothAdv }).strict(),
      z.object({ ...extra, ...METHOD_SHAPES.smoothMix }).strict(),
      z.object({ ...extra, ...METHOD_SHAPES.consistency }).strict(),
    ],
    { error: METHOD_ERROR },
  );
}

/**
 * Options of `fit(x, y, options)`: `method` (default `'gaussian'`) with that method's own options
 * (see each method's shape: MACER `gaussianSamples` / `beta` / `gamma` / `lambda` / `deferEpochs`; SmoothAdv
 * `epsilon` / `numNoiseVec` / `numSteps` / `warmup` / `attack`; SmoothMix `eta` / `numNoiseVec` /
 * `numSteps` / `warmup` / `mixStep` / `stepSize` / `maxnormS` / `maxnorm`; Consistency
 * `numNoiseVec` / `lambda` / `eta`), and the shared `batchSize` (inputs per step; a step runs
 * their noisy copies), `nbEpochs`, `shuffle`, `optimizer`, `learningRate`, `learningRateSchedule`,
 * `initialEpoch`, `onProgress`, `signal`.
 */
export const fitOptionsSchema = union(trainingShape);
/** Options of `fit`. */
export type FitOptions = z.input<typeof fitOptionsSchema>;
/** Options of `fit` after validation and defaults. */
export type ParsedFitOptions = z.output<typeof fitOptionsSchema>;

const { batchSize: _b, shuffle: _s, ...generatorShape } = trainingShape;
/**
 * Options of `fitGenerator`: `fit`'s without `batchSize` and `shuffle` (the source decides both).
 */
export const fitGeneratorOptionsSchema = union(generatorShape);
/** Options of `fitGenerator`. */
export type FitGeneratorOptions = z.input<typeof fitGeneratorOptionsSchema>;

/**
 * Options of `computeLoss(x, y, { method, ... })`: the method and its options, `epoch` (default 0:
 * the noise, warm-ups), `batchSize` (inputs per model pass, default 128), `indexOffset` / `inputIds`
 * (noise ids; default 0..K-1, as `fit` with `shuffle: false` uses them).
 */
export const methodLossOptionsSchema = union({
  epoch: integerAtLeast(0).default(0),
  batchSize: integerAtLeast(1).default(128),
  indexOffset: integerAtLeast(0).default(0),
  inputIds: z
    .union([z.array(integerAtLeast(0)), z.custom<Int32Array | Uint32Array>((v) => v instanceof Int32Array || v instanceof Uint32Array)], {
      error: 'must be an Int32Array, Uint32Array or array of integers',
    })
    .optional(),
});

/** Options of `computeLoss` with a training method (`method` is required there: without it, `computeLoss` is ART's cross-entropy). */
export type MethodLossOptions = z.input<typeof methodLossOptionsSchema> & { method: TrainingMethodName };

/**
 * Validates options against `schema`; an unknown option names the method whose options were read.
 *
 * @example
 * const o = parseTrainingOptions(fitOptionsSchema, { method: 'macer', beta: 8 }, 'fit options');
 */
export function parseTrainingOptions<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  try {
    return parseOptions(schema, value, what);
  } catch (err) {
    const method = (value as { method?: unknown } | undefined)?.method ?? 'gaussian';
    if (err instanceof TypeError && /unknown option/.test(err.message) && typeof method === 'string' && method in METHOD_SHAPES) {
      const own = Object.keys(METHOD_SHAPES[method as TrainingMethodName]).filter((k) => k !== 'method');
      throw new RsTypeError('RS_UNKNOWN_OPTION', `${err.message} for method '${method}' (its own options: ${own.length ? own.join(', ') : 'none'})`, {
        cause: err,
      });
    }
    throw err;
  }
}

/**
 * The training method an options object selects, built from its parsed settings.
 *
 * @example
 * const method = trainingMethod(parseTrainingOptions(fitOptionsSchema, { method: 'consistency' }, 'fit options'));
 */
export function trainingMethod(o: { method: TrainingMethodName } & Record<string, unknown>): TrainingMethod {
  const pick = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, o[k]])) as Record<K, never>;
  switch (o.method) {
    case 'gaussian':
      return gaussianMethod();
    case 'macer':
      return macerMethod(pick(['gaussianSamples', 'beta', 'gamma', 'lambda', 'deferEpochs']));
    case 'smoothAdv':
      return smoothAdvMethod(pick(['epsilon', 'numNoiseVec', 'numSteps', 'warmup', 'attack', 'ddnGamma', 'ddnLevels']));
    case 'smoothMix':
      return smoothMixMethod(pick(['eta', 'numNoiseVec', 'numSteps', 'warmup', 'mixStep', 'stepSize', 'maxnormS', 'maxnorm']));
    case 'consistency':
      return consistencyMethod(pick(['numNoiseVec', 'lambda', 'eta']));
  }
}
