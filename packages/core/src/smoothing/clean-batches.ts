import { ClassifierContractError } from '../errors.js';
import { checkLogits } from '../sampling/noisy-batches.js';
import { preprocessor, type SmoothingConfig } from './smoothing-config.js';

/**
 * Runs `fn` over the clean (un-noised) inputs in batches of at most `batchSize`, each batch
 * preprocessed into a scratch buffer (the caller's data is never modified).
 *
 * @example
 * await forEachCleanBatch(config, data, count, 256, async (x, rows, start) => { ... });
 */
export async function forEachCleanBatch(
  config: SmoothingConfig,
  data: Float32Array,
  count: number,
  batchSize: number,
  fn: (x: Float32Array, rows: number, start: number) => void | Promise<void>,
): Promise<void> {
  const { dim, classifier } = config;
  const size = Math.min(batchSize, classifier.maxBatchSize ?? Infinity, count);
  const preprocess = preprocessor(config);
  const scratch = new Float32Array(size * dim);
  for (let start = 0; start < count; start += size) {
    const rows = Math.min(size, count - start);
    const x = scratch.subarray(0, rows * dim);
    x.set(data.subarray(start * dim, (start + rows) * dim));
    preprocess?.(x, rows);
    await fn(x, rows, start);
  }
}

/**
 * The base classifier's logits for a preprocessed batch, checked against the contract.
 *
 * @example
 * const logits = await cleanLogits(config, x, rows);
 */
export async function cleanLogits(config: SmoothingConfig, x: Float32Array, rows: number): Promise<Float32Array> {
  let logits: Float32Array;
  try {
    logits = await config.classifier.forward(x, rows);
  } catch (err) {
    throw new ClassifierContractError(`forward failed on a batch of ${rows} inputs: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
  checkLogits(logits, rows, config.classifier.nbClasses);
  return logits;
}

/**
 * Calls the classifier's `vjp` and checks its output length.
 *
 * @example
 * const g = await checkedVjp(config, x, rows, upstream);
 */
export async function checkedVjp(config: SmoothingConfig, x: Float32Array, rows: number, upstream: Float32Array): Promise<Float32Array> {
  const gradients = config.classifier.gradients!;
  let g: Float32Array;
  try {
    g = await gradients.vjp(x, rows, upstream);
  } catch (err) {
    throw new ClassifierContractError(`gradients.vjp failed on a batch of ${rows} inputs: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
  if (!(g instanceof Float32Array) || g.length !== rows * config.dim) {
    throw new ClassifierContractError(
      `gradients.vjp returned ${g instanceof Float32Array ? g.length : typeof g} values for ${rows} inputs of ${config.dim} features (expected a Float32Array of ${rows * config.dim})`,
    );
  }
  return g;
}
