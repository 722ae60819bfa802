/**
 * When an input stops, decided at its checkpoints only. The rules look at the data (so the sample
 * count at which an input stops is random), which is why the bounds must be valid at every
 * checkpoint at once (`SequentialBound`); the rules themselves need no guarantee: a rule that stops
 * too early costs radius, never soundness.
 */

import type { SequentialBound } from './sequential-bound.js';
import { boundCertificate, radiusAt, type SequentialRadiusSettings, trueUpper } from './sequential-radius.js';

/**
 * Why an input stopped.
 *
 * @example
 * result.sequential!.stopReason[i] === 'certified';
 */
export type StopReason =
  /** radius mode: the certified radius reached the target. */
  | 'certified'
  /** radius mode: the target radius is out of reach (upper bound, or even all-hits up to the budget). */
  | 'futile'
  /** budget mode: the upper bound of pA fell below 1/2 (the input will abstain). */
  | 'abstain'
  /** budget mode: the rest of the budget cannot raise the radius by more than the tolerance. */
  | 'converged'
  /** the budget `n` is spent. */
  | 'budget';

/**
 * What a stopping rule knows about an input at a checkpoint.
 *
 * @example
 * const s: CheckpointState = { k: 990, t: 1000, lower: 0.97, upper: 0.997 };
 */
export interface CheckpointState {
  /** Hits of the selected class in the first `t` estimation samples. */
  k: number;
  /** The checkpoint (samples so far). */
  t: number;
  /** Running maximum of the lower bounds so far (the current certificate's pA bound). */
  lower: number;
  /** Running minimum of the upper bounds so far. */
  upper: number;
}

/**
 * The stopping rule's settings: the mode, its target, the budget, the bound, and how a bound turns
 * into a radius (sigma; the noise family, norm, dim and sound correction when not Gaussian L2).
 *
 * @example
 * const rule: StoppingRule = { mode: 'radius', target: 0.5, sigma: 0.25, n: 100_000, bound };
 */
export interface StoppingRule extends SequentialRadiusSettings {
  mode: 'radius' | 'budget';
  /** radius mode: the radius to decide; budget mode: the tolerance. */
  target: number;
  /** The budget: the last checkpoint. */
  n: number;
  bound: SequentialBound;
}

/**
 * The certified radius of a lower bound of pA, as certify reports it: `sigma * Phi^-1(p)` when
 * `p >= 1/2`, else 0 (abstain); with settings, the family's and norm's radius after the sound
 * correction (`sequential-radius.ts`).
 *
 * @example
 * radiusOf(0.99, 0.25); // 0.5815...
 */
export function radiusOf(p: number, sigma: number | SequentialRadiusSettings): number {
  return boundCertificate(p, typeof sigma === 'number' ? { sigma } : sigma).radius;
}

/**
 * The stop decision at a checkpoint, or null to continue.
 *
 * Radius mode (target r): `'certified'` once radiusOf(lower) >= r; `'futile'` once
 * the radius of upper < r, or once even hits on every remaining sample could not reach r by the
 * budget (lower(k + n - t, n) gives a radius < r).
 * Budget mode (tolerance tau): `'abstain'` once upper < 1/2; `'converged'` once the best radius the
 * budget can still give, radiusOf(max(lower, min(upper, lower(k + n - t, n)))), exceeds the current
 * radiusOf(lower) by at most tau (the final lower bound is at most pA <= upper, with the same
 * probability the bounds hold, and at most the all-hits bound).
 * Both: `'budget'` at t = n.
 *
 * @example
 * stopDecision({ k: 100, t: 100, lower: 0.93, upper: 1 }, { mode: 'radius', target: 0.25, sigma: 0.25, n: 100_000, bound }); // 'certified'
 */
export function stopDecision(s: CheckpointState, rule: StoppingRule): StopReason | null {
  const { n, bound } = rule;
  const now = boundCertificate(s.lower, rule);
  const upper = trueUpper(s.upper, rule);
  if (rule.mode === 'radius') {
    if (now.certified && now.radius >= rule.target) return 'certified';
    if (s.t >= n) return 'budget';
    if (upper < 0.5 || radiusAt(upper, rule) < rule.target) return 'futile';
    const best = boundCertificate(Math.max(s.lower, bound.lower(s.k + (n - s.t), n)), rule);
    if (!(best.certified && best.radius >= rule.target)) return 'futile';
    return null;
  }
  if (upper < 0.5) return 'abstain';
  if (s.t >= n) return 'budget';
  const reachable = Math.max(s.lower, Math.min(s.upper, bound.lower(s.k + (n - s.t), n)));
  if (boundCertificate(reachable, rule).radius - now.radius <= rule.target) return 'converged';
  return null;
}
