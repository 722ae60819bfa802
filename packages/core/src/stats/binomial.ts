/**
 * Binomial distribution: probability mass, distribution and survival
 * functions, accurate to a few ulps (relative) also far in the tails and for
 * n up to ~1e15, via Loader's saddle-point pmf and the incomplete beta function.
 */

import { betaTails } from './incomplete-beta.js';
import { binomialKernel } from './saddle-point.js';
import { assertClosedUnit, assertIntegerInRange } from './validate.js';

function validate(k: number, n: number, p: number): void {
  assertIntegerInRange('n', n, 0);
  assertIntegerInRange('k', k, Number.MIN_SAFE_INTEGER);
  assertClosedUnit('p', p);
}

/**
 * Unvalidated pmf: P(X = k) for X ~ Bin(n, p), integers n >= 0, any integer k.
 * @internal
 */
export function binomialPmfRaw(k: number, n: number, p: number): number {
  if (k < 0 || k > n) return 0;
  return binomialKernel(k, n - k, p);
}

/**
 * Unvalidated cdf: P(X <= k). @internal
 */
export function binomialCdfRaw(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  // P(X <= k) = 1 - I_p(k+1, n-k)
  return betaTails(p, k + 1, n - k).upper;
}

/**
 * Unvalidated survival function: P(X > k). @internal
 */
export function binomialSfRaw(k: number, n: number, p: number): number {
  if (k < 0) return 1;
  if (k >= n) return 0;
  return betaTails(p, k + 1, n - k).lower;
}

/**
 * Binomial probability mass P(X = k), X ~ Bin(n, p), for integers n >= 0, any
 * safe integer k (0 outside [0, n]) and p in [0, 1]. Uses Loader's
 * saddle-point expansion, so it is accurate to a few ulps (times
 * max(1, |log P|)) even for n = 1e9, where C(n, k) p^k (1-p)^(n-k) via lgamma
 * loses ~7 digits.
 *
 * @throws TypeError for non-numbers; RangeError naming 'k', 'n' or 'p'.
 * @example
 * binomialPmf(3, 10, 0.5); // 0.1171875
 * binomialPmf(5e8, 1e9, 0.5); // 2.523132521389377e-5
 */
export function binomialPmf(k: number, n: number, p: number): number {
  validate(k, n, p);
  return binomialPmfRaw(k, n, p);
}

/**
 * Binomial distribution function P(X <= k), X ~ Bin(n, p), with full relative
 * accuracy in the lower tail (values down to ~1e-300 are accurate; smaller
 * ones underflow towards 0).
 *
 * @throws TypeError for non-numbers; RangeError naming 'k', 'n' or 'p'.
 * @example
 * binomialCdf(3, 10, 0.5); // 0.17187499999999997 (exact: 176/1024)
 */
export function binomialCdf(k: number, n: number, p: number): number {
  validate(k, n, p);
  return binomialCdfRaw(k, n, p);
}

/**
 * Binomial survival function P(X > k) = 1 - P(X <= k), X ~ Bin(n, p), with full
 * relative accuracy in the upper tail. Note the strict inequality (as in
 * scipy's `binom.sf`): P(X >= k) is `binomialSf(k - 1, n, p)`.
 *
 * @throws TypeError for non-numbers; RangeError naming 'k', 'n' or 'p'.
 * @example
 * binomialSf(6, 10, 0.5); // 0.17187499999999997 (exact: 176/1024)
 */
export function binomialSf(k: number, n: number, p: number): number {
  validate(k, n, p);
  return binomialSfRaw(k, n, p);
}
