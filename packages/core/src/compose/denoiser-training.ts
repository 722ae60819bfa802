import { z } from 'zod';
import { assertClassifier, featureCount } from '../classifier/assert-classifier.js';
import { requireCapability } from '../classifier/capabilities.js';
import type { Classifier, LossHead } from '../classifier/classifier.js';
import { ClassifierContractError, RsRangeError, RsTypeError, throwIfAborted } from '../errors.js';
import { toInputBatch } from '../input/input-batch.js';
import type { InputLike } from '../input/tensor-like.js';
import { createNoiseGenerator, seedFromNumber } from '../noise/index.js';
import { abortSignal, callback, integerAtLeast, positiveReal } from '../options/schema-helpers.js';
import { parseOptions } from '../options/parse-options.js';
import { seedSchema } from '../options/smoothing-options.js';
import { NOISE_STREAM } from '../sampling/noise-streams.js';
import { argmaxRow } from '../sampling/noisy-batches.js';
import { epochOrder } from '../smoothing/fit.js';
import { crossEntropyHead } from '../training/cross-entropy-head.js';
import { compose, imageModelOutputSize, type ImageModel } from './compose.js';

const schema = z
  .object({
    objective: z.enum(['mse', 'stability'], { error: "must be 'mse' or 'stability'" }),
    scale: positiveReal(),
    classifier: z.custom<Classifier>((v) => v !== null && typeof v === 'object', { error: 'must be a Classifier' }).optional(),
    nbEpochs: integerAtLeast(1).default(1),
    batchSize: integerAtLeast(1).default(64),
    optimizer: z.enum(['sgd', 'adam'], { error: "must be 'sgd' or 'adam'" }).default('adam'),
    learningRate: positiveReal().default(1e-3),
    shuffle: z.boolean({ error: 'must be a boolean' }).default(true),
    seed: seedSchema.default(0),
    initialEpoch: integerAtLeast(0).default(0),
    onEpoch: callback<(epoch: number, loss: number) => void>().optional(),
    signal: abortSignal().optional(),
  })
  .strict();

/** Options of {@link trainDenoiser}. */
export type DenoiserTrainingOptions = z.input<typeof schema>;

/** What {@link trainDenoiser} returns. */
export interface DenoiserTrainingResult {
  /** Mean loss of each epoch (each batch's loss before its step, weighted by its rows). */
  epochLosses: Float64Array;
  seed: bigint;
}

/**
 * The mean squared error of denoised rows against the clean ones (Salman et al.'s MSE objective,
 * PyTorch's `MSELoss`: the mean over every value): loss `mean((D - x)^2)`, gradient
 * `2 (D - x) / (rows * dim)` w.r.t. the denoiser's outputs `D`, in float64 sums.
 *
 * @example
 * const head = mseHead(cleanBatch, 784);
 * const { loss, gradient } = head.evaluate(denoised, rows);
 */
export function mseHead(clean: Float32Array, dim: number): LossHead {
  return {
    name: 'denoiser-mse',
    evaluate(outputs, rows) {
      const n = rows * dim;
      if (outputs.length !== n || clean.length < n) {
        throw new ClassifierContractError(`the denoiser gave ${outputs.length} values for ${rows} rows of ${dim} (the clean batch has ${clean.length})`);
      }
      const gradient = new Float32Array(n);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const d = outputs[i]! - clean[i]!;
        sum += d * d;
        gradient[i] = (2 * d) / n;
      }
      return { loss: sum / n, gradient, terms: { mse: sum / n } };
    },
  };
}

/** Checks what the options and the models must agree on; returns the per-image size. */
function checkModels(denoiser: ImageModel, o: z.output<typeof schema>): number {
  const dim = imageModelOutputSize(denoiser, 'denoiser');
  if (!denoiser.training) {
    throw new RsTypeError(
      'RS_CAPABILITY_MISSING',
      `trainDenoiser needs a denoiser with the 'training' capability (e.g. @rs/onnx's OnnxClassifier with output 'any')`,
    );
  }
  const inDim = featureCount(denoiser.inputShape);
  if (inDim !== dim) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'denoiser' maps ${inDim} values to ${dim}: a denoiser's output must have its input's size`);
  }
  if (o.objective === 'stability') {
    if (!o.classifier) throw new RsTypeError('RS_INVALID_ARG_TYPE', `'classifier' is required with objective 'stability' (the frozen classifier)`);
    assertClassifier(o.classifier, 'classifier');
    requireCapability(o.classifier, 'gradients', 'trainDenoiser with the stability objective');
  } else if (o.classifier) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'classifier' is only used by objective 'stability' (objective 'mse' compares with the clean images)`);
  }
  return dim;
}

