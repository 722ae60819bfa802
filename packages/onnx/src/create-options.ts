import { z } from 'zod';
import { integerAtLeast, smoothingOptionsSchema } from '@rs/core';
import { onnxModelOptionsShape } from '@rs/onnx-graph';

const positiveInt = integerAtLeast(1);
const nonNegativeInt = integerAtLeast(0);

/**
 * Options of `OnnxClassifier.create` (the base model, no smoothing).
 *
 * - `model`: path to an .onnx file, or its bytes.
 * - `inputShape`, `nbClasses`: read from the model when its input/output dims are fixed; give them
 *   when the model leaves them symbolic (a mismatch with the model is an error).
 * - `inputName` / `outputName`: default the model's first input / output.
 * - `deviceType`: `'cpu'` (default) or `'gpu'` (ONNX Runtime's CUDA execution provider, present when
 *   onnxruntime-node was installed with `ONNXRUNTIME_NODE_INSTALL=cuda12`). With `'gpu'` and no CUDA
 *   provider, `create` fails with an error that says how to install it, unless `gpuFallback: 'cpu'`,
 *   which logs a warning (through `onWarning`, default `console.warn`) and uses the CPU.
 * - `intraOpNumThreads` (default: ONNX Runtime's choice, all cores), `interOpNumThreads`, `deviceId`.
 * - `intraOpSpinning` (default false): let ONNX Runtime's threads busy-wait between runs; off, they
 *   leave the cores to the noise generator between runs (measured +7% certify throughput on 2 cores).
 * - `noiseThreads` (default `'auto'`): threads that draw the noisy copies (see `host-sampling.ts`). On the
 *   CPU provider with ONNX Runtime on every core, `'auto'` draws each batch between two runs over as many
 *   threads as ONNX Runtime uses (at most 8), so the two never fight over cores; with a GPU it draws the
 *   next batch while the current one runs. `1`: core's single-thread generator. The noise is the same.
 * - `output` (default `'logits'`): `'logits'` requires a `[batch, nbClasses]` output; `'any'` takes
 *   an output of any shape (an image-to-image model such as a denoiser, for `compose(denoiser,
 *   classifier)`): the classifier then has `outputShape`, and `nbClasses` is the number of values
 *   per output. Such a model has `gradients`, and `training` whose loss head sees its outputs
 *   (e.g. `@rs/core`'s `trainDenoiser`: MSE or Salman et al.'s stability objective).
 * - `requireGradients` (default false): fail at load when the graph has an op outside the
 *   differentiable set (the error names the op and node); otherwise such a model still runs
 *   forward, with the `gradients` and `training` capabilities declared false and the reason in
 *   `capabilityNotes`.
 */
export const onnxClassifierOptionsSchema = z
  .object({
    ...onnxModelOptionsShape,
    deviceType: z.enum(['cpu', 'gpu'], { error: "must be 'cpu' or 'gpu'" }).default('cpu'),
    gpuFallback: z.enum(['error', 'cpu'], { error: "must be 'error' or 'cpu'" }).default('error'),
    deviceId: nonNegativeInt.default(0),
    intraOpNumThreads: positiveInt.optional(),
    interOpNumThreads: positiveInt.optional(),
    intraOpSpinning: z.boolean({ error: 'must be a boolean' }).default(false),
    noiseThreads: z.union([z.literal('auto'), integerAtLeast(1)], { error: "must be 'auto' or a positive integer" }).default('auto'),
    requireGradients: z.boolean({ error: 'must be a boolean' }).default(false),
    output: z.enum(['logits', 'any'], { error: "must be 'logits' or 'any'" }).default('logits'),
    onWarning: z.custom<(message: string) => void>((v) => typeof v === 'function', { error: 'must be a function' }).optional(),
  })
  .strict();

/** Options of `OnnxClassifier.create`. */
export type OnnxClassifierOptions = z.input<typeof onnxClassifierOptionsSchema>;
/** Options of `OnnxClassifier.create` after validation and defaults. */
export type ParsedOnnxClassifierOptions = z.output<typeof onnxClassifierOptionsSchema>;

/**
 * Options of `OnnxRandomizedSmoothing.create`: the base model's options plus the smoothing options
 * of `@rs/core` (`sampleSize`, `scale`, `alpha`, `clipValues`, `clipNoisy`, `seed`, `channelsFirst`,
 * `preprocessing`).
 */
export const onnxRandomizedSmoothingOptionsSchema = onnxClassifierOptionsSchema.extend(
  smoothingOptionsSchema.omit({ inputShape: true, nbClasses: true }).shape,
);

/** Options of `OnnxRandomizedSmoothing.create`. */
export type OnnxRandomizedSmoothingOptions = z.input<typeof onnxRandomizedSmoothingOptionsSchema>;
