import { toInputBatch } from '../input/input-batch.js';
import { predictOptionsSchema, type PredictOptions } from '../options/run-options.js';
import { parseOptions } from '../options/parse-options.js';
import { NOISE_STREAM } from '../sampling/noise-streams.js';
import { countPredictions, topTwo } from '../sampling/index.js';
import { binomialTestPValue } from '../stats/index.js';
import { soundSampling } from '../sound/sound-sampling.js';
import { callSeed, inputIdsFor, samplingContext, type SmoothingConfig } from './smoothing-config.js';

/** What `predictClasses` returns. */
export interface PredictResult {
  /** Predicted class per input, `-1` where it abstains (only with `isAbstain`). */
  prediction: Int32Array;
  /** Per-class counts over the `n` noisy samples, `nbInputs * nbClasses`. */
  counts: Int32Array;
  /** Two-sided binomial test p-value of the top two counts per input. */
  pValue: Float64Array;
  n: number;
  seed: bigint;
}

/**
 * Smallest `n` for which predict can ever avoid abstaining at level `alpha` (all `n` samples in one
 * class: p-value `2 * 0.5^n <= alpha`).
 *
 * @example
 * minimumSamplesToPredict(0.001); // 11
 */
export function minimumSamplesToPredict(alpha: number): number {
  let n = 1;
  while (binomialTestPValue(n, n, 0.5) > alpha) n++;
  return n;
}

/**
 * Cohen et al.'s PREDICT: count the base classifier's classes over `n` noisy samples, return the
 * top class, or abstain (`-1`) when a two-sided binomial test of the top two counts has p-value > alpha.
 */
export async function predictClasses(config: SmoothingConfig, x: unknown, options: PredictOptions = {}): Promise<PredictResult> {
  const o = parseOptions(predictOptionsSchema, options, 'predict options');
  const n = o.n ?? config.options.sampleSize;
  const batch = toInputBatch(x, config.classifier.inputShape, { domain: config.domain });
  const ids = inputIdsFor(batch.count, o);
  const seed = callSeed(config);
  const c = config.classifier.nbClasses;
  const ctx = samplingContext(config, seed);
  ctx.sound = soundSampling(config, batch.data);
  const counts = await countPredictions(
    ctx,
    batch.data,
    Array.from({ length: batch.count }, (_, i) => ({ row: i, id: ids[i]!, sampleStart: 0, count: n })),
    {
      stream: NOISE_STREAM.predict,
      batchSize: o.batchSize,
      phase: 'predict',
      onProgress: o.onProgress,
      signal: o.signal,
      forwardTimeoutMs: o.forwardTimeoutMs,
    },
  );
  const prediction = new Int32Array(batch.count);
  const pValue = new Float64Array(batch.count);
  for (let i = 0; i < batch.count; i++) {
    const [a, b] = topTwo(counts, i * c, c);
    const nA = counts[i * c + a]!;
    const nB = counts[i * c + b]!;
    pValue[i] = binomialTestPValue(nA, nA + nB, 0.5);
    prediction[i] = o.isAbstain && pValue[i]! > config.options.alpha ? -1 : a;
  }
  return { prediction, counts, pValue, n, seed };
}

/**
 * ART's `predict` return shape: one-hot rows (`nbInputs * nbClasses`), a row of zeros where the
 * smoothed classifier abstains.
 *
 * @example
 * oneHot(new Int32Array([2, -1]), 3); // [0,0,1, 0,0,0]
 */
export function oneHot(prediction: Int32Array, nbClasses: number): Float32Array {
  const out = new Float32Array(prediction.length * nbClasses);
  prediction.forEach((p, i) => {
    if (p >= 0) out[i * nbClasses + p] = 1;
  });
  return out;
}
