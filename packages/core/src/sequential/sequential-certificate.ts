import { RsRangeError } from '../errors.js';
import { type SequentialPlan, type SequentialSettings, sequentialPlan } from './sequential-plan.js';
import { boundCertificate, type SequentialRadiusSettings } from './sequential-radius.js';
import { type StopReason, type StoppingRule, stopDecision } from './stopping-rule.js';

/**
 * One input's running bounds: the maximum of the lower bounds and the minimum of the upper bounds
 * over the checkpoints it has passed (both valid at every checkpoint at once, so at the stop too).
 *
 * @example
 * const state: RunningBounds = { lower: 0, upper: 1 };
 */
export interface RunningBounds {
  lower: number;
  upper: number;
}

/**
 * One checkpoint of one input: updates its running bounds with the hits `k` in its first `t`
 * samples and returns the stopping rule's decision (null: go on). `certify` calls it as samples
 * arrive; {@link sequentialCertificateFromCounts} replays a recorded run through it.
 *
 * @example
 * const reason = checkpointStep(state, 990, 1000, plan, rule);
 */
export function checkpointStep(state: RunningBounds, k: number, t: number, plan: SequentialPlan, rule: StoppingRule): StopReason | null {
  state.lower = Math.max(state.lower, plan.bound.lower(k, t));
  state.upper = Math.min(state.upper, plan.bound.upper(k, t));
  return stopDecision({ k, t, lower: state.lower, upper: state.upper }, rule);
}

/**
 * The stopping rule of a plan under radius settings (sigma, family, norm, dim, sound).
 *
 * @example
 * const rule = stoppingRuleOf(plan, { sigma: 0.25 });
 */
export function stoppingRuleOf(plan: SequentialPlan, radius: SequentialRadiusSettings): StoppingRule {
  return { ...radius, mode: plan.mode, target: plan.target, n: plan.n, bound: plan.bound };
}

/**
 * The evidence of one sequential certificate and the settings it was made under: the selected
 * class, the hits of that class at each checkpoint the input passed (the last is where it stopped),
 * the budget, alpha, the sequential options and the radius settings.
 *
 * @example
 * const e: SequentialEvidence = { selected: 1, checkpointHits: [64, 96], n: 10_000, alpha: 0.001, sequential: { radius: 0.25 }, radius: { sigma: 0.25 } };
 */
export interface SequentialEvidence {
  selected: number;
  /** Hits of the selected class in the first `checkpoints[j]` estimation samples, for j = 0 .. the stop. */
  checkpointHits: readonly number[];
  n: number;
  alpha: number;
  sequential: SequentialSettings;
  radius: SequentialRadiusSettings;
}

/**
 * What a sequential certificate says: the prediction (-1 = abstain), the radius, the bounds at the
 * stop (`pALower` after the sound correction, as fixed-n certify reports it), the samples used
 * and why the input stopped.
 *
 * @example
 * const { radius, samplesUsed, stopReason } = sequentialCertificateFromCounts(evidence);
 */
export interface SequentialCertificate {
  prediction: number;
  radius: number;
  pALower: number;
  /** Upper bound of the sampled pA at the stop (running minimum). */
  pAUpper: number;
  samplesUsed: number;
  stopReason: StopReason;
  /** The checkpoints of the plan (the last is the budget). */
  checkpoints: readonly number[];
}

/**
 * The sequential certificate that follows from its evidence, by the code `certify` runs: rebuilds
 * the plan (schedule and bound) from n, alpha and the options, replays the checkpoints through
 * {@link checkpointStep}, and requires that the input stops exactly at its last recorded
 * checkpoint (an `RS_INVALID_ARG_VALUE` RangeError names the first inconsistency: hits that do
 * not fit the checkpoints, a stop the rule would have made earlier or would not make there).
 * `certify` builds each result with it; a reader of a run log recomputes each record with it.
 *
 * @example
 * sequentialCertificateFromCounts({ selected: 1, checkpointHits: [64], n: 10_000, alpha: 0.001, sequential: { radius: 0.25 }, radius: { sigma: 0.5 } });
 * // { prediction: 1, radius: 0.56..., samplesUsed: 64, stopReason: 'certified', ... }
 */
export function sequentialCertificateFromCounts(e: SequentialEvidence, plan?: SequentialPlan): SequentialCertificate {
  const p = plan ?? sequentialPlan(e.n, e.alpha, e.radius, e.sequential);
  const rule = stoppingRuleOf(p, e.radius);
  const hits = e.checkpointHits;
  const bad = (why: string) => new RsRangeError('RS_INVALID_ARG_VALUE', `'checkpointHits': ${why}`);
  if (hits.length === 0 || hits.length > p.schedule.length)
    throw bad(`${hits.length} checkpoints recorded; the plan has ${p.schedule.length} (at least one is passed)`);
  const state: RunningBounds = { lower: 0, upper: 1 };
  let reason: StopReason | null = null;
  for (let j = 0; j < hits.length; j++) {
    const t = p.schedule[j]!;
    const k = hits[j]!;
    const prevK = j === 0 ? 0 : hits[j - 1]!;
    const prevT = j === 0 ? 0 : p.schedule[j - 1]!;
    if (!Number.isSafeInteger(k) || k < prevK || k - prevK > t - prevT)
      throw bad(`${k} hits at checkpoint ${t} do not follow ${prevK} hits at ${prevT} (each sample adds 0 or 1)`);
    reason = checkpointStep(state, k, t, p, rule);
    if (reason !== null && j < hits.length - 1)
      throw bad(`the input stops at checkpoint ${t} ('${reason}'), but ${hits.length - j - 1} later checkpoints are recorded`);
  }
  const samplesUsed = p.schedule[hits.length - 1]!;
  if (reason === null) throw bad(`the input does not stop at checkpoint ${samplesUsed} (the last recorded)`);
  const c = boundCertificate(state.lower, e.radius);
  return {
    prediction: c.certified ? e.selected : -1,
    radius: c.radius,
    pALower: c.pALower,
    pAUpper: state.upper,
    samplesUsed,
    stopReason: reason,
    checkpoints: p.schedule,
  };
}
