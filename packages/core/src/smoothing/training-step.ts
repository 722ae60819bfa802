import type { TrainingCapability } from '../classifier/classifier.js';
import { ClassifierContractError } from '../errors.js';
import { callFailure, guardedCall } from '../sampling/guarded-call.js';
import type { FitOptions } from '../options/run-options.js';
import { NOISE_STREAM } from '../sampling/noise-streams.js';
import type { Progress } from '../sampling/progress.js';
import { preprocessor, type SmoothingConfig } from './smoothing-config.js';

/** The state `fit` and `fitGenerator` share: one reusable batch buffer, the noise settings, the progress counters. */
export interface AugmentedTrainer {
  /**
   * One optimizer step on `rows` examples: row `r` is `data[dataRow(r)]` plus the `training`-stream
   * noise of example `noiseId(r)` at sample index `epoch`, clipped when `clipNoisy`, preprocessed.
   * Resolves to the mean loss of the batch (checked finite).
   */
  step(
    data: Float32Array,
    rows: number,
    dataRow: (r: number) => number,
    noiseId: (r: number) => number,
    labels: Int32Array,
    epoch: number,
    batchIndex: number,
  ): Promise<number>;
  /** Reports progress after a step (when the caller passed `onProgress`). */
  report(p: Omit<Progress, 'phase' | 'elapsedSeconds' | 'samplesPerSecond'>): void;
}

/**
 * Creates the Gaussian-augmentation step of `fit` / `fitGenerator` for one call. The buffer grows
 * to the largest batch seen; noise is core's Philox `training` stream, so the noise of an example
 * depends only on (seed, example id, epoch).
 *
 * @example
 * const trainer = augmentedTrainer(config, training, seed, o);
 * const loss = await trainer.step(x, rows, (r) => order[r]!, (r) => order[r]!, labels, epoch, b);
 */
export function augmentedTrainer(
  config: SmoothingConfig,
  training: TrainingCapability,
  seed: bigint,
  o: Pick<Required<FitOptions>, 'optimizer' | 'learningRate'> & Pick<FitOptions, 'onProgress' | 'signal' | 'forwardTimeoutMs'>,
): AugmentedTrainer {
  const { dim } = config;
  const preprocess = preprocessor(config);
  const clip = config.options.clipNoisy ? (config.domain ?? undefined) : undefined;
  let buffer = new Float32Array(0);
  const started = performance.now();
  return {
    async step(data, rows, dataRow, noiseId, labels, epoch, batchIndex) {
      if (buffer.length < rows * dim) buffer = new Float32Array(rows * dim);
      const xb = buffer.length === rows * dim ? buffer : buffer.subarray(0, rows * dim);
      for (let r = 0; r < rows; r++) {
        const request = { seed, stream: NOISE_STREAM.training, inputIndex: noiseId(r), sampleStart: epoch, sampleCount: 1, dim, family: config.options.noise };
        config.noise.fillNoisy(xb, r * dim, request, data, dataRow(r) * dim, config.options.scale, clip);
      }
      preprocess?.(xb, rows);
      let loss: number;
      try {
        loss = await guardedCall(
          () => training.trainOnBatch(xb, labels, rows, { optimizer: o.optimizer, learningRate: o.learningRate }),
          { signal: o.signal, timeoutMs: o.forwardTimeoutMs },
          { call: 'training.trainOnBatch', batch: batchIndex, rows, inputIds: Array.from({ length: rows }, (_, r) => noiseId(r)), where: `in epoch ${epoch}` },
        );
      } catch (err) {
        throw callFailure(err, `training.trainOnBatch failed at epoch ${epoch}, batch ${batchIndex}`);
      }
      if (!Number.isFinite(loss)) {
        throw new ClassifierContractError(`training diverged: loss ${loss} at epoch ${epoch}, batch ${batchIndex} (lower the learning rate?)`, {
          code: 'RS_TRAINING_DIVERGED',
        });
      }
      return loss;
    },
    report(p) {
      if (!o.onProgress) return;
      const elapsedSeconds = (performance.now() - started) / 1000;
      o.onProgress({ phase: 'fit', ...p, elapsedSeconds, samplesPerSecond: elapsedSeconds > 0 ? p.samplesDone / elapsedSeconds : 0 });
    },
  };
}

/**
 * Runs `body`, then the training capability's `endFit` (whether `body` succeeded or not); an
 * `endFit` failure after a successful body is reported, one after a failed body is dropped.
 *
 * @example
 * return withEndFit(training, () => runEpochs());
 */
export async function withEndFit<T>(training: TrainingCapability, body: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await body();
  } catch (err) {
    try {
      await training.endFit?.();
    } catch {
      // The body's error is the one to report.
    }
    throw err;
  }
  await training.endFit?.();
  return result;
}
