import { RsRangeError } from '../errors.js';
import { toInputBatch, toLabels } from '../input/input-batch.js';
import { batchOptionsSchema, type BatchOptions } from '../options/run-options.js';
import { parseOptions } from '../options/parse-options.js';
import { cleanLogits, forEachCleanBatch } from './clean-batches.js';
import type { SmoothingConfig } from './smoothing-config.js';
import { crossEntropyRow } from './softmax.js';

/**
 * The base classifier's logits (unsmoothed), `nbInputs * nbClasses`, preprocessing applied.
 */
export async function predictLogits(config: SmoothingConfig, x: unknown, options: BatchOptions = {}): Promise<Float32Array> {
  const o = parseOptions(batchOptionsSchema, options, 'predictLogits options');
  const batch = toInputBatch(x, config.classifier.inputShape, { domain: config.domain });
  const c = config.classifier.nbClasses;
  const out = new Float32Array(batch.count * c);
  const guard = { signal: o.signal, timeoutMs: o.forwardTimeoutMs };
  await forEachCleanBatch(
    config,
    batch.data,
    batch.count,
    o.batchSize,
    async (xb, rows, start, at) => {
      out.set(await cleanLogits(config, xb, rows, guard, at), start * c);
    },
    guard,
  );
  return out;
}

/**
 * Per-input cross-entropy of the base classifier (ART's `compute_losses`), in float64.
 */
export async function computeLosses(config: SmoothingConfig, x: unknown, y: unknown, options: BatchOptions = {}): Promise<Float64Array> {
  const o = parseOptions(batchOptionsSchema, options, 'computeLosses options');
  const batch = toInputBatch(x, config.classifier.inputShape, { domain: config.domain });
  const c = config.classifier.nbClasses;
  const labels = toLabels(y, batch.count, c);
  const out = new Float64Array(batch.count);
  const guard = { signal: o.signal, timeoutMs: o.forwardTimeoutMs };
  await forEachCleanBatch(
    config,
    batch.data,
    batch.count,
    o.batchSize,
    async (xb, rows, start, at) => {
      const logits = await cleanLogits(config, xb, rows, guard, at);
      for (let r = 0; r < rows; r++) out[start + r] = crossEntropyRow(logits, r * c, c, labels[start + r]!);
    },
    guard,
  );
  return out;
}

/**
 * Cross-entropy with a reduction (ART's `compute_loss`; default `'none'` as there).
 */
export async function computeLoss(
  config: SmoothingConfig,
  x: unknown,
  y: unknown,
  options: BatchOptions & { reduction?: 'none' | 'mean' | 'sum' } = {},
): Promise<number | Float64Array> {
  const { reduction = 'none', ...rest } = options;
  if (!['none', 'mean', 'sum'].includes(reduction))
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'reduction' must be 'none', 'mean' or 'sum', got ${JSON.stringify(reduction)}`);
  const losses = await computeLosses(config, x, y, rest);
  if (reduction === 'none') return losses;
  const sum = losses.reduce((a, b) => a + b, 0);
  return reduction === 'sum' ? sum : sum / losses.length;
}
