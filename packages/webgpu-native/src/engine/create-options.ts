import { z } from 'zod';
import { smoothingOptionsSchema } from '@rs/core';
import { onnxModelOptionsShape } from '@rs/onnx-graph';

const positiveInt = z.number({ error: 'must be an integer >= 1' }).refine((v) => Number.isInteger(v) && v >= 1, { error: 'must be an integer >= 1' });

/**
 * Options of `WebGpuClassifier.create` (the base model, no smoothing).
 *
 * - `model`: path to an .onnx file (URL in a browser), or its bytes.
 * - `inputShape`, `nbClasses`: read from the model when its dims are fixed; give them otherwise.
 * - `inputName` / `outputName`: default the model's first input / output.
 * - `powerPreference`: `'high-performance'` or `'low-power'` adapter; `forceFallbackAdapter`.
 * - `memoryBudget`: device bytes for one batch's activations (default 1 GiB): with the device's
 *   maxStorageBufferBindingSize, it bounds `maxBatchSize`.
 * - `gpu`: a GPU object to use instead of the environment's (navigator.gpu or Dawn for Node).
 */
export const webGpuClassifierOptionsSchema = z
  .object({
    ...onnxModelOptionsShape,
    powerPreference: z.enum(['low-power', 'high-performance'], { error: "must be 'low-power' or 'high-performance'" }).optional(),
    forceFallbackAdapter: z.boolean({ error: 'must be a boolean' }).default(false),
    memoryBudget: positiveInt.optional(),
    gpu: z
      .custom<object>((v) => typeof v === 'object' && v !== null && typeof (v as { requestAdapter?: unknown }).requestAdapter === 'function', {
        error: 'must be a GPU object (with requestAdapter)',
      })
      .optional(),
  })
  .strict();

/** Options of `WebGpuClassifier.create`. */
export type WebGpuClassifierOptions = z.input<typeof webGpuClassifierOptionsSchema>;
/** Options of `WebGpuClassifier.create` after validation and defaults. */
export type ParsedWebGpuClassifierOptions = z.output<typeof webGpuClassifierOptionsSchema>;

/**
 * Options of `WebGpuRandomizedSmoothing.create`: the base model's options plus `@rs/core`'s
 * smoothing options (`sampleSize`, `scale`, `alpha`, `clipValues`, `clipNoisy`, `seed`,
 * `channelsFirst`, `preprocessing`).
 */
export const webGpuRandomizedSmoothingOptionsSchema = webGpuClassifierOptionsSchema.extend(
  smoothingOptionsSchema.omit({ inputShape: true, nbClasses: true }).shape,
);

/** Options of `WebGpuRandomizedSmoothing.create`. */
export type WebGpuRandomizedSmoothingOptions = z.input<typeof webGpuRandomizedSmoothingOptionsSchema>;
