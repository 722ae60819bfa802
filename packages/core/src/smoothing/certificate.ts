import type { NoiseFamily } from '../noise/index.js';
import { soundPALower, soundPBUpper } from '../sound/sound-radius.js';
import { certifiedRadius, clopperPearsonLower, type RadiusNorm, topTwoBounds, topTwoRadius } from '../stats/index.js';

/** The evidence of one certificate and the settings it was made under. */
export interface CertificateEvidence {
  /** The class the selection samples picked. */
  selected: number;
  /** Per-class counts of the `n` estimation samples. */
  estimationCounts: ArrayLike<number>;
  n: number;
  alpha: number;
  sigma: number;
  noise?: NoiseFamily | undefined;
  norm?: RadiusNorm | undefined;
  /** Features per input (the L1 / L-infinity conversions need it). */
  dim?: number | undefined;
  radiusMethod?: 'one-sided' | 'top-two' | undefined;
  /** Sound mode: the sampler's total-variation bound per coordinate (the bounds widen by `dim * tv`). */
  soundTv?: number | undefined;
}

/** What a certificate says: the prediction (-1 = abstain), the radius, the bounds it follows from. */
export interface Certificate {
  prediction: number;
  radius: number;
  pALower: number;
  /** The runner-up's upper bound (top-two only). */
  pBUpper?: number;
}

/**
 * The certificate that follows from counts: one-sided (Cohen et al.'s CERTIFY: Clopper-Pearson lower
 * bound of the selected class, abstain below 1/2, radius by noise family and norm) or top-two (the
 * runner-up bounded too, alpha split in half). `certify` computes every certificate with it, and a
 * reader of a run log recomputes each one from its record the same way.
 *
 * @example
 * certificateFromCounts({ selected: 3, estimationCounts: counts, n: 10_000, alpha: 0.001, sigma: 0.25 }); // { prediction: 3, radius: 0.71, pALower: 0.998 }
 */
export function certificateFromCounts(e: CertificateEvidence): Certificate {
  const c = e.estimationCounts.length;
  const dim = e.dim ?? 1;
  if (e.radiusMethod === 'top-two') {
    const b = topTwoBounds(e.estimationCounts, 0, c, e.selected, e.n, e.alpha);
    const pALower = e.soundTv !== undefined ? soundPALower(b.pALower, dim, e.soundTv) : b.pALower;
    const pBUpper = e.soundTv !== undefined ? soundPBUpper(b.pBUpper, dim, e.soundTv) : b.pBUpper;
    const certified = pALower > pBUpper;
    return {
      prediction: certified ? e.selected : -1,
      radius: certified ? topTwoRadius(pALower, pBUpper, e.sigma, { norm: e.norm, dim: e.dim }) : 0,
      pALower,
      pBUpper,
    };
  }
  const cp = clopperPearsonLower(e.estimationCounts[e.selected]!, e.n, e.alpha);
  const pALower = e.soundTv !== undefined ? soundPALower(cp, dim, e.soundTv) : cp;
  if (pALower < 0.5) return { prediction: -1, radius: 0, pALower };
  return { prediction: e.selected, radius: certifiedRadius(pALower, e.sigma, { noise: e.noise, norm: e.norm, dim: e.dim }), pALower };
}
