/**
 * The staged exact binomial test (Horvath et al., ICLR 2022, `smooth_ensemble_adaptive.py`, here
 * with nested samples): one-sided Clopper-Pearson bounds at a few checkpoints fixed before
 * sampling, with the error level split evenly over them (Bonferroni).
 *
 * Theorem. Let X_1, X_2, ... be iid Bernoulli(p), k_t = X_1 + ... + X_t, and let S be a set of m_S
 * checkpoints fixed in advance. With L_t = CP_lower(k_t, t, alpha / m_S) for t in S (and L_t = 0,
 * no claim, elsewhere), P(L_t > p for some t) <= alpha.
 *
 * Proof. For each fixed t in S, Clopper-Pearson gives P(L_t > p) <= alpha / m_S (exact binomial
 * tail, Clopper & Pearson 1934); the union over S is at most m_S * alpha / m_S = alpha
 * (Bonferroni). Nothing requires the events to be independent, so the samples may be nested (the
 * first t samples of one stream). Hence the lower bound at any stopping checkpoint, and the running
 * maximum of the L_t so far, are valid (1 - alpha) lower bounds of p whatever the stopping rule.
 * The upper bounds CP_upper(k, t, alpha / m_U) over their own set U satisfy the mirror statement.
 *
 * The lower set S is a suffix of the schedule (`lowerFrom`): in radius mode, checkpoints at which
 * even t hits out of t could not certify the target radius make no claim and spend no alpha. The
 * upper set is every checkpoint but the last (no decision needs an upper bound at the budget).
 * The bounds come from `clopperPearsonLower` / `clopperPearsonUpper`, which round outward.
 */

import { RsRangeError } from '../errors.js';
import { clopperPearsonLower, clopperPearsonUpper } from '../stats/clopper-pearson.js';
import { nextDown } from '../stats/ulp.js';
import type { SequentialBound } from './sequential-bound.js';
import { validateCheckpoints } from './validate-checkpoints.js';

/**
 * How the staged Clopper-Pearson bound spends alpha (see {@link stagedClopperPearsonBound}).
 */
export interface StagedSplit {
  /** Index of the first checkpoint with a lower bound (default 0). */
  lowerFrom?: number | undefined;
  /** Share of alpha spent at that first checkpoint when more follow (default: an even split). */
  firstShare?: number | undefined;
}

/**
 * The staged Clopper-Pearson bound over `checkpoints`. Lower bounds on the m_S checkpoints from
 * index `lowerFrom` on (0 before them): alpha * firstShare at the first of them and
 * alpha * (1 - firstShare) / (m_S - 1) at each of the others (an even alpha / m_S by default; all
 * of alpha when m_S = 1). Upper bounds at alpha / m_U on all but the last checkpoint (1 at the
 * last; with one checkpoint, at it). The shares sum to alpha, so the theorem above holds as is.
 *
 * @example
 * const b = stagedClopperPearsonBound(0.001, [1000, 10_000, 100_000]);
 * b.lower(1000, 1000) === clopperPearsonLower(1000, 1000, 0.001 / 3); // true
 */
export function stagedClopperPearsonBound(alpha: number, checkpoints: readonly number[], split: StagedSplit = {}): SequentialBound {
  const at = validateCheckpoints(alpha, checkpoints);
  const m = checkpoints.length;
  const lowerFrom = split.lowerFrom ?? 0;
  if (!Number.isSafeInteger(lowerFrom) || lowerFrom < 0 || lowerFrom >= m)
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'lowerFrom' must be a checkpoint index in [0, ${m - 1}], got ${lowerFrom}`);
  const claims = m - lowerFrom;
  const firstShare = claims === 1 ? 1 : (split.firstShare ?? 1 / claims);
  if (!(firstShare > 0 && firstShare <= 1) || (claims > 1 && firstShare === 1))
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'firstShare' must be in (0, 1) when several checkpoints claim, got ${firstShare}`);
  // An even split is alpha / m_S exactly; an uneven one rounds the later shares down, so the shares never sum above alpha.
  const even = split.firstShare === undefined || claims === 1;
  const firstAlpha = even ? alpha / claims : alpha * firstShare;
  const restAlpha = even ? alpha / claims : nextDown((alpha - firstAlpha) / (claims - 1));
  const upperCount = m > 1 ? m - 1 : 1;
  const upperAlpha = alpha / upperCount;
  const index = new Map(checkpoints.map((t, j) => [t, j]));
  return {
    name: 'clopper-pearson',
    alpha,
    checkpoints,
    lower(k, t) {
      at(k, t);
      const j = index.get(t)!;
      if (j < lowerFrom) return 0;
      return clopperPearsonLower(k, t, j === lowerFrom ? firstAlpha : restAlpha);
    },
    upper(k, t) {
      at(k, t);
      return index.get(t)! < upperCount ? clopperPearsonUpper(k, t, upperAlpha) : 1;
    },
  };
}

/**
 * The first checkpoint index from which the staged Clopper-Pearson lower bound can reach a
 * certificate (`reaches(pLower)`), alpha being split over the checkpoints from there on as
 * {@link stagedClopperPearsonBound} splits it with `firstShare`: the `lowerFrom` that spends no
 * alpha where no certificate is possible. Returns `checkpoints.length - 1` when none can.
 *
 * @example
 * claimsFrom(0.001, [100, 1000, 10_000, 100_000], (p) => p >= 0.99865); // 2: 10,000 hits out of 10,000 reach it
 */
export function claimsFrom(alpha: number, checkpoints: readonly number[], reaches: (pLower: number) => boolean, firstShare?: number): number {
  const m = checkpoints.length;
  for (let j = 0; j < m; j++) {
    const t = checkpoints[j]!;
    const claims = m - j;
    const first = claims === 1 || firstShare === undefined ? alpha / claims : alpha * firstShare;
    if (reaches(clopperPearsonLower(t, t, first))) return j;
  }
  return m - 1;
}
