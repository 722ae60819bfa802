import { RsRangeError, RsTypeError } from '../errors.js';
/**
 * Certified radius of randomized smoothing: Cohen, Rosenfeld & Kolter 2019 (Theorem 1, Gaussian,
 * L2) and Yang et al. 2020 ("Randomized Smoothing of All Shapes and Sizes", rs4a) for uniform and
 * Laplace noise, in the L1, L2 or L-infinity norm.
 */

import type { NoiseFamily } from '../noise/families.js';
import { normalPpf } from './normal-ppf.js';
import { stepDown } from './ulp.js';
import { assertClosedUnit, assertPositiveFinite } from './validate.js';

/** A threat model: the norm the radius is measured in. @example const n: RadiusNorm = 'linf'; */
export type RadiusNorm = 'l1' | 'l2' | 'linf';

/** The norms {@link certifiedRadius} knows. */
export const RADIUS_NORMS: readonly RadiusNorm[] = Object.freeze(['l1', 'l2', 'linf']);

/** Options of {@link certifiedRadius}. @example const o: RadiusOptions = { noise: 'uniform', norm: 'l1', dim: 784 }; */
export interface RadiusOptions {
  /** The noise family `sigma` belongs to (default 'gaussian'). */
  noise?: NoiseFamily | undefined;
  /** The norm of the radius (default 'l2'). */
  norm?: RadiusNorm | undefined;
  /** Input dimension d: needed where the radius converts between norms (see the table of {@link certifiedRadius}). */
  dim?: number | undefined;
}

/** Rounding of a radius other than Gaussian L2: <= 4 ulps in its evaluation; stepped down by 8. */
const SAFETY_ULPS = 8;

function lambdaOf(noise: NoiseFamily, sigma: number): number {
  if (noise === 'uniform') return sigma * Math.sqrt(3);
  if (noise === 'laplace') return sigma / Math.SQRT2;
  return sigma;
}

function needDim(dim: unknown, noise: NoiseFamily, norm: RadiusNorm): number {
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1) {
    throw new RsRangeError(
      'RS_INVALID_ARG_VALUE',
      `'dim' must be a positive integer (the ${norm} radius of ${noise} noise depends on the input dimension), got ${String(dim)}`,
    );
  }
  return dim;
}

/**
 * Certified radius of a smoothed classifier whose top class has probability at least `pALower`
 * (a (1 - alpha) lower confidence bound, e.g. `clopperPearsonLower(countA, n, alpha)`) under noise
 * of per-coordinate standard deviation `sigma` (rs4a's sigma; lambda below is the family's scale).
 * With no options: Cohen et al.'s L2 radius `sigma * Phi^-1(pALower)` (Gaussian).
 *
 * | noise    | lambda        | l1                               | l2                                  | linf                                |
 * | -------- | ------------- | -------------------------------- | ----------------------------------- | ----------------------------------- |
 * | gaussian | sigma         | = l2 (the l1 ball is inside)     | sigma Phi^-1(p)                     | l2 / sqrt d                         |
 * | uniform  | sigma sqrt 3  | 2 lambda (p - 1/2)               | max(l1 / sqrt d, linf)              | 2 lambda (1 - (3/2 - p)^(1/d))      |
 * | laplace  | sigma / sqrt2 | -lambda ln(2 (1 - p))            | l1 / sqrt d                         | l1 / d                              |
 *
 * These are rs4a's closed forms (`src/noises/noises.py`) and its norm conversions (a radius r in
 * norm q certifies r d^(1/p - 1/q) in norm p > q, and r in p < q), with one exception: for Laplace
 * in L-infinity rs4a's default is an approximation (`lambda Phi^-1(p) / sqrt d`, "approx" mode),
 * not a proven bound, so this function returns the proven conversion l1 / d there, and l1 / sqrt d
 * (not rs4a's max with that approximation) in L2.
 *
 * Returns 0 when `pALower <= 0.5` (no certificate: CERTIFY abstains) and `Infinity` for Gaussian or
 * Laplace at `pALower === 1`. Every radius except Gaussian L2 is stepped down by 8 ulps, more than
 * its evaluation's rounding, so it is never above the exact value of the formula.
 *
 * @param pALower lower confidence bound on p_A, in [0, 1]
 * @param sigma per-coordinate noise standard deviation, finite and > 0
 * @throws TypeError for non-numbers; RangeError naming 'pALower', 'sigma', 'noise', 'norm' or 'dim'.
 * @example
 * certifiedRadius(0.99, 0.25);  // 0.5815869685102102 = 0.25 * 2.3263478740408408
 * certifiedRadius(0.5, 0.25);   // 0 (abstain)
 * certifiedRadius(0.9, 0.5, { noise: 'uniform', norm: 'l1' }); // 2 * 0.5 * sqrt(3) * 0.4 = 0.69282...
 * certifiedRadius(0.9, 0.5, { norm: 'linf', dim: 784 }); // 0.5 * Phi^-1(0.9) / 28
 */
export function certifiedRadius(pALower: number, sigma: number, options: RadiusOptions = {}): number {
  assertClosedUnit('pALower', pALower);
  assertPositiveFinite('sigma', sigma);
  if (options === null || typeof options !== 'object') throw new RsTypeError('RS_INVALID_ARG_TYPE', `'options' must be an object, got ${String(options)}`);
  const noise = options.noise ?? 'gaussian';
  const norm = options.norm ?? 'l2';
  if (noise !== 'gaussian' && noise !== 'uniform' && noise !== 'laplace')
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'noise' must be 'gaussian', 'uniform' or 'laplace', got ${String(noise)}`);
  if (norm !== 'l1' && norm !== 'l2' && norm !== 'linf')
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'norm' must be 'l1', 'l2' or 'linf', got ${String(norm)}`);
  if (noise === 'gaussian' && norm !== 'linf') {
    if (pALower <= 0.5) return 0;
    return sigma * normalPpf(pALower); // l2, and l1 (the l1 ball of radius r lies inside the l2 ball)
  }
  const d = norm === 'l1' ? 1 : needDim(options.dim, noise, norm);
  if (pALower <= 0.5) return 0;
  const lambda = lambdaOf(noise, sigma);
  let r: number;
  if (noise === 'gaussian') {
    r = (sigma * normalPpf(pALower)) / Math.sqrt(d);
  } else if (noise === 'uniform') {
    const l1 = 2 * lambda * (pALower - 0.5); // pALower - 0.5 is exact
    // (3/2 - p)^(1/d) = exp(ln(3/2 - p) / d); 3/2 - p is exact for p in (1/2, 1]
    const linf = -2 * lambda * Math.expm1(Math.log(1.5 - pALower) / d);
    r = norm === 'l1' ? l1 : norm === 'linf' ? linf : Math.max(l1 / Math.sqrt(d), linf);
  } else {
    const l1 = -lambda * Math.log(2 * (1 - pALower)); // 2 (1 - p) is exact
    r = norm === 'l1' ? l1 : norm === 'l2' ? l1 / Math.sqrt(d) : l1 / d;
  }
  return Number.isFinite(r) ? stepDown(r, SAFETY_ULPS, 0) : r;
}
