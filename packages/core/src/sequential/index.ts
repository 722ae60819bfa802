export { checkpointSchedule, DEFAULT_FIRST_CHECKPOINT, DEFAULT_CHECKPOINT_RATIO, MAX_CHECKPOINTS, type CheckpointSpec } from './checkpoint-schedule.js';
export { createSequentialBound, SEQUENTIAL_BOUNDS, type SequentialBound, type SequentialBoundName } from './sequential-bound.js';
export { stagedClopperPearsonBound, claimsFrom } from './staged-clopper-pearson.js';
export { betaBinomialMixtureBound, logMixtureMartingale, JEFFREYS_PRIOR, DEFAULT_MIXTURE_PRIOR, type BetaPrior } from './beta-binomial-mixture.js';
export { radiusOf, stopDecision, type CheckpointState, type StoppingRule, type StopReason } from './stopping-rule.js';
export { planRound, type RoundPlan, type ScheduledInput } from './round-scheduler.js';
export {
  sequentialPlan,
  minimumSequentialBudget,
  checkSequentialBudget,
  RADIUS_MODE_FIRST_SHARE,
  type SequentialPlan,
  type SequentialSettings,
} from './sequential-plan.js';
export { certifySequential, type SequentialCertifyInfo } from './certify-sequential.js';
export { boundCertificate, radiusAt, radiusSettings, trueLower, trueUpper, type SequentialRadiusSettings } from './sequential-radius.js';
export {
  checkpointStep,
  sequentialCertificateFromCounts,
  stoppingRuleOf,
  type RunningBounds,
  type SequentialCertificate,
  type SequentialEvidence,
} from './sequential-certificate.js';
