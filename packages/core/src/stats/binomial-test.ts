/**
 * Exact two-sided binomial test with scipy's rule (`scipy.stats.binomtest`,
 * alternative='two-sided'): the p-value is P(X <= k) plus the probability of
 * every outcome on the other side of the mean whose pmf is at most
 * pmf(k) * (1 + 1e-7) (mirrored when k > n p), capped at 1.
 */

import { binomialCdfRaw, binomialSfRaw } from './binomial.js';
import { logBinomialKernel } from './saddle-point.js';
import { assertClosedUnit, assertCounts } from './validate.js';

/** log of scipy's relative tolerance (1 + 1e-7) for "as extreme as" comparisons of pmf values. */
const LOG_RERR = Math.log1p(1e-7);

/** log P(X = j), -Infinity outside [0, n]; compared in log space so underflow never decides. */
function logPmf(j: number, n: number, p: number): number {
  if (j < 0 || j > n) return -Infinity;
  return logBinomialKernel(j, n - j, p);
}

/**
 * Two-sided exact binomial test p-value for k successes in n trials under
 * H0: success probability = p (default 1/2), using scipy's definition of
 * "at least as extreme" (pmf(i) <= pmf(k) (1 + 1e-7)). Works for any p in
 * [0, 1] and n up to 2^53 - 1 (O(log n) pmf evaluations plus two incomplete
 * beta evaluations). Relative accuracy ~1e-14 for p-values above ~1e-300;
 * p-values below the double range underflow to 0, like scipy.
 *
 * @param k number of successes, integer in [0, n]
 * @param n number of trials, integer >= 1
 * @param p null success probability in [0, 1]
 * @throws TypeError for non-numbers; RangeError naming 'k', 'n' or 'p'.
 * @example
 * binomialTestPValue(7, 10); // 0.34374999999999994 (exact: 0.34375)
 * binomialTestPValue(0, 10, 0.1); // 0.6125795110000001 (= P(X = 0) + P(X >= 2))
 */
export function binomialTestPValue(k: number, n: number, p = 0.5): number {
  assertCounts(k, n);
  assertClosedUnit('p', p);
  const mean = n * p;
  if (k === mean) return 1;
  const threshold = logPmf(k, n, p) + LOG_RERR;
  let pValue: number;
  if (k < mean) {
    // pmf is non-increasing on [ceil(np), n]: first j there with pmf(j) <= threshold.
    let lo = Math.ceil(mean);
    let hi = n + 1; // pmf(n + 1) := 0
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (logPmf(mid, n, p) <= threshold) hi = mid;
      else lo = mid + 1;
    }
    // P(X <= k) + P(X >= lo)
    pValue = binomialCdfRaw(k, n, p) + binomialSfRaw(lo - 1, n, p);
  } else {
    // pmf is non-decreasing on [0, floor(np)]: last j there with pmf(j) <= threshold.
    let lo = -1; // pmf(-1) := 0
    let hi = Math.floor(mean);
    while (lo < hi) {
      const mid = hi - Math.floor((hi - lo) / 2);
      if (logPmf(mid, n, p) <= threshold) lo = mid;
      else hi = mid - 1;
    }
    // P(X <= lo) + P(X >= k)
    pValue = binomialCdfRaw(lo, n, p) + binomialSfRaw(k - 1, n, p);
  }
  return Math.min(1, pValue);
}
