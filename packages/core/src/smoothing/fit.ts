import { ClassifierContractError, RsTypeError, throwIfAborted } from '../errors.js';
import { callFailure, guardedCall, yieldToEventLoop } from '../sampling/guarded-call.js';
import { toInputBatch, toLabels } from '../input/input-batch.js';
import { philox4x32 } from '../noise/index.js';
import { fitOptionsSchema, type FitOptions } from '../options/run-options.js';
import { parseOptions } from '../options/parse-options.js';
import { NOISE_STREAM } from '../sampling/noise-streams.js';
import { callSeed, preprocessor, type SmoothingConfig } from './smoothing-config.js';

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
  const key = [Number(seed & 0xffffffffn), Number((seed >> 32n) & 0xffffffffn)];
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
 * Gaussian data augmentation training (ART's `fit`): each epoch visits the data in (optionally
 * shuffled) batches, adds fresh noise N(0, sigma^2) in raw input space to every example (noise
 * stream `training`, sample index = epoch, so every epoch draws new noise), clips when `clipNoisy`,
 * preprocesses and runs one optimizer step through the classifier's `training` capability.
 *
 * @example
 * const { epochLosses } = await fit(config, xTrain, yTrain, { nbEpochs: 2, batchSize: 64, optimizer: 'adam', learningRate: 1e-3 });
 */
export async function fit(config: SmoothingConfig, x: unknown, y: unknown, options: FitOptions = {}): Promise<FitResult> {
  const training = config.classifier.training;
  if (!config.classifier.capabilities.training || !training) {
    const note = config.classifier.capabilityNotes?.training;
    throw new RsTypeError(
      'RS_CAPABILITY_MISSING',
      `fit needs a classifier with the 'training' capability; this classifier declares training: false${note ? ` (${note})` : ''}`,
    );
  }
  const o = parseOptions(fitOptionsSchema, options, 'fit options');
  const batch = toInputBatch(x, config.classifier.inputShape, { name: 'x', domain: config.domain });
  const labels = toLabels(y, batch.count, config.classifier.nbClasses);
  const { dim } = config;
  const seed = callSeed(config);
  const preprocess = preprocessor(config);
  const clip = config.options.clipNoisy ? config.domain : null;
  const size = Math.min(o.batchSize, config.classifier.maxBatchSize ?? Infinity, batch.count);
  const buffer = new Float32Array(size * dim);
  const batchLabels = new Int32Array(size);
  const epochLosses = new Float64Array(o.nbEpochs);
  const batchesPerEpoch = Math.ceil(batch.count / size);
  const started = performance.now();
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
      for (let r = 0; r < rows; r++) {
        const idx = order[start + r]!;
        config.noise.fillNoisy(
          buffer,
          r * dim,
          { seed, stream: NOISE_STREAM.training, inputIndex: idx, sampleStart: epoch, sampleCount: 1, dim },
          batch.data,
          idx * dim,
          config.options.scale,
          clip ?? undefined,
        );
        batchLabels[r] = labels[idx]!;
      }
      const xb = rows === size ? buffer : buffer.subarray(0, rows * dim);
      preprocess?.(xb, rows);
      let loss: number;
      try {
        loss = await guardedCall(
          () =>
            training.trainOnBatch(xb, rows === size ? batchLabels : batchLabels.subarray(0, rows), rows, {
              optimizer: o.optimizer,
              learningRate: o.learningRate,
            }),
          { signal: o.signal, timeoutMs: o.forwardTimeoutMs },
          { call: 'training.trainOnBatch', batch: b, rows, inputIds: Array.from(order.subarray(start, start + rows)), where: `in epoch ${epoch}` },
        );
      } catch (err) {
        throw callFailure(err, `training.trainOnBatch failed at epoch ${epoch}, batch ${b}`);
      }
      if (!Number.isFinite(loss))
        throw new ClassifierContractError(`training diverged: loss ${loss} at epoch ${epoch}, batch ${b} (lower the learning rate?)`, {
          code: 'RS_TRAINING_DIVERGED',
        });
      lossSum += loss * rows;
      samplesDone += rows;
      if (o.onProgress) {
        const elapsedSeconds = (performance.now() - started) / 1000;
        o.onProgress({
          phase: 'fit',
          inputsDone: e * batchesPerEpoch + b + 1,
          inputsTotal: o.nbEpochs * batchesPerEpoch,
          samplesDone,
          samplesTotal: o.nbEpochs * batch.count,
          elapsedSeconds,
          samplesPerSecond: elapsedSeconds > 0 ? samplesDone / elapsedSeconds : 0,
          epoch,
          loss: lossSum / (start + rows),
        });
      }
    }
    epochLosses[e] = lossSum / batch.count;
  }
  return { epochLosses, seed };
}
