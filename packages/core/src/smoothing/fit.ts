import { requireCapability } from '../classifier/capabilities.js';
import { throwIfAborted } from '../errors.js';
import { yieldToEventLoop } from '../sampling/guarded-call.js';
import { toInputBatch, toLabels } from '../input/input-batch.js';
import { philox4x32, philoxKey } from '../noise/index.js';
import { fitOptionsSchema, type FitOptions } from '../options/run-options.js';
import { parseOptions } from '../options/parse-options.js';
import { NOISE_STREAM } from '../sampling/noise-streams.js';
import { callSeed, type SmoothingConfig } from './smoothing-config.js';
import { augmentedTrainer, withEndFit } from './training-step.js';

/** What `fit` returns. */
export interface FitResult {
  /** Mean training loss of each epoch (of the noisy batches, before each step). */
  epochLosses: Float64Array;
  /** The seed of the augmentation noise and of the shuffling. */
  seed: bigint;
}

/**
 * Training order of one epoch: a Fisher-Yates shuffle driven by Philox (stream `shuffle`,
 * counter (word, 0, epoch, 5)), so it is reproducible from the seed.
 *
 * @example
 * epochOrder(60_000, 42n, 0); // Uint32Array permutation
 */
export function epochOrder(count: number, seed: bigint, epoch: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  const key = philoxKey(seed);
  let words: Uint32Array = new Uint32Array(0);
  let w = 4;
  let block = 0;
  for (let i = count - 1; i > 0; i--) {
    if (w === 4) {
      words = philox4x32([block++, 0, epoch, NOISE_STREAM.shuffle], key);
      w = 0;
    }
    // 32-bit multiply-shift: bias below 2^-32 * count, irrelevant for shuffling.
    const j = Math.floor((words[w++]! / 4294967296) * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/**
 * Noise augmentation training (ART's `fit`): each epoch visits the data in (optionally
 * shuffled) batches, adds fresh noise of the configured family (`noise`, Gaussian by default) with
 * standard deviation sigma in raw input space to every example (noise
 * stream `training`, sample index = epoch, so every epoch draws new noise), clips when `clipNoisy`,
 * preprocesses and runs one optimizer step through the classifier's `training` capability.
 *
 * @example
 * const { epochLosses } = await fit(config, xTrain, yTrain, { nbEpochs: 2, batchSize: 64, optimizer: 'adam', learningRate: 1e-3 });
 */
export async function fit(config: SmoothingConfig, x: unknown, y: unknown, options: FitOptions = {}): Promise<FitResult> {
  const training = requireCapability(config.classifier, 'training', 'fit');
  const o = parseOptions(fitOptionsSchema, options, 'fit options');
  const batch = toInputBatch(x, config.classifier.inputShape, { name: 'x', domain: config.domain });
  const labels = toLabels(y, batch.count, config.classifier.nbClasses);
  const seed = callSeed(config);
  const size = Math.min(o.batchSize, config.classifier.maxBatchSize ?? Infinity, batch.count);
  const batchLabels = new Int32Array(size);
  const epochLosses = new Float64Array(o.nbEpochs);
  const batchesPerEpoch = Math.ceil(batch.count / size);
  const trainer = augmentedTrainer(config, training, seed, o);
  return withEndFit(training, async () => {
    let samplesDone = 0;
    for (let e = 0; e < o.nbEpochs; e++) {
      const epoch = o.initialEpoch + e;
      const order = o.shuffle ? epochOrder(batch.count, seed, epoch) : Uint32Array.from({ length: batch.count }, (_, i) => i);
      let lossSum = 0;
      for (let b = 0; b < batchesPerEpoch; b++) {
        if (e > 0 || b > 0) await yieldToEventLoop(); // lets an AbortSignal.timeout fire between synchronous steps
        throwIfAborted(o.signal);
        const start = b * size;
        const rows = Math.min(size, batch.count - start);
        for (let r = 0; r < rows; r++) batchLabels[r] = labels[order[start + r]!]!;
        const example = (r: number) => order[start + r]!;
        const loss = await trainer.step(batch.data, rows, example, example, rows === size ? batchLabels : batchLabels.subarray(0, rows), epoch, b);
        lossSum += loss * rows;
        samplesDone += rows;
        trainer.report({
          inputsDone: e * batchesPerEpoch + b + 1,
          inputsTotal: o.nbEpochs * batchesPerEpoch,
          samplesDone,
          samplesTotal: o.nbEpochs * batch.count,
          epoch,
          loss: lossSum / (start + rows),
        });
      }
      epochLosses[e] = lossSum / batch.count;
    }
    return { epochLosses, seed };
  });
}
