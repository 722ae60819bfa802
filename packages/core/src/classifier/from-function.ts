import { z } from 'zod';
import { parseOptions } from '../options/parse-options.js';
import { callback, integerAtLeast } from '../options/schema-helpers.js';
import type { Classifier } from './classifier.js';

const fromFunctionSchema = z
  .object({
    inputShape: z.array(integerAtLeast(1), { error: 'must be an array of positive integers' }).min(1, { error: 'must have at least one dimension' }),
    nbClasses: integerAtLeast(2),
    predict: callback<(x: Float32Array, batch: number) => Float32Array | Promise<Float32Array>>(),
    vjp: callback<(x: Float32Array, batch: number, upstream: Float32Array) => Float32Array | Promise<Float32Array>>().optional(),
    maxBatchSize: integerAtLeast(1).optional(),
  })
  .strict();

/** Arguments of {@link fromFunction}. */
export type FromFunctionOptions = z.input<typeof fromFunctionSchema>;

/**
 * Makes a {@link Classifier} from a plain function: custom models, models in other runtimes, tests.
 * `predict(x, batch)` receives `batch` inputs back to back and returns `batch * nbClasses` logits
 * (or a promise of them). Give `vjp` as well for the `gradients` capability.
 *
 * @example
 * const f = fromFunction({
 *   inputShape: [2], nbClasses: 2,
 *   predict: (x, batch) => {
 *     const out = new Float32Array(batch * 2);
 *     for (let i = 0; i < batch; i++) out[2 * i + 1] = x[2 * i] + x[2 * i + 1] - 1;
 *     return out;
 *   },
 * });
 * const g = smooth(f, { scale: 0.5, seed: 1 });
 * const { prediction, radius } = await g.certify(new Float32Array([1, 1]), { n: 1000 });
 */
export function fromFunction(options: FromFunctionOptions): Classifier {
  const o = parseOptions(fromFunctionSchema, options, 'fromFunction');
  const vjp = o.vjp;
  return {
    inputShape: Object.freeze([...o.inputShape]),
    nbClasses: o.nbClasses,
    forward: o.predict,
    ...(vjp ? { gradients: { vjp } } : {}),
    ...(o.maxBatchSize !== undefined ? { maxBatchSize: o.maxBatchSize } : {}),
  };
}