/**
 * Trains a denoiser (an {@link ImageModel} with the `training` capability) for denoised smoothing,
 * the classifier frozen (Salman et al., NeurIPS 2020). Each epoch visits the clean images in
 * batches (core's Philox shuffle), adds N(0, scale^2) noise (core's `training` stream: example id =
 * the image's index, sample index = the epoch, as `fit` draws it; not clipped, as certify draws it)
 * and takes one optimizer step of the denoiser's weights through its `training.step`, with
 * - `objective: 'mse'`: {@link mseHead}, the mean squared error to the clean images;
 * - `objective: 'stability'`: the mean cross-entropy of `classifier` on the denoised noisy images
 *   against the classifier's prediction on the clean ones, the step of
 *   `compose(denoiser, classifier).training` (the classifier's VJP, then the denoiser's step;
 *   needs the classifier's `gradients`).
 * Salman et al. train with MSE, then fine-tune with stability: call it twice.
 *
 * @example
 * await trainDenoiser(denoiser, trainImages, { objective: 'mse', scale: 0.5, nbEpochs: 2 });
 * await trainDenoiser(denoiser, trainImages, { objective: 'stability', scale: 0.5, classifier, learningRate: 1e-4 });
 */
export async function trainDenoiser(denoiser: ImageModel, x: InputLike, options: DenoiserTrainingOptions): Promise<DenoiserTrainingResult> {
  const o = parseOptions(schema, options, 'trainDenoiser options');
  const dim = checkModels(denoiser, o);
  const classifier = o.classifier;
  // The stability step is the composition's: the denoiser's weights only, through the frozen classifier.
  const training = classifier ? compose(denoiser, classifier).training! : denoiser.training!;
  const batch = toInputBatch(x, denoiser.inputShape, { name: 'x' });
  const seed = seedFromNumber(o.seed);
  const noise = createNoiseGenerator();
  const size = Math.min(o.batchSize, denoiser.maxBatchSize ?? Infinity, classifier?.maxBatchSize ?? Infinity, batch.count);
  const clean = new Float32Array(size * dim);
  const noisy = new Float32Array(size * dim);
  const epochLosses = new Float64Array(o.nbEpochs);
  const hyper = { optimizer: o.optimizer, learningRate: o.learningRate };
  try {
    for (let e = 0; e < o.nbEpochs; e++) {
      const epoch = o.initialEpoch + e;
      const order = o.shuffle ? epochOrder(batch.count, seed, epoch) : Uint32Array.from({ length: batch.count }, (_, i) => i);
      let lossSum = 0;
      for (let start = 0; start < batch.count; start += size) {
        throwIfAborted(o.signal);
        const rows = Math.min(size, batch.count - start);
        const xb = clean.subarray(0, rows * dim);
        const nb = noisy.subarray(0, rows * dim);
        for (let r = 0; r < rows; r++) {
          const id = order[start + r]!;
          xb.set(batch.data.subarray(id * dim, (id + 1) * dim), r * dim);
          noise.fillNoisy(
            nb,
            r * dim,
            { seed, stream: NOISE_STREAM.training, inputIndex: id, sampleStart: epoch, sampleCount: 1, dim },
            batch.data,
            id * dim,
            o.scale,
          );
        }
        let head: LossHead;
        if (!classifier) head = mseHead(xb, dim);
        else {
          const c = classifier.nbClasses;
          const cleanLogits = await classifier.forward(xb, rows);
          head = crossEntropyHead(
            Int32Array.from({ length: rows }, (_, r) => argmaxRow(cleanLogits, r * c, c)),
            c,
          );
        }
        const loss = await training.step(nb, rows, head, hyper);
        if (!Number.isFinite(loss)) {
          throw new ClassifierContractError(`denoiser training diverged: loss ${loss} at epoch ${epoch} (lower the learning rate?)`, {
            code: 'RS_TRAINING_DIVERGED',
          });
        }
        lossSum += loss * rows;
      }
      epochLosses[e] = lossSum / batch.count;
      o.onEpoch?.(epoch, epochLosses[e]!);
    }
  } finally {
    await training.endFit?.();
  }
  return { epochLosses, seed };
}
