import { RsRangeError } from '../errors.js';
import { toInputBatch } from '../input/input-batch.js';
import { certifyOptionsSchema, type CertifyOptions } from '../options/run-options.js';
import { parseOptions } from '../options/parse-options.js';
import { NOISE_STREAM } from '../sampling/noise-streams.js';
import { argmaxCounts, countPredictions, type SamplingJob } from '../sampling/index.js';
import type { NoiseFamily } from '../noise/families.js';
import { clopperPearsonLower, type RadiusNorm } from '../stats/index.js';
import { certificateFromCounts } from './certificate.js';
import { certifySettings } from './certify-settings.js';
import { soundSampling } from '../sound/sound-sampling.js';
import { certifySequential, type SequentialCertifyInfo } from '../sequential/certify-sequential.js';
import { callSeed, inputIdsFor, samplingContext, type SmoothingConfig } from './smoothing-config.js';

/** What `certify` returns: ART's `(prediction, radius)` plus the evidence behind each certificate. */
export interface CertifyResult {
  /** Predicted class per input, `-1` where the smoothed classifier abstains. */
  prediction: Int32Array;
  /**
   * Certified radius per input in the norm `norm` (Gaussian L2: `sigma * Phi^-1(pALower)`; every
   * family and norm: `certifiedRadius`), 0 where it abstains.
   */
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
  /** The noise family the counts were drawn with. */
  noise: NoiseFamily;
  /** The norm of `radius`. */
  norm: RadiusNorm;
  /** The certificate: 'one-sided' (Cohen et al.'s CERTIFY) or 'top-two' (`topTwoBounds`). */
  radiusMethod: 'one-sided' | 'top-two';
  /** With 'top-two': the upper bound on every other class's probability per input (`pALower` is then at alpha / 2). */
  pBUpper?: Float64Array;
  /**
   * The sound mode (`sound` option): the grid, and `dim * tv`, the most the sampled noise's
   * probabilities can differ from the discretized Gaussian's (subtracted from `pALower`, added to
   * `pBUpper`); null in the float mode.
   */
  sound: { levels: number; tvBound: number } | null;
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
 * `alpha`), and certify radius `sigma * Phi^-1(pALower)` (Gaussian, L2; other noise families and
 * norms: `certifiedRadius`); abstain (`-1`, radius 0) when pALower < 0.5.
 */
export async function certify(config: SmoothingConfig, x: unknown, options: CertifyOptions): Promise<CertifyResult> {
  const o = parseOptions(certifyOptionsSchema, options, 'certify options');
  if (o.sequential) return certifySequential(config, x, { ...o, sequential: o.sequential });
  const { alpha, sampleSize: n0, scale: sigma } = config.options;
  const needed = minimumSamplesToCertify(alpha);
  if (o.n < needed) {
    throw new RsRangeError(
      'RS_SAMPLES_INSUFFICIENT',
      `'n' = ${o.n} can never certify at alpha = ${alpha}: even n out of n hits give pALower < 0.5; use n >= ${needed}`,
    );
  }
  if (o.radius === 'top-two' && config.options.noise !== 'gaussian') {
    throw new RsRangeError(
      'RS_INVALID_ARG_VALUE',
      `'radius' 'top-two' holds for Gaussian noise (Cohen et al.'s Theorem 1), but 'noise' is '${config.options.noise}'`,
    );
  }
  const batch = toInputBatch(x, config.classifier.inputShape, { domain: config.domain });
  const ids = inputIdsFor(batch.count, o);
  const seed = callSeed(config);
  const ctx = samplingContext(config, seed);
  ctx.sound = soundSampling(config, batch.data);
  const c = config.classifier.nbClasses;
  const jobs = (count: number): SamplingJob[] => Array.from({ length: batch.count }, (_, i) => ({ row: i, id: ids[i]!, sampleStart: 0, count }));
  const run = { batchSize: o.batchSize, onProgress: o.onProgress, signal: o.signal, forwardTimeoutMs: o.forwardTimeoutMs };
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
    ...certifySettings(config, o, ctx, seed, ids),
  };
  if (o.radius === 'top-two') result.pBUpper = new Float64Array(batch.count);
  for (let i = 0; i < batch.count; i++) {
    const cA = argmaxCounts(selection, i * c, c);
    const cert = certificateFromCounts({
      selected: cA,
      estimationCounts: estimation.subarray(i * c, (i + 1) * c),
      n: o.n,
      alpha,
      sigma,
      noise: config.options.noise,
      norm: o.norm,
      dim: config.dim,
      radiusMethod: o.radius,
      soundTv: ctx.sound?.table.tv,
    });
    result.selected[i] = cA;
    result.countSelected[i] = estimation[i * c + cA]!;
    result.pALower[i] = cert.pALower;
    if (result.pBUpper) result.pBUpper[i] = cert.pBUpper!;
    result.prediction[i] = cert.prediction;
    result.radius[i] = cert.radius;
  }
  return result;
}
