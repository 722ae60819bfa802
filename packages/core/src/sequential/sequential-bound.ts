import { RsRangeError } from '../errors.js';
import { betaBinomialMixtureBound, type BetaPrior } from './beta-binomial-mixture.js';
import { stagedClopperPearsonBound, type StagedSplit } from './staged-clopper-pearson.js';

/**
 * The confidence bounds sequential certification can use.
 */
export const SEQUENTIAL_BOUNDS = Object.freeze(['clopper-pearson', 'beta-binomial-mixture'] as const);
/**
 * Name of a sequential bound.
 *
 * @example
 * const name: SequentialBoundName = 'beta-binomial-mixture';
 */
export type SequentialBoundName = (typeof SEQUENTIAL_BOUNDS)[number];

/**
 * Confidence bounds on a binomial proportion p that hold simultaneously at every checkpoint of a
 * schedule: for X_1, X_2, ... iid Bernoulli(p) and k_t = X_1 + ... + X_t,
 *
 *     P(there is a checkpoint t with lower(k_t, t) > p) <= alpha,
 *
 * so the lower bound at any stopping time that looks only at the data up to a checkpoint is a
 * valid (1 - alpha) lower confidence bound (the randomized-smoothing certificate needs nothing
 * more). The same holds for `upper` from above. Both are rounded outward.
 *
 * @example
 * const bound = createSequentialBound('clopper-pearson', 0.001, [100, 1000, 10_000]);
 * bound.lower(1000, 1000); // 0.99...
 */
export interface SequentialBound {
  readonly name: SequentialBoundName;
  /** The overall error level of the lower (and, separately, of the upper) bound. */
  readonly alpha: number;
  /** The checkpoints the guarantee covers (the bound refuses other sample counts when it needs to). */
  readonly checkpoints: readonly number[];
  /** Lower confidence bound of p after `k` successes in the first `t` samples (t a checkpoint; 0 where the bound makes no claim). */
  lower(k: number, t: number): number;
  /** Upper confidence bound of p after `k` successes in the first `t` samples (t a checkpoint; 1 where the bound makes no claim). */
  upper(k: number, t: number): number;
}

/**
 * The bound called `name` at level `alpha` over `checkpoints`.
 *
 * - `'clopper-pearson'`: the staged exact test, Clopper-Pearson with alpha split evenly over the
 *   checkpoints where it makes a claim (Bonferroni; Horvath et al. 2022); lower bounds only from
 *   checkpoint index `lowerFrom` on, `firstShare` of alpha at that first one.
 * - `'beta-binomial-mixture'`: Robbins' conjugate mixture martingale with a Beta(1/2, 1/2) prior,
 *   valid at every sample count (Ville's inequality); the checkpoints cost nothing.
 *
 * @example
 * const bound = createSequentialBound('beta-binomial-mixture', 0.001, [64, 128, 100_000]);
 */
export function createSequentialBound(
  name: SequentialBoundName,
  alpha: number,
  checkpoints: readonly number[],
  o: StagedSplit & { prior?: BetaPrior | undefined } = {},
): SequentialBound {
  if (name === 'clopper-pearson') return stagedClopperPearsonBound(alpha, checkpoints, o);
  if (name === 'beta-binomial-mixture') return betaBinomialMixtureBound(alpha, checkpoints, o.prior);
  throw new RsRangeError('RS_INVALID_ARG_VALUE', `'sequential.bound' must be one of ${SEQUENTIAL_BOUNDS.map((b) => `'${b}'`).join(', ')}, got ${String(name)}`);
}
