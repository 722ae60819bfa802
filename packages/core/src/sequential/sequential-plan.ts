import { RsRangeError } from '../errors.js';
import { checkpointSchedule, DEFAULT_CHECKPOINT_RATIO, type CheckpointSpec } from './checkpoint-schedule.js';
import { createSequentialBound, type SequentialBound, type SequentialBoundName } from './sequential-bound.js';
import { clopperPearsonLower } from '../stats/clopper-pearson.js';
import type { BetaPrior } from './beta-binomial-mixture.js';
import { claimsFrom } from './staged-clopper-pearson.js';
import { boundCertificate, radiusSettings, type SequentialRadiusSettings, trueLower } from './sequential-radius.js';

/**
 * Sequential options (validated by `sequentialOptionsSchema` at the public boundary).
 *
 * @example
 * const s: SequentialSettings = { radius: 0.5, bound: 'clopper-pearson' };
 */
export interface SequentialSettings {
  radius?: number | undefined;
  tolerance?: number | undefined;
  bound?: SequentialBoundName | undefined;
  checkpoints?: CheckpointSpec | undefined;
  /** The mixture bound's prior Beta(a, b) (default {@link SKEWED_PRIOR}). */
  prior?: BetaPrior | undefined;
}

/**
 * The resolved settings of one sequential run: mode, target, schedule and bound.
 *
 * @example
 * const { schedule, bound } = sequentialPlan(100_000, 0.001, 0.25, { radius: 0.5 });
 */
export interface SequentialPlan {
  mode: 'radius' | 'budget';
  /** The radius (radius mode) or the tolerance (budget mode). */
  target: number;
  /** The budget per input. */
  n: number;
  schedule: number[];
  /** The schedule as given (a list, or the geometric settings), to rebuild it for another n. */
  spec: CheckpointSpec;
  /** The mixture's prior as given (undefined: the default). */
  prior: BetaPrior | undefined;
  bound: SequentialBound;
}

/**
 * Resolves validated sequential options for budget `n` at level `alpha` and noise `sigma` (a bare
 * sigma: Gaussian, L2; or the radius settings of `sequential-radius.ts` for another family, norm or
 * the sound mode, which decide where a certificate at the target radius becomes possible): the
 * checkpoint schedule (the bound's default geometric one unless given) and the bound over it (the
 * staged Clopper-Pearson bound claims lower bounds only from the first checkpoint at which a
 * certificate, in radius mode at the target radius, is possible).
 *
 * @example
 * const plan = sequentialPlan(100_000, 0.001, 0.25, { radius: 0.5, bound: 'clopper-pearson' });
 * plan.schedule; // [64, 96, 144, ..., 100000]
 */
export function sequentialPlan(n: number, alpha: number, sigma: number | SequentialRadiusSettings, o: SequentialSettings): SequentialPlan {
  const rs = radiusSettings(sigma);
  const name: SequentialBoundName = o.bound ?? 'clopper-pearson';
  const spec: CheckpointSpec = o.checkpoints ?? {};
  const radiusMode = o.radius !== undefined;
  const target = o.radius ?? 0;
  const reaches = (p: number) => {
    const c = boundCertificate(p, rs);
    return c.certified && c.radius >= target;
  };
  // Radius mode: half of alpha goes to the earliest checkpoint where t hits out of t certify the
  // radius (most confident inputs stop there), the other half evenly over the later ones.
  const firstShare = radiusMode ? RADIUS_MODE_FIRST_SHARE : undefined;
  const mixture = createSequentialBound('beta-binomial-mixture', alpha, [n], { prior: o.prior });
  const allHits = name === 'clopper-pearson' ? (t: number) => clopperPearsonLower(t, t, alpha * (firstShare ?? 1)) : (t: number) => mixture.lower(t, t);
  const anchor = radiusMode && !Array.isArray(spec) ? earliest(n, (t) => reaches(allHits(t))) : undefined;
  const schedule = checkpointSchedule(n, spec, DEFAULT_CHECKPOINT_RATIO[name], anchor);
  const lowerFrom = name === 'clopper-pearson' ? claimsFrom(alpha, schedule, reaches, firstShare) : 0;
  const bound = createSequentialBound(name, alpha, schedule, { lowerFrom, firstShare, prior: o.prior });
  const base = { n, schedule, spec, prior: o.prior, bound };
  return radiusMode ? { mode: 'radius', target, ...base } : { mode: 'budget', target: o.tolerance!, ...base };
}

