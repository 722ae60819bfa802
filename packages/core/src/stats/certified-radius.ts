/**
 * Certified L2 radius of randomized smoothing (Cohen, Rosenfeld & Kolter 2019,
 * Theorem 1 with the CERTIFY procedure's lower bound on p_A).
 */

import { normalPpf } from './normal-ppf.js';
import { assertClosedUnit, assertPositiveFinite } from './validate.js';

/**
 * Certified L2 radius `sigma * Phi^{-1}(pALower)` of the smoothed classifier,
 * where `pALower` is a (1 - alpha) lower confidence bound on the top-class
 * probability p_A (e.g. `clopperPearsonLower(countA, n, alpha)`) and `sigma`
 * the noise standard deviation.
 *
 * Returns 0 when `pALower <= 0.5`: no certificate is possible, and in CERTIFY
 * the caller must ABSTAIN in that case (0 is not "certified at radius 0").
 * Returns `Infinity` when `pALower === 1` (never produced by a
 * Clopper-Pearson bound with alpha > 0).
 *
 * @param pALower lower confidence bound on p_A, in [0, 1]
 * @param sigma noise level, finite and > 0
 * @throws TypeError for non-numbers; RangeError naming 'pALower' or 'sigma'.
 * @example
 * certifiedRadius(0.99, 0.25);  // 0.5815869685102102 = 0.25 * 2.3263478740408408
 * certifiedRadius(0.5, 0.25);   // 0 (abstain)
 */
export function certifiedRadius(pALower: number, sigma: number): number {
  assertClosedUnit('pALower', pALower);
  assertPositiveFinite('sigma', sigma);
  if (pALower <= 0.5) return 0;
  return sigma * normalPpf(pALower);
}
