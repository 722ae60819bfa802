import { ClassifierContractError, throwIfAborted } from '../errors.js';
import { callFailure, guardedCall, yieldToEventLoop, type CallGuard } from '../sampling/guarded-call.js';
import { checkLogits } from '../sampling/noisy-batches.js';
import { preprocessor, type SmoothingConfig } from './smoothing-config.js';

/** Where a clean batch is: its index and the positions (in the call's inputs) of its rows. */
export interface CleanBatch {
  index: number;
  start: number;
}

/**
 * Runs `fn` over the clean (un-noised) inputs in batches of at most `batchSize`, each batch
 * preprocessed into a scratch buffer (the caller's data is never modified). Between batches it
 * yields to the event loop and honours `guard.signal`.
 */
export async function forEachCleanBatch(
  config: SmoothingConfig,
  data: Float32Array,
  count: number,
  batchSize: number,
  fn: (x: Float32Array, rows: number, start: number, batch: CleanBatch) => void | Promise<void>,
  guard: CallGuard = {},
): Promise<void> {
  const { dim, classifier } = config;
  const size = Math.min(batchSize, classifier.maxBatchSize ?? Infinity, count);
  const preprocess = preprocessor(config);
  const scratch = new Float32Array(size * dim);
  throwIfAborted(guard.signal);
  for (let start = 0, index = 0; start < count; start += size, index++) {
    if (index > 0) {
      await yieldToEventLoop();
      throwIfAborted(guard.signal);
    }
    const rows = Math.min(size, count - start);
    const x = scratch.subarray(0, rows * dim);
    x.set(data.subarray(start * dim, (start + rows) * dim));
    preprocess?.(x, rows);
    await fn(x, rows, start, { index, start });
  }
}

function positions(start: number, rows: number): number[] {
  return Array.from({ length: rows }, (_, i) => start + i);
}

/**
 * The base classifier's logits for a preprocessed batch, checked against the contract; the call is
 * raced against `guard` (abort, timeout).
 */
export async function cleanLogits(config: SmoothingConfig, x: Float32Array, rows: number, guard: CallGuard = {}, at?: CleanBatch): Promise<Float32Array> {
  let logits: Float32Array;
  try {
    logits = await guardedCall(() => config.classifier.forward(x, rows), guard, {
      call: 'forward',
      batch: at?.index ?? 0,
      rows,
      inputIds: positions(at?.start ?? 0, rows),
    });
  } catch (err) {
    throw callFailure(err, `forward failed on a batch of ${rows} inputs`);
  }
  checkLogits(logits, rows, config.classifier.nbClasses);
  return logits;
}

/**
 * Calls the classifier's `vjp` (raced against `guard`) and checks its output length.
 */
export async function checkedVjp(
  config: SmoothingConfig,
  x: Float32Array,
  rows: number,
  upstream: Float32Array,
  guard: CallGuard = {},
  at?: { index: number; inputIds: readonly number[] },
): Promise<Float32Array> {
  const gradients = config.classifier.gradients!;
  let g: Float32Array;
  try {
    g = await guardedCall(() => gradients.vjp(x, rows, upstream), guard, {
      call: 'gradients.vjp',
      batch: at?.index ?? 0,
      rows,
      inputIds: at?.inputIds ?? positions(0, rows),
    });
  } catch (err) {
    throw callFailure(err, `gradients.vjp failed on a batch of ${rows} inputs`);
  }
  if (!(g instanceof Float32Array) || g.length !== rows * config.dim) {
    throw new ClassifierContractError(
      `gradients.vjp returned ${g instanceof Float32Array ? g.length : typeof g} values for ${rows} inputs of ${config.dim} features (expected a Float32Array of ${rows * config.dim})`,
    );
  }
  return g;
}