/**
 * Share of alpha the staged Clopper-Pearson bound spends at its first claiming checkpoint in radius mode.
 */
export const RADIUS_MODE_FIRST_SHARE = 0.5;

/** The smallest t in [1, n] with ok(t) (ok monotone in t), or undefined. */
function earliest(n: number, ok: (t: number) => boolean): number | undefined {
  if (!ok(n)) return undefined;
  let lo = 0; // !ok(lo) (t = 0 never certifies)
  let hi = n; // ok(hi)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The smallest budget `n` with which the sequential bound can certify anything at `alpha`: even n
 * hits out of n must give a lower bound >= 1/2 at the last checkpoint (the schedule built for that
 * n; an explicit list keeps its counts below n).
 *
 * @example
 * minimumSequentialBudget(0.001, { tolerance: 0.1 }); // 10 (one checkpoint: plain Clopper-Pearson)
 */
export function minimumSequentialBudget(alpha: number, o: SequentialSettings, radius: number | SequentialRadiusSettings = 1): number {
  const rs = radiusSettings(radius);
  const budgetOnly = { bound: o.bound, prior: o.prior, tolerance: 1 };
  if (trueLower(1, rs) < 0.5)
    throw new RsRangeError('RS_SAMPLES_INSUFFICIENT', `no budget can certify: the sound correction ${1 - trueLower(1, rs)} leaves pA < 0.5 even at pA = 1`);
  for (let n = 1; ; n++) {
    const checkpoints: CheckpointSpec | undefined = Array.isArray(o.checkpoints) ? o.checkpoints.filter((t) => t < n) : o.checkpoints;
    const plan = sequentialPlan(n, alpha, rs, { ...budgetOnly, checkpoints });
    if (trueLower(plan.bound.lower(n, n), rs) >= 0.5) return n;
  }
}

/**
 * Refuses, before any sampling, a budget that can never certify and (radius mode) a radius that
 * even n hits out of n could not certify: every input would abstain or give up
 * (`RS_SAMPLES_INSUFFICIENT`). `sigma` as in {@link sequentialPlan}.
 *
 * @example
 * checkSequentialBudget(sequentialPlan(100_000, 0.001, 0.25, { radius: 2 }), 0.25); // RangeError: the largest radius ... is 0.93
 */
export function checkSequentialBudget(plan: SequentialPlan, sigma: number | SequentialRadiusSettings): void {
  const rs = radiusSettings(sigma);
  const { n, bound } = plan;
  const best = boundCertificate(bound.lower(n, n), rs);
  if (!best.certified) {
    const need = minimumSequentialBudget(bound.alpha, { bound: bound.name, checkpoints: plan.spec, prior: plan.prior }, rs);
    throw new RsRangeError(
      'RS_SAMPLES_INSUFFICIENT',
      `'n' = ${n} can never certify with the sequential ${bound.name} bound at alpha = ${bound.alpha}: even ${n} hits out of ${n} give a lower bound < 0.5; use n >= ${need}`,
    );
  }
  if (plan.mode === 'radius' && best.radius < plan.target) {
    throw new RsRangeError(
      'RS_SAMPLES_INSUFFICIENT',
      `'sequential.radius' = ${plan.target} can never be certified with the budget n = ${n}: the largest radius the ${bound.name} bound gives at n = ${n} (all hits) is ${best.radius.toFixed(4)}; raise 'n' or lower the radius`,
    );
  }
}
