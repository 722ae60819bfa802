/**
 * Quantiles of the beta distribution (inverse of the regularized incomplete
 * beta function), accurate to a few ulps.
 *
 * The start value is the Carter / Cran-Martin-Thomas approximation of
 * AS 109; it is then refined with safeguarded Newton steps on the log of the
 * *small* tail, log T(x) - log(target), using the accurate tails and density of
 * `incomplete-beta.ts`. For a, b >= 1 the beta CDF and survival function are
 * log-concave, so Newton on their logs converges monotonically after at most
 * one step; a bisection bracket guards every other case.
 */

import { betaTails } from './incomplete-beta.js';
import { logBeta } from './saddle-point.js';
import jStat from 'jstat';
import { assertClosedUnit, assertPositiveFinite } from './validate.js';

/** Which tail of Beta(a, b) a target probability refers to. */
export type BetaTail = 'lower' | 'upper';

/**
 * Start value for the lower-tail quantile q of Beta(a, b): jstat's `ibetainv` (relative error around
 * 1e-9 here, too coarse for a certificate but a close start), polished below to a few ulps by Newton
 * steps on our accurate incomplete beta. Falls back to AS 109 where jstat gives no usable value.
 */
function initialGuess(q: number, a: number, b: number): number {
  const x = jStat.ibetainv(q, a, b);
  return x > 0 && x < 1 && Number.isFinite(x) ? x : as109(q, a, b);
}

/** AS 109 start value for the lower-tail quantile q of Beta(a, b). */
function as109(q: number, a: number, b: number): number {
  const flip = q > 0.5;
  const alpha = flip ? 1 - q : q;
  const pp = flip ? b : a;
  const qq = flip ? a : b;
  const r0 = Math.sqrt(-2 * Math.log(alpha));
  const z = r0 - (2.30753 + 0.27061 * r0) / (1 + (0.99229 + 0.04481 * r0) * r0);
  let x: number;
  if (pp > 1 && qq > 1) {
    const r = (z * z - 3) / 6;
    const s = 1 / (pp + pp - 1);
    const t = 1 / (qq + qq - 1);
    const h = 2 / (s + t);
    const w = (z * Math.sqrt(h + r)) / h - (t - s) * (r + 5 / 6 - 2 / (3 * h));
    x = pp / (pp + qq * Math.exp(w + w));
  } else {
    const lb = logBeta(pp, qq);
    const r = qq + qq;
    let t = 1 / (9 * qq);
    t = r * (1 - t + z * Math.sqrt(t)) ** 3;
    if (t <= 0) {
      x = -Math.expm1((Math.log1p(-alpha) + Math.log(qq) + lb) / qq);
    } else {
      t = (4 * pp + r - 2) / t;
      x = t <= 1 ? Math.exp((Math.log(alpha * pp) + lb) / pp) : 1 - 2 / (t + 1);
    }
  }
  if (flip) x = 1 - x;
  if (!(x > 0 && x < 1)) x = a / (a + b);
  return x;
}

function nextPoint(lo: number, hi: number): number {
  if (lo === 0) return hi / 16;
  if (hi === 1) return 1 - (1 - lo) / 16;
  if (hi > 4 * lo) return Math.sqrt(lo) * Math.sqrt(hi);
  return lo + (hi - lo) / 2;
}

/**
 * Solves T(x) = target for x in (0, 1), where T is the lower tail I_x(a, b)
 * (increasing) or the upper tail 1 - I_x(a, b) (decreasing). Unvalidated:
 * a, b > 0 finite, 0 < target < 1. Returns the best double found (within a
 * few ulps of the exact root for all a, b tested up to 1e9).
 */
export function solveBetaTail(a: number, b: number, target: number, tail: BetaTail): number {
  const increasing = tail === 'lower';
  const logTarget = Math.log(target);
  let lo = 0;
  let hi = 1;
  let x = initialGuess(increasing ? target : 1 - target, a, b);
  for (let iter = 0; iter < 400; iter++) {
    const t = betaTails(x, a, b);
    const logT = increasing ? t.logLower : t.logUpper;
    const T = increasing ? t.lower : t.upper;
    // log(T / target): when both are normal numbers the ratio is formed first, so
    // h carries ~1 ulp of absolute error instead of |log target| ulps.
    const h = T > 1e-290 && target > 1e-290 ? Math.log(T / target) : logT - logTarget;
    if (h === 0) return x;
    if (h > 0 === increasing) hi = x;
    else lo = x;
    // d/dx log T = +-pdf / T
    const slope = Math.exp(t.logPdf - logT);
    const newton = increasing ? x - h / slope : x + h / slope;
    let next = newton;
    if (!(next > lo && next < hi)) next = nextPoint(lo, hi);
    if (!(next > lo && next < hi)) next = lo + (hi - lo) / 2;
    if (!(next > lo && next < hi)) {
      // lo and hi are adjacent doubles (possibly 0 or 1 themselves): the root is
      // between them; return the one nearer to the Newton estimate.
      return Math.abs(newton - lo) <= Math.abs(newton - hi) ? lo : hi;
    }
    // Newton converges quadratically, so this ends one evaluation after the
    // step first drops below an ulp (or when the bracket collapses).
    if (next === x) return x;
    x = next;
  }
  return x;
}

/**
 * Quantile of Beta(a, b): the x with I_x(a, b) = q, for q in [0, 1] and finite
 * a, b > 0 (`betaPpf(0, a, b) = 0`, `betaPpf(1, a, b) = 1`). Relative error of
 * a few ulps when q <= 1/2; for q > 1/2 the upper tail 1 - q (exact) is solved.
 *
 * @throws TypeError for non-numbers; RangeError naming 'q', 'a' or 'b' when out of range.
 * @example
 * betaPpf(0.6875, 2, 3); // 0.5
 * betaPpf(0.05, 5, 6); // 0.22244110100812908 (Clopper-Pearson lower bound for 5/10, before rounding down)
 */
export function betaPpf(q: number, a: number, b: number): number {
  assertClosedUnit('q', q);
  assertPositiveFinite('a', a);
  assertPositiveFinite('b', b);
  if (q === 0) return 0;
  if (q === 1) return 1;
  return q <= 0.5 ? solveBetaTail(a, b, q, 'lower') : solveBetaTail(a, b, 1 - q, 'upper');
}
