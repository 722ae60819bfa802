/**
 * Training methods for randomized smoothing, written once over the `training.step` capability.
 */
export type { MethodBatch, PreparedBatch, TrainingMethod, TrainingMethodName } from './method.js';
export {
  TRAINING_METHODS,
  fitOptionsSchema,
  fitGeneratorOptionsSchema,
  methodLossOptionsSchema,
  trainingMethod,
  parseTrainingOptions,
  type FitOptions,
  type FitGeneratorOptions,
  type MethodLossOptions,
  type ParsedFitOptions,
} from './fit-options.js';
export { learningRateAt, learningRateScheduleSchema, type LearningRateSchedule } from './learning-rate.js';
export { crossEntropyHead } from './cross-entropy-head.js';
export { gaussianMethod } from './gaussian.js';
export { macerHead, macerMethod, type MacerSettings } from './macer.js';
export { consistencyHead, consistencyMethod, type ConsistencySettings } from './consistency.js';
export { smoothAdvMethod, warmedEpsilon, type SmoothAdvSettings } from './smooth-adv.js';
export { smoothMixHead, smoothMixMethod, mixingWeights, type SmoothMixSettings } from './smooth-mix.js';
export { smoothPgdAttack, type SmoothPgdSettings } from './smooth-pgd-attack.js';
export { smoothDdnAttack, type SmoothDdnSettings } from './smooth-ddn-attack.js';
export { smoothMixAttack, type SmoothMixAttackSettings } from './smooth-mix-attack.js';
export { softSmoothedGradient, type SoftSmoothedGradient } from './soft-smoothed-gradient.js';
export { noisyCopies, scaledNoise, addNoise } from './noisy-copies.js';
export type { MethodLoss } from './method-loss.js';
