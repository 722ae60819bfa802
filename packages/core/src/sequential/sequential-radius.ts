/**
 * From a confidence bound on the sampled pA to the certified radius, as fixed-n certify computes
 * it (`certificateFromCounts`, one-sided): the sound mode's total-variation correction first, then
 * the noise family's and norm's radius (`certifiedRadius`), abstaining below 1/2. Every sequential
 * decision (plan, stopping rule, certificate) goes through these functions, so a sequential run
 * with uniform or Laplace noise, an L1 / L-infinity norm or the sound mode stops and certifies on
 * the same radius it reports.
 */

import type { NoiseFamily } from '../noise/index.js';
import { soundPALower, soundPBUpper } from '../sound/sound-radius.js';
import { certifiedRadius, type RadiusNorm } from '../stats/index.js';

/**
 * What turns a bound on pA into a radius: sigma, the noise family, the norm, the features per input
 * (L1 / L-infinity conversions and the sound correction), and in the sound mode the sampler's
 * total-variation bound per coordinate. A bare number is sigma with Gaussian noise and the L2 norm.
 *
 * @example
 * const rs: SequentialRadiusSettings = { sigma: 0.5, noise: 'laplace', norm: 'l1', dim: 784 };
 */
export interface SequentialRadiusSettings {
  sigma: number;
  noise?: NoiseFamily | undefined;
  norm?: RadiusNorm | undefined;
  dim?: number | undefined;
  /** Sound mode: the sampler's total-variation bound per coordinate (bounds widen by `dim * tv`). */
  soundTv?: number | undefined;
}

/**
 * The settings of `s`, a bare sigma meaning Gaussian noise and the L2 norm.
 *
 * @example
 * radiusSettings(0.25); // { sigma: 0.25 }
 */
export function radiusSettings(s: number | SequentialRadiusSettings): SequentialRadiusSettings {
  return typeof s === 'number' ? { sigma: s } : s;
}

/**
 * A lower bound of the true pA from a lower bound `p` of the sampled one (sound mode: `p - dim * tv`,
 * rounded down; otherwise `p`).
 *
 * @example
 * trueLower(0.9, { sigma: 0.25 }); // 0.9
 */
export function trueLower(p: number, s: SequentialRadiusSettings): number {
  return s.soundTv !== undefined ? soundPALower(p, s.dim ?? 1, s.soundTv) : p;
}

/**
 * An upper bound of the true pA from an upper bound `p` of the sampled one (sound mode: `p + dim * tv`,
 * rounded up, at most 1; otherwise `p`).
 *
 * @example
 * trueUpper(0.4, { sigma: 0.25 }); // 0.4
 */
export function trueUpper(p: number, s: SequentialRadiusSettings): number {
  return s.soundTv !== undefined ? soundPBUpper(p, s.dim ?? 1, s.soundTv) : p;
}

/**
 * The radius a true pA of at least `q` certifies (0 when `q < 1/2`: abstain).
 *
 * @example
 * radiusAt(0.99, { sigma: 0.25 }); // 0.5815...
 */
export function radiusAt(q: number, s: SequentialRadiusSettings): number {
  return q >= 0.5 ? certifiedRadius(Math.min(q, 1), s.sigma, { noise: s.noise, norm: s.norm, dim: s.dim }) : 0;
}

/**
 * The certificate of a lower bound `p` of the sampled pA: abstain (`certified` false, radius 0) when
 * the true lower bound is below 1/2, else the radius of the family and norm, as fixed-n certify.
 *
 * @example
 * boundCertificate(0.99, { sigma: 0.25 }); // { certified: true, pALower: 0.99, radius: 0.5815... }
 */
export function boundCertificate(p: number, s: SequentialRadiusSettings): { certified: boolean; pALower: number; radius: number } {
  const q = trueLower(p, s);
  return q >= 0.5 ? { certified: true, pALower: q, radius: radiusAt(q, s) } : { certified: false, pALower: q, radius: 0 };
}
