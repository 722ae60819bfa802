import { RsRangeError } from '../errors.js';
/**
 * The top-two certificate of Cohen, Rosenfeld & Kolter 2019 (Theorem 1 with an upper bound on the
 * runner-up), with the confidence split between the two bounds.
 *
 * Theorem (what `topTwoBounds` + `topTwoRadius` certify). Let f be any classifier, g its smoothed
 * version under N(0, sigma^2 I), K >= 2 classes, and A a class chosen independently of the n
 * estimation samples (CERTIFY's selection samples). Let c_k be the estimation counts, c_B the
 * largest c_k over k != A, and, for alpha in (0, 1):
 *
 *     L_A = CP_lower(c_A, n, alpha / 2)
 *     U_B = min(1 - L_A, CP_upper(c_B, n, alpha / 2))
 *
 * with CP_lower / CP_upper the one-sided Clopper-Pearson bounds at the given level. Then with
 * probability at least 1 - alpha over the estimation samples, p_A >= L_A and p_k <= U_B for every
 * k != A; hence, when L_A > U_B, g(x + delta) = A for every ||delta||_2 < sigma / 2
 * (Phi^-1(L_A) - Phi^-1(U_B)).
 *
 * Proof. (1) P(p_A < L_A) <= alpha / 2 (the Clopper-Pearson guarantee). (2) Let B* be a class
 * with the largest p_k over k != A (fixed once A is: no estimation sample decides it). c_B >= c_B*
 * and CP_upper is increasing in the count, so p_B* > CP_upper(c_B, n, alpha / 2) implies
 * p_B* > CP_upper(c_B*, n, alpha / 2), which has probability <= alpha / 2; no union over the K - 1
 * other classes is needed. (3) On the event p_A >= L_A the other classes share 1 - p_A <= 1 - L_A,
 * so each p_k <= 1 - L_A. By the union bound (1) and (2) fail together with probability <= alpha;
 * outside that event max_{k != A} p_k <= U_B and p_A >= L_A, and Cohen et al.'s Theorem 1 applies
 * with pA_lower = L_A and pB_upper = U_B. QED.
 *
 * This is the split of Voracek & Hein's reference code (two-sided (1 - alpha) Clopper-Pearson
 * intervals: the lower end for c_A, the upper end for c_B). Compared with the one-sided radius
 * sigma Phi^-1(CP_lower(c_A, n, alpha)) (Theorem 1 with pB_upper = 1 - pA_lower): the top-two
 * radius is at least the one-sided radius at level alpha / 2 (U_B <= 1 - L_A), and it can certify
 * inputs with L_A < 1/2 when the rest of the mass is spread over several classes. Gaussian noise only.
 */

import { clopperPearsonLower, clopperPearsonUpper } from './clopper-pearson.js';
import type { RadiusNorm } from './certified-radius.js';
import { normalPpf } from './normal-ppf.js';
import { stepDown } from './ulp.js';
import { assertClosedUnit, assertOpenUnit, assertPositiveFinite } from './validate.js';

/** The two bounds of the top-two certificate for one input. @example const b: TopTwoBounds = topTwoBounds(counts, 0, 10, 3, 10_000, 0.001); */
export interface TopTwoBounds {
  /** CP lower bound of p_A at alpha / 2. */
  pALower: number;
  /** Upper bound on every other class's probability: min(1 - pALower, CP upper of the runner-up at alpha / 2). */
  pBUpper: number;
  /** The class with the largest count other than A (lowest index on ties). */
  runnerUp: number;
}

/**
 * The bounds of the top-two certificate (see the theorem at the top of this file) from the `n`
 * estimation counts `counts[offset .. offset + nbClasses)` and the selected class `selected`.
 *
 * @example
 * topTwoBounds(Int32Array.of(6000, 3000, 1000), 0, 3, 0, 10_000, 0.001); // { pALower: 0.58375..., pBUpper: 0.31527..., runnerUp: 1 }
 */
export function topTwoBounds(counts: ArrayLike<number>, offset: number, nbClasses: number, selected: number, n: number, alpha: number): TopTwoBounds {
  assertOpenUnit('alpha', alpha);
  if (!Number.isInteger(nbClasses) || nbClasses < 2) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'nbClasses' must be an integer >= 2, got ${nbClasses}`);
  if (!Number.isInteger(selected) || selected < 0 || selected >= nbClasses)
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'selected' must be a class index in [0, ${nbClasses - 1}], got ${selected}`);
  let runnerUp = -1;
  let sum = 0;
  for (let k = 0; k < nbClasses; k++) {
    const c = counts[offset + k]!;
    if (!Number.isInteger(c) || c < 0) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'counts[${offset + k}]' must be a non-negative integer, got ${c}`);
    sum += c;
    if (k !== selected && (runnerUp < 0 || c > counts[offset + runnerUp]!)) runnerUp = k;
  }
  if (sum !== n) throw new RsRangeError('RS_INVALID_ARG_VALUE', `the counts sum to ${sum}, not n = ${n}`);
  const pALower = clopperPearsonLower(counts[offset + selected]!, n, alpha / 2);
  const pBUpper = Math.min(1 - pALower, clopperPearsonUpper(counts[offset + runnerUp]!, n, alpha / 2));
  return { pALower, pBUpper, runnerUp };
}

/**
 * The top-two certified radius sigma / 2 (Phi^-1(pALower) - Phi^-1(pBUpper)) for Gaussian noise, in
 * `norm` (L1: the same value, the L1 ball lies inside the L2 ball; L-infinity: divided by sqrt(dim)).
 * 0 when pALower <= pBUpper (no certificate: abstain). Rounded down past the rounding of the two
 * quantiles and the difference.
 *
 * @example
 * topTwoRadius(0.6, 0.3, 0.25); // 0.25 / 2 * (Phi^-1(0.6) - Phi^-1(0.3)) = 0.0972...
 */
export function topTwoRadius(
  pALower: number,
  pBUpper: number,
  sigma: number,
  options: { norm?: RadiusNorm | undefined; dim?: number | undefined } = {},
): number {
  assertClosedUnit('pALower', pALower);
  assertClosedUnit('pBUpper', pBUpper);
  assertPositiveFinite('sigma', sigma);
  const norm = options.norm ?? 'l2';
  if (norm !== 'l1' && norm !== 'l2' && norm !== 'linf')
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'norm' must be 'l1', 'l2' or 'linf', got ${String(norm)}`);
  if (norm === 'linf' && (typeof options.dim !== 'number' || !Number.isInteger(options.dim) || options.dim < 1))
    throw new RsRangeError(
      'RS_INVALID_ARG_VALUE',
      `'dim' must be a positive integer (the linf radius depends on the input dimension), got ${String(options.dim)}`,
    );
  if (!(pALower > pBUpper)) return 0;
  const a = normalPpf(pALower);
  const b = normalPpf(pBUpper);
  if (a === Infinity || b === -Infinity) return Infinity;
  // each quantile is within a few ulps: take 8 ulps of each magnitude off the difference
  const diff = a - b - 8 * Number.EPSILON * (Math.abs(a) + Math.abs(b));
  if (!(diff > 0)) return 0;
  const r = (sigma / 2) * diff;
  return stepDown(norm === 'linf' ? r / Math.sqrt(options.dim!) : r, 4, 0);
}
