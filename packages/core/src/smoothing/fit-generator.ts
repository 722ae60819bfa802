import { requireCapability } from '../classifier/capabilities.js';
import { throwIfAborted, RsRangeError, RsTypeError } from '../errors.js';
import { yieldToEventLoop } from '../sampling/guarded-call.js';
import { toInputBatch, toLabels } from '../input/input-batch.js';
import type { InputLike, LabelsLike } from '../input/tensor-like.js';
import { fitGeneratorOptionsSchema, parseTrainingOptions, trainingMethod, type FitGeneratorOptions } from '../training/fit-options.js';
import { recordTerms, type FitResult } from './fit.js';
import { callSeed, type SmoothingConfig } from './smoothing-config.js';
import { methodTrainer, TermSums, withEndFit } from './training-step.js';

/**
 * One batch of a {@link BatchSource}: inputs and their labels, in any form the other methods take.
 *
 * @example
 * const b: TrainingBatch = { x: new Float32Array(2 * 784), y: [3, 1] };
 */
export interface TrainingBatch {
  x: InputLike;
  y: LabelsLike;
}

/**
 * Batches for `fitGenerator` (ART's `fit_generator` with a `DataGenerator`): an iterable or async
 * iterable of `{ x, y }` batches, or a function returning a fresh one for each epoch (needed for
 * more than one epoch when the iterable cannot be restarted, like a generator object).
 *
 * @example
 * const source: BatchSource = () => (function* () {
 *   for (let i = 0; i < 1000; i += 64) yield { x: xs.subarray(i * 784, (i + 64) * 784), y: ys.subarray(i, i + 64) };
 * })();
 */
export type BatchSource = Iterable<TrainingBatch> | AsyncIterable<TrainingBatch> | ((epoch: number) => Iterable<TrainingBatch> | AsyncIterable<TrainingBatch>);

function isIterable(s: unknown): s is Iterable<unknown> | AsyncIterable<unknown> {
  return s !== null && typeof s === 'object' && (Symbol.asyncIterator in s || Symbol.iterator in s);
}

/**
 * `fit` over batches from a source (ART's `fit_generator`), with any training `method`: every
 * example gets fresh noise from the method's stream (example id = its position in the epoch,
 * sample index from the epoch), so a source that yields the data in order draws exactly the noise
 * of `fit(x, y, { shuffle: false })`; then `clipNoisy`, `preprocessing`, and one optimizer step per batch.
 */
export async function fitGenerator(config: SmoothingConfig, source: BatchSource, options: FitGeneratorOptions = {}): Promise<FitResult> {
  const training = requireCapability(config.classifier, 'training', 'fitGenerator');
  if (typeof source !== 'function' && !isIterable(source)) {
    throw new RsTypeError(
      'RS_INVALID_ARG_TYPE',
      `'batches' must be an iterable or async iterable of { x, y } batches, or a function (epoch) => such an iterable`,
    );
  }
  const o = parseTrainingOptions(fitGeneratorOptionsSchema, options, 'fitGenerator options');
  const method = trainingMethod(o);
  const { classifier } = config;
  const seed = callSeed(config);
  const epochLosses = new Float64Array(o.nbEpochs);
  const epochTerms: Record<string, Float64Array> = {};
  const trainer = methodTrainer(config, training, seed, method, o);
  return withEndFit(training, async () => {
    let samplesDone = 0;
    let batchesDone = 0;
    for (let e = 0; e < o.nbEpochs; e++) {
      const epoch = o.initialEpoch + e;
      const iterable = typeof source === 'function' ? source(epoch) : source;
      if (!isIterable(iterable))
        throw new RsTypeError(
          'RS_INVALID_ARG_TYPE',
          `the batch source function returned ${String(iterable)} for epoch ${epoch}: expected an iterable of { x, y }`,
        );
      let seen = 0;
      let lossSum = 0;
      const terms = new TermSums(method.terms);
      let b = 0;
      for await (const item of iterable as AsyncIterable<TrainingBatch>) {
        if (batchesDone > 0) await yieldToEventLoop(); // lets an AbortSignal.timeout fire between synchronous steps
        throwIfAborted(o.signal);
        if (item === null || typeof item !== 'object' || !('x' in item) || !('y' in item))
          throw new RsTypeError('RS_INVALID_ARG_TYPE', `batch ${b} of epoch ${epoch} must be an object { x, y }`);
        const batch = toInputBatch(item.x, classifier.inputShape, { name: `batch ${b}: x`, domain: config.domain });
        const labels = toLabels(item.y, batch.count, classifier.nbClasses, `batch ${b}: y`);
        const rows = batch.count;
        const first = seen;
        const step = await trainer.step(
          batch.data,
          rows,
          (r) => r,
          (r) => first + r,
          labels,
          epoch,
          b,
        );
        lossSum += step.loss * rows;
        terms.add(step.terms, rows);
        seen += rows;
        samplesDone += rows;
        batchesDone++;
        b++;
        trainer.report({
          inputsDone: batchesDone,
          inputsTotal: batchesDone,
          samplesDone,
          samplesTotal: samplesDone,
          epoch,
          loss: lossSum / seen,
          lossTerms: terms.means(),
        });
      }
      if (seen === 0) {
        const hint = e > 0 && typeof source !== 'function' ? ': an iterator cannot be restarted; pass a function (epoch) => iterable for several epochs' : '';
        throw new RsRangeError('RS_INVALID_ARG_VALUE', `the batch source yielded no batches in epoch ${epoch}${hint}`);
      }
      epochLosses[e] = lossSum / seen;
      recordTerms(epochTerms, terms.means(), e, o.nbEpochs);
    }
    return { epochLosses, epochTerms, method: method.name, settings: method.settings, seed };
  });
}
