/**
 * One-sided Clopper-Pearson (exact binomial) confidence bounds, rounded
 * conservatively.
 *
 * The lower (1 - alpha) bound for k successes in n trials is the beta quantile
 * B(alpha; k, n - k + 1) (0 when k = 0); the upper bound is
 * B(1 - alpha; k + 1, n - k) (1 when k = n). Both are first computed to within
 * ~4 ulps of the exact value (see `beta-ppf.ts`; checked against 40-digit
 * mpmath), then moved outwards by
 *
 *   max(6 ulps, 2^-44 * min(x, 1 - x))      (2^-44 ~ 5.7e-14 relative)
 *
 * so that the lower bound never exceeds the exact bound (and the upper bound is
 * never below it). The relative part also covers the ~3e-14 relative error of
 * scipy/Boost's `beta.ppf`, so our lower bound is never above scipy's either.
 * Using min(x, 1 - x) makes the rounding symmetric: upper(k, n, alpha) equals
 * 1 - lower(n - k, n, alpha) up to a few ulps.
 */

import { solveBetaTail } from './beta-ppf.js';
import { stepDown, stepUp } from './ulp.js';
import { assertCounts, assertOpenUnit } from './validate.js';

const MIN_ULPS = 6;
const RELATIVE_MARGIN = 2 ** -44;

function roundDown(x: number): number {
  const margin = RELATIVE_MARGIN * Math.min(x, 1 - x);
  return Math.max(0, Math.min(stepDown(x, MIN_ULPS, 0), x - margin));
}

function roundUp(x: number): number {
  const margin = RELATIVE_MARGIN * Math.min(x, 1 - x);
  return Math.min(1, Math.max(stepUp(x, MIN_ULPS, 1), x + margin));
}

/** alpha^(1/n) to ~1 ulp: exp(log(alpha)/n) refined by Newton on x^n = alpha with pow. */
function rootOfAlpha(alpha: number, n: number): number {
  if (n === 1) return alpha;
  if (n === 2) return Math.sqrt(alpha); // correctly rounded
  let x = Math.exp(Math.log(alpha) / n);
  const logAlpha = Math.log(alpha);
  for (let i = 0; i < 3; i++) {
    const pow = x ** n;
    // h = log(x^n / alpha); x_new = x * (1 - h / n) (Newton on n log x - log alpha)
    const h = pow > 1e-290 && alpha > 1e-290 ? Math.log(pow / alpha) : n * Math.log(x) - logAlpha;
    const next = x - (x * h) / n;
    if (next === x) break;
    x = next;
  }
  return x;
}

/**
 * One-sided (1 - alpha) Clopper-Pearson LOWER confidence bound for a binomial
 * proportion: the largest p such that P(Bin(n, p) >= k) <= alpha, i.e.
 * the `alpha` quantile of Beta(k, n - k + 1). Equals statsmodels'
 * `proportion_confint(k, n, alpha=2*alpha, method="beta")[0]`.
 *
 * Special cases: k = 0 gives 0; k = n gives alpha^(1/n) (n = 1, k = 1 gives
 * alpha). The result is rounded DOWN (see module notes): it never exceeds the
 * exact bound and is within ~6e-14 relative of it.
 *
 * @param k successes, integer in [0, n]
 * @param n trials, integer >= 1
 * @param alpha one-sided error level in (0, 1)
 * @throws TypeError for non-numbers; RangeError naming 'k', 'n' or 'alpha'.
 * @example
 * clopperPearsonLower(990, 1000, 0.001); // 0.97603618715531
 * clopperPearsonLower(10, 10, 0.05);     // 0.7411344491069329 (0.05^(1/10), rounded down)
 */
export function clopperPearsonLower(k: number, n: number, alpha: number): number {
  assertCounts(k, n);
  assertOpenUnit('alpha', alpha);
  if (k === 0) return 0;
  const x = k === n ? rootOfAlpha(alpha, n) : solveBetaTail(k, n - k + 1, alpha, 'lower');
  return roundDown(x);
}

/**
 * One-sided (1 - alpha) Clopper-Pearson UPPER confidence bound: the smallest p
 * such that P(Bin(n, p) <= k) <= alpha, i.e. the `1 - alpha` quantile of
 * Beta(k + 1, n - k). Mirror image of the lower bound:
 * `clopperPearsonUpper(k, n, a) = 1 - clopperPearsonLower(n - k, n, a)` up to
 * rounding.
 *
 * Special cases: k = n gives 1; k = 0 gives 1 - alpha^(1/n), computed as
 * -expm1(log(alpha)/n) without cancellation. Rounded UP: never below the exact
 * bound and within ~6e-14 relative of it.
 *
 * @param k successes, integer in [0, n]
 * @param n trials, integer >= 1
 * @param alpha one-sided error level in (0, 1)
 * @throws TypeError for non-numbers; RangeError naming 'k', 'n' or 'alpha'.
 * @example
 * clopperPearsonUpper(0, 1e6, 0.05); // 0.0000029957277863527144 (1 - 0.05^(1e-6), rounded up)
 */
export function clopperPearsonUpper(k: number, n: number, alpha: number): number {
  assertCounts(k, n);
  assertOpenUnit('alpha', alpha);
  if (k === n) return 1;
  let x: number;
  if (k === 0) x = n === 1 ? 1 - alpha : -Math.expm1(Math.log(alpha) / n);
  else x = solveBetaTail(k + 1, n - k, alpha, 'upper');
  return roundUp(x);
}
