import { z } from 'zod';
import { smoothingOptionsSchema } from '@rs/core';
import type * as tf from '@tensorflow/tfjs';
import { isGraphModel, isLayersModel } from './load-model.js';
import type { TfjsLossObject, TfjsTrainStep } from './trainer.js';

const modelSource = z.union(
  [
    z.string().min(1, { error: 'must be a non-empty path' }),
    z.custom<tf.LayersModel>((v) => isLayersModel(v)),
    z.custom<tf.GraphModel>((v) => isGraphModel(v)),
  ],
  { error: 'must be a tf.LayersModel, a tf.GraphModel or the path of a TF.js model.json' },
);

const positiveInt = z.number({ error: 'must be an integer >= 1' }).refine((v) => Number.isInteger(v) && v >= 1, { error: 'must be an integer >= 1' });
const fn = <T>() => z.custom<T>((v) => typeof v === 'function', { error: 'must be a function' });

/**
 * Options of `TfjsClassifier.create` (the base model, no smoothing).
 *
 * - `model`: a `tf.LayersModel`, a `tf.GraphModel`, or the path of a TF.js `model.json` (layers or
 *   graph format; or its directory), read from disk without `@tensorflow/tfjs-node`. A model object
 *   stays the caller's (`dispose` leaves it); a model loaded from a path is disposed with the classifier.
 *   The model must output logits `[batch, nbClasses]` (no final softmax).
 * - `inputShape` (one input, no batch dim; NHWC images are `[H, W, C]`), `nbClasses`: read from the
 *   model when it declares them; a mismatch with the model is an error.
 * - `backend`: `'auto'` (default: tfjs-node-gpu, tfjs-node, wasm, cpu), `'tensorflow'`, `'wasm'` or `'cpu'`.
 * - `deviceType`: `'gpu'` needs `@tensorflow/tfjs-node-gpu` (an error with the install line, unless
 *   `gpuFallback: 'cpu'`, which warns through `onWarning` and takes the best CPU backend); `'cpu'`
 *   never takes the GPU build.
 * - ART's TensorFlow training names, camelCased: `lossObject`, `optimizer` (a `tf.Optimizer`, used
 *   instead of `fit`'s `optimizer` / `learningRate`), `trainStep`.
 */
export const tfjsClassifierOptionsSchema = z
  .object({
    model: modelSource,
    inputShape: z.array(positiveInt).min(1, { error: 'must have at least one dimension' }).optional(),
    nbClasses: z
      .number()
      .refine((v) => Number.isInteger(v) && v >= 2, { error: 'must be an integer >= 2' })
      .optional(),
    backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu'], { error: "must be 'auto', 'tensorflow', 'wasm' or 'cpu'" }).default('auto'),
    deviceType: z.enum(['cpu', 'gpu'], { error: "must be 'cpu' or 'gpu'" }).optional(),
    gpuFallback: z.enum(['error', 'cpu'], { error: "must be 'error' or 'cpu'" }).default('error'),
    onWarning: fn<(message: string) => void>().optional(),
    lossObject: fn<TfjsLossObject>().optional(),
    optimizer: z
      .custom<tf.Optimizer>((v) => v !== null && typeof v === 'object' && typeof (v as tf.Optimizer).minimize === 'function', {
        error: 'must be a tf.Optimizer',
      })
      .optional(),
    trainStep: fn<TfjsTrainStep>().optional(),
  })
  .strict();

/** Options of `TfjsClassifier.create`. @example const o: TfjsClassifierOptions = { model: 'cnn/model.json', backend: 'wasm' }; */
export type TfjsClassifierOptions = z.input<typeof tfjsClassifierOptionsSchema>;
/** Options of `TfjsClassifier.create` after validation and defaults. */
export type ParsedTfjsClassifierOptions = z.output<typeof tfjsClassifierOptionsSchema>;

/**
 * Options of `TfjsRandomizedSmoothing.create`: the base model's options plus `@rs/core`'s smoothing
 * options (`sampleSize`, `scale`, `alpha`, `clipValues`, `clipNoisy`, `seed`, `channelsFirst`,
 * `preprocessing`). `channelsFirst` defaults to false here (TensorFlow's NHWC).
 */
export const tfjsRandomizedSmoothingOptionsSchema = tfjsClassifierOptionsSchema.extend(
  smoothingOptionsSchema.omit({ inputShape: true, nbClasses: true }).shape,
);

/** Options of `TfjsRandomizedSmoothing.create`. @example const o: TfjsRandomizedSmoothingOptions = { model: 'cnn', scale: 0.25 }; */
export type TfjsRandomizedSmoothingOptions = z.input<typeof tfjsRandomizedSmoothingOptionsSchema>;
