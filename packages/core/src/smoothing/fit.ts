import { requireCapability } from '../classifier/capabilities.js';
import { throwIfAborted } from '../errors.js';
import { yieldToEventLoop } from '../sampling/guarded-call.js';
import { toInputBatch, toLabels } from '../input/input-batch.js';
import { philox4x32, philoxKey } from '../noise/index.js';
import { NOISE_STREAM } from '../sampling/noise-streams.js';
import { fitOptionsSchema, parseTrainingOptions, trainingMethod, type FitOptions } from '../training/fit-options.js';
import type { TrainingMethodName } from '../training/method.js';
import { callSeed, type SmoothingConfig } from './smoothing-config.js';
import { methodTrainer, TermSums, withEndFit } from './training-step.js';

/** What `fit` returns. */
export interface FitResult {
  /** Mean training loss of each epoch (of the noisy batches, before each step; weighted by examples). */
  epochLosses: Float64Array;
  /** Each loss term's epoch means (e.g. `classification`, `robustness`), in the method's order. */
  epochTerms: Record<string, Float64Array>;
  /** The training method and its settings after defaults. */
  method: TrainingMethodName;
  settings: Readonly<Record<string, number | string | boolean | null>>;
  /** The seed of the noise, the attacks' random directions, the mixing weights and the shuffling. */
  seed: bigint;
}

/** Records epoch `e`'s term means into `epochTerms`. */
export function recordTerms(epochTerms: Record<string, Float64Array>, means: Record<string, number>, e: number, epochs: number): void {
  for (const [k, v] of Object.entries(means)) {
    epochTerms[k] ??= new Float64Array(epochs);
    epochTerms[k][e] = v;
  }
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
 * Training for randomized smoothing (ART's `fit` and its MACER / SmoothAdv / SmoothMix estimators,
 * and consistency regularization), one implementation for every backend: each epoch visits the
 * data in (optionally shuffled) batches; the `method` draws fresh noise in raw input space for
 * every example (its own Philox stream; the noise of an example depends only on the seed, the
 * example and the epoch; Gaussian augmentation draws the configured family, `noise`), runs its attack when it has one, clips when `clipNoisy`, preprocesses,
 * and the classifier's `training` capability takes one optimizer step with the method's loss head.
 * The learning rate of each epoch follows `learningRateSchedule`.
 */
export async function fit(config: SmoothingConfig, x: unknown, y: unknown, options: FitOptions = {}): Promise<FitResult> {
  const training = requireCapability(config.classifier, 'training', 'fit');
  const o = parseTrainingOptions(fitOptionsSchema, options, 'fit options');
  const method = trainingMethod(o);
  const batch = toInputBatch(x, config.classifier.inputShape, { name: 'x', domain: config.domain });
  const labels = toLabels(y, batch.count, config.classifier.nbClasses);
  const seed = callSeed(config);
  // A step runs rowsPerExample rows per input: keep it within the backend's maxBatchSize.
  const perStep = Math.max(1, Math.floor((config.classifier.maxBatchSize ?? Infinity) / method.rowsPerExample));
  const size = Math.min(o.batchSize, perStep, batch.count);
  const batchLabels = new Int32Array(size);
  const epochLosses = new Float64Array(o.nbEpochs);
  const epochTerms: Record<string, Float64Array> = {};
  const batchesPerEpoch = Math.ceil(batch.count / size);
  const trainer = methodTrainer(config, training, seed, method, o);
  return withEndFit(training, async () => {
    let samplesDone = 0;
    for (let e = 0; e < o.nbEpochs; e++) {
      const epoch = o.initialEpoch + e;
      const order = o.shuffle ? epochOrder(batch.count, seed, epoch) : Uint32Array.from({ length: batch.count }, (_, i) => i);
      let lossSum = 0;
      const terms = new TermSums(method.terms);
      for (let b = 0; b < batchesPerEpoch; b++) {
        if (e > 0 || b > 0) await yieldToEventLoop(); // lets an AbortSignal.timeout fire between synchronous steps
        throwIfAborted(o.signal);
        const start = b * size;
        const rows = Math.min(size, batch.count - start);
        for (let r = 0; r < rows; r++) batchLabels[r] = labels[order[start + r]!]!;
        const example = (r: number) => order[start + r]!;
        const step = await trainer.step(batch.data, rows, example, example, batchLabels.slice(0, rows), epoch, b);
        lossSum += step.loss * rows;
        terms.add(step.terms, rows);
        samplesDone += rows;
        trainer.report({
          inputsDone: e * batchesPerEpoch + b + 1,
          inputsTotal: o.nbEpochs * batchesPerEpoch,
          samplesDone,
          samplesTotal: o.nbEpochs * batch.count,
          epoch,
          loss: lossSum / (start + rows),
          lossTerms: terms.means(),
        });
      }
      epochLosses[e] = lossSum / batch.count;
      recordTerms(epochTerms, terms.means(), e, o.nbEpochs);
    }
    return { epochLosses, epochTerms, method: method.name, settings: method.settings, seed };
  });
}
