import { toInputBatch, toLabels } from '../input/input-batch.js';
import { cleanLogits } from '../smoothing/clean-batches.js';
import { callSeed, inputIdsFor, type SmoothingConfig } from '../smoothing/smoothing-config.js';
import { methodLossOptionsSchema, parseTrainingOptions, trainingMethod, type MethodLossOptions } from './fit-options.js';
import { checkMethod, type TrainingMethodName } from './method.js';

/** What `computeLoss(x, y, { method })` returns. */
export interface MethodLoss {
  /** The method's loss on the inputs (batches weighted by their inputs: each method's loss is a per-input mean). */
  loss: number;
  /** Its named terms, e.g. `{ classification, robustness }` for MACER. */
  terms: Record<string, number>;
  method: TrainingMethodName;
  /** The seed of the noise (and attacks); the same seed, ids and epoch give the same loss. */
  seed: bigint;
}

/**
 * A training method's loss on a data set, without a step: the noise `fit` would draw in `epoch`
 * for the inputs' noise ids (`indexOffset + i`, or `inputIds`), the attack for SmoothAdv /
 * SmoothMix (needs `gradients`), then the base classifier's logits (`forward`, in batches of
 * `batchSize` inputs) and the method's loss head. For monitoring training.
 */
export async function computeMethodLoss(config: SmoothingConfig, x: unknown, y: unknown, options: MethodLossOptions): Promise<MethodLoss> {
  const o = parseTrainingOptions(methodLossOptionsSchema, options, 'computeLoss options');
  const method = trainingMethod(o);
  checkMethod(method, config, 'computeLoss');
  const batch = toInputBatch(x, config.classifier.inputShape, { domain: config.domain });
  const labels = toLabels(y, batch.count, config.classifier.nbClasses);
  const ids = inputIdsFor(batch.count, o);
  const seed = callSeed(config);
  const { dim } = config;
  const c = config.classifier.nbClasses;
  const sums: Record<string, number> = {};
  let loss = 0;
  for (let start = 0; start < batch.count; start += o.batchSize) {
    const count = Math.min(o.batchSize, batch.count - start);
    const prepared = await method.prepare({
      config,
      seed,
      epoch: o.epoch,
      x: batch.data.subarray(start * dim, (start + count) * dim),
      count,
      labels: labels.slice(start, start + count),
      ids: ids.subarray(start, start + count),
    });
    const logits = new Float32Array(prepared.rows * c);
    const chunk = Math.min(prepared.rows, config.classifier.maxBatchSize ?? prepared.rows);
    for (let r = 0; r < prepared.rows; r += chunk) {
      const n = Math.min(chunk, prepared.rows - r);
      logits.set(await cleanLogits(config, prepared.x.subarray(r * dim, (r + n) * dim), n), r * c);
    }
    const out = prepared.head.evaluate(logits, prepared.rows);
    loss += out.loss * count;
    for (const [k, v] of Object.entries(out.terms)) sums[k] = (sums[k] ?? 0) + v * count;
  }
  const terms: Record<string, number> = {};
  for (const [k, v] of Object.entries(sums)) terms[k] = v / batch.count;
  return { loss: loss / batch.count, terms, method: method.name, seed };
}
