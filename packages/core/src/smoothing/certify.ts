import { toInputBatch } from '../input/input-batch.js';
import { certifyOptionsSchema, type CertifyOptions } from '../options/run-options.js';
import { parseOptions } from '../options/parse-options.js';
import { NOISE_STREAM } from '../sampling/noise-streams.js';
import { argmaxCounts, countPredictions, type SamplingJob } from '../sampling/index.js';
import { clopperPearsonLower, normalPpf } from '../stats/index.js';
import { certifySequential, type SequentialCertifyInfo } from '../sequential/certify-sequential.js';
import { callSeed, inputIdsFor, samplingContext, type SmoothingConfig } from './smoothing-config.js';

/** What `certify` returns: ART's `(prediction, radius)` plus the evidence behind each certificate. */
export interface CertifyResult {
  /** Predicted class per input, `-1` where the smoothed classifier abstains. */
  prediction: Int32Array;
  /** Certified L2 radius per input (`sigma * Phi^-1(pALower)`), 0 where it abstains. */
  radius: Float64Array;
  /** Clopper-Pearson lower bound of the top class's probability per input. */
  pALower: Float64Array;
  /** The class picked by the selection samples (before the abstain decision). */
  selected: Int32Array;
  /** Estimation samples (out of `n`) that fell in the selected class. */
  countSelected: Int32Array;
  /** Per-class counts of the `n0` selection samples, `nbInputs * nbClasses`. */
  selectionCounts: Int32Array;
  /** Per-class counts of the `n` estimation samples, `nbInputs * nbClasses`. */
  estimationCounts: Int32Array;
  n: number;
  n0: number;
  alpha: number;
  sigma: number;
  /** The seed the noise came from (reproduce the run by passing it as `seed`). */
  seed: bigint;
  /** Noise ids used for each input. */
  inputIds: Uint32Array;
  /** Only with `sequential`: samples used per input, the upper bounds, why each input stopped. */
  sequential?: SequentialCertifyInfo;
}

/**
 * Smallest `n` for which certify can return a certificate at level `alpha`: a certificate needs
 * `clopperPearsonLower(n, n, alpha) = alpha^(1/n) >= 0.5`.
 *
 * @example
 * minimumSamplesToCertify(0.001); // 10
 */
export function minimumSamplesToCertify(alpha: number): number {
  let n = Math.max(1, Math.floor(Math.log(alpha) / Math.log(0.5)) - 1);
  while (clopperPearsonLower(n, n, alpha) < 0.5) n++;
  return n;
}

/**
 * Cohen et al.'s CERTIFY for each input: select the top class with `sampleSize` (n0) noisy samples,
 * estimate its probability with `n` fresh samples, lower-bound it (one-sided Clopper-Pearson at
 * `alpha`), and certify radius `sigma * Phi^-1(pALower)`; abstain (`-1`, radius 0) when pALower < 0.5.
 *
 * @example
 * const { prediction, radius } = await certify(config, x, { n: 10_000, batchSize: 1000 });
 */
export async function certify(config: SmoothingConfig, x: unknown, options: CertifyOptions): Promise<CertifyResult> {
  const o = parseOptions(certifyOptionsSchema, options, 'certify options');
  if (o.sequential) return certifySequential(config, x, { ...o, sequential: o.sequential });
  const { alpha, sampleSize: n0, scale: sigma } = config.options;
  const needed = minimumSamplesToCertify(alpha);
  if (o.n < needed) {
    throw new RangeError(`'n' = ${o.n} can never certify at alpha = ${alpha}: even n out of n hits give pALower < 0.5; use n >= ${needed}`);
  }
  const batch = toInputBatch(x, config.classifier.inputShape, { domain: config.domain });
  const ids = inputIdsFor(batch.count, o);
  const seed = callSeed(config);
  const ctx = samplingContext(config, seed);
  const c = config.classifier.nbClasses;
  const jobs = (count: number): SamplingJob[] => Array.from({ length: batch.count }, (_, i) => ({ row: i, id: ids[i]!, sampleStart: 0, count }));
  const run = { batchSize: o.batchSize, onProgress: o.onProgress, signal: o.signal };
  const selection = await countPredictions(ctx, batch.data, jobs(n0), { ...run, stream: NOISE_STREAM.selection, phase: 'selection' });
  const estimation = await countPredictions(ctx, batch.data, jobs(o.n), { ...run, stream: NOISE_STREAM.estimation, phase: 'estimation' });
  const result: CertifyResult = {
    prediction: new Int32Array(batch.count),
    radius: new Float64Array(batch.count),
    pALower: new Float64Array(batch.count),
    selected: new Int32Array(batch.count),
    countSelected: new Int32Array(batch.count),
    selectionCounts: selection,
    estimationCounts: estimation,
    n: o.n,
    n0,
    alpha,
    sigma,
    seed,
    inputIds: ids,
  };
  for (let i = 0; i < batch.count; i++) {
    const cA = argmaxCounts(selection, i * c, c);
    const nA = estimation[i * c + cA]!;
    const pA = clopperPearsonLower(nA, o.n, alpha);
    result.selected[i] = cA;
    result.countSelected[i] = nA;
    result.pALower[i] = pA;
    if (pA < 0.5) {
      result.prediction[i] = -1;
      result.radius[i] = 0;
    } else {
      result.prediction[i] = cA;
      result.radius[i] = sigma * normalPpf(pA);
    }
  }
  return result;
}
