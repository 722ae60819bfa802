import {
  ClassifierContractError,
  fitOptionsSchema,
  NOISE_STREAM,
  parseOptions,
  randomSeed,
  resolveSmoothingConfig,
  seedFromNumber,
  throwIfAborted,
  toInputBatch,
  toLabels,
  type Classifier,
  type FitResult,
  type SmoothingOptions,
} from '@rs/core';
import type { z } from 'zod';
import { hostInput } from './host-input.js';

/** One batch of a {@link BatchSource}: inputs (flat array, tensor-like or `tf.Tensor`) and labels. @example const b: TrainingBatch = { x: new Float32Array(2 * 784), y: [3, 1] }; */
export interface TrainingBatch {
  x: unknown;
  y: unknown;
}

/**
 * Batches for `fitGenerator` (ART's `fit_generator` with a `DataGenerator`): an iterable or async
 * iterable of `{ x, y }` batches, or a function returning a fresh one for each epoch (needed for
 * more than one epoch when the iterable cannot be restarted, like a generator object).
 *
 * @example
 * const source: BatchSource = (epoch) => (async function* () { for (let i = 0; i < n; i += 64) yield { x: xs.subarray(i * 784, (i + 64) * 784), y: ys.subarray(i, i + 64) }; })();
 */
export type BatchSource = Iterable<TrainingBatch> | AsyncIterable<TrainingBatch> | ((epoch: number) => Iterable<TrainingBatch> | AsyncIterable<TrainingBatch>);

/**
 * Options of `fitGenerator`: `nbEpochs` (default 10), `optimizer`, `learningRate`, `initialEpoch`,
 * `onProgress`, `signal` (`fit`'s options without `batchSize` and `shuffle`: the source decides both).
 *
 * @example
 * parseOptions(fitGeneratorOptionsSchema, { nbEpochs: 2, optimizer: 'adam' }, 'fitGenerator options');
 */
export const fitGeneratorOptionsSchema = fitOptionsSchema.omit({ batchSize: true, shuffle: true });

/** Options of `fitGenerator`. @example const o: FitGeneratorOptions = { nbEpochs: 2, learningRate: 1e-3 }; */
export type FitGeneratorOptions = z.input<typeof fitGeneratorOptionsSchema>;

/**
 * Gaussian data augmentation training over batches from a source: every example gets fresh noise
 * N(0, scale^2) drawn on the host by `@rs/core`'s generator with the `training` stream layout
 * (input index = the example's position in the epoch, sample index = epoch), so a source that
 * yields the data in order draws exactly the noise of `fit(x, y, { shuffle: false })`. Then
 * `clipNoisy` clipping and `preprocessing`, as in `fit`, and one `trainOnBatch` per batch.
 *
 * @example
 * const { epochLosses } = await fitGenerator(rs, smoothingOptions, source, { nbEpochs: 2, optimizer: 'adam', learningRate: 1e-3 });
 */
export async function fitGenerator(
  classifier: Classifier,
  smoothing: SmoothingOptions,
  source: BatchSource,
  options: FitGeneratorOptions = {},
): Promise<FitResult> {
  const training = classifier.training;
  if (!classifier.capabilities.training || !training) {
    const note = classifier.capabilityNotes?.training;
    throw new TypeError(`fitGenerator needs a classifier with the 'training' capability; this classifier declares training: false${note ? ` (${note})` : ''}`);
  }
  const isIterable = (s: unknown) => s !== null && typeof s === 'object' && (Symbol.asyncIterator in s || Symbol.iterator in s);
  if (typeof source !== 'function' && !isIterable(source)) {
    throw new TypeError(`'batches' must be an iterable or async iterable of { x, y } batches, or a function (epoch) => such an iterable`);
  }
  const o = parseOptions(fitGeneratorOptionsSchema, options, 'fitGenerator options');
  const config = resolveSmoothingConfig(classifier, smoothing);
  const { dim } = config;
  const seed = config.options.seed === undefined ? randomSeed() : seedFromNumber(config.options.seed);
  const clip = config.options.clipNoisy && config.domain ? config.domain : undefined;
  const pre = config.preprocessing;
  const epochLosses = new Float64Array(o.nbEpochs);
  const started = performance.now();
  let samplesDone = 0;
  let batchesDone = 0;
  for (let e = 0; e < o.nbEpochs; e++) {
    const epoch = o.initialEpoch + e;
    const iterable = typeof source === 'function' ? source(epoch) : source;
    if (!isIterable(iterable))
      throw new TypeError(`the batch source function returned ${String(iterable)} for epoch ${epoch}: expected an iterable of { x, y }`);
    let seen = 0;
    let lossSum = 0;
    let b = 0;
    for await (const item of iterable as AsyncIterable<TrainingBatch>) {
      throwIfAborted(o.signal);
      if (item === null || typeof item !== 'object' || !('x' in item) || !('y' in item))
        throw new TypeError(`batch ${b} of epoch ${epoch} must be an object { x, y }`);
      const batch = toInputBatch(hostInput(item.x), classifier.inputShape, { name: `batch ${b}: x`, domain: config.domain });
      const labels = toLabels(hostInput(item.y, 'int32'), batch.count, classifier.nbClasses, `batch ${b}: y`);
      const rows = batch.count;
      const buffer = new Float32Array(rows * dim);
      for (let r = 0; r < rows; r++) {
        config.noise.fillNoisy(
          buffer,
          r * dim,
          { seed, stream: NOISE_STREAM.training, inputIndex: seen + r, sampleStart: epoch, sampleCount: 1, dim },
          batch.data,
          r * dim,
          config.options.scale,
          clip,
        );
      }
      if (pre) for (let i = 0; i < buffer.length; i++) buffer[i] = (buffer[i]! - pre.sub[i % dim]!) / pre.div[i % dim]!;
      let loss: number;
      try {
        loss = await training.trainOnBatch(buffer, labels, rows, { optimizer: o.optimizer, learningRate: o.learningRate });
      } catch (err) {
        throw new ClassifierContractError(`training.trainOnBatch failed at epoch ${epoch}, batch ${b}: ${(err as Error)?.message ?? String(err)}`, {
          cause: err,
        });
      }
      if (!Number.isFinite(loss)) throw new ClassifierContractError(`training diverged: loss ${loss} at epoch ${epoch}, batch ${b} (lower the learning rate?)`);
      lossSum += loss * rows;
      seen += rows;
      samplesDone += rows;
      batchesDone++;
      b++;
      if (o.onProgress) {
        const elapsedSeconds = (performance.now() - started) / 1000;
        o.onProgress({
          phase: 'fit',
          inputsDone: batchesDone,
          inputsTotal: batchesDone,
          samplesDone,
          samplesTotal: samplesDone,
          elapsedSeconds,
          samplesPerSecond: elapsedSeconds > 0 ? samplesDone / elapsedSeconds : 0,
          epoch,
          loss: lossSum / seen,
        });
      }
    }
    if (seen === 0) {
      throw new RangeError(
        `the batch source yielded no batches in epoch ${epoch}${e > 0 && typeof source !== 'function' ? ': an iterator cannot be restarted; pass a function (epoch) => iterable for several epochs' : ''}`,
      );
    }
    epochLosses[e] = lossSum / seen;
  }
  return { epochLosses, seed };
}
