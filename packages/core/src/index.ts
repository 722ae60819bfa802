/**
 * `@rs/core`: framework-free randomized smoothing (Cohen, Rosenfeld & Kolter 2019).
 *
 * - statistics: Clopper-Pearson bounds, exact binomial test, normal CDF/quantile, certified radius;
 * - noise: Philox4x32-10 counter-based noise (Gaussian, uniform, Laplace) with a documented stream layout;
 * - the noise self-test: known answers and distribution tests of every generator;
 * - the sampling engine, CERTIFY / PREDICT, smoothed gradients;
 * - training for smoothing (`fit` with Gaussian augmentation, MACER, SmoothAdv, SmoothMix, Consistency),
 *   written once over the backends' `training.step` and loss heads;
 * - the `Classifier` contract backends implement, `smooth()`, `RandomizedSmoothingMixin`, `fromFunction`.
 */
export * from './stats/index.js';
export * from './noise/index.js';
export * from './selftest/index.js';
export * from './sound/index.js';
export * from './errors.js';
export type * from './classifier/classifier.js';
export { CAPABILITY_NAMES, capabilitiesOf, requireCapability } from './classifier/capabilities.js';
export { cloneForRefitting, type Refittable } from './classifier/refittable.js';
export { assertClassifier, featureCount } from './classifier/assert-classifier.js';
export { fromFunction, type FromFunctionOptions } from './classifier/from-function.js';
export { linearClassifier } from './classifier/linear-classifier.js';
export { toInputBatch, toLabels, type InputBatch } from './input/input-batch.js';
export {
  hostValues,
  type InputLike,
  type LabelsLike,
  type TensorLike,
  type OrtTensorLike,
  type TfTensorLike,
  type NestedNumbers,
  type NumericArray,
  type HostValues,
} from './input/tensor-like.js';
export { expandPerFeature } from './input/feature-arrays.js';
export { parseOptions } from './options/parse-options.js';
export { suggestOptionName, FAMILIAR_OPTION_NAMES } from './options/familiar-names.js';
export { integerAtLeast, positiveReal, realIn } from './options/schema-helpers.js';
export { smoothingOptionsSchema, seedSchema, SMOOTHING_OPTION_KEYS, type SmoothingOptions, type ParsedSmoothingOptions } from './options/smoothing-options.js';
export {
  certifyOptionsSchema,
  sequentialOptionsSchema,
  predictOptionsSchema,
  gradientOptionsSchema,
  batchOptionsSchema,
  type CertifyOptions,
  type SequentialOptions,
  type PredictOptions,
  type GradientOptions,
  type BatchOptions,
} from './options/run-options.js';
export * from './sampling/index.js';
export * from './sequential/index.js';
export { resolveSmoothingConfig, type SmoothingConfig } from './smoothing/smoothing-config.js';
export { minimumSamplesToCertify, type CertifyResult } from './smoothing/certify.js';
export { certificateFromCounts, type Certificate, type CertificateEvidence } from './smoothing/certificate.js';
export { minimumSamplesToPredict, oneHot, type PredictResult } from './smoothing/predict.js';
export { epochOrder, type FitResult } from './smoothing/fit.js';
export * from './training/index.js';
export type { BatchSource, TrainingBatch } from './smoothing/fit-generator.js';
export { SmoothedClassifier, type RandomizedSmoothingMethods } from './smoothing/smoothed-classifier.js';
export { smooth } from './smoothing/smooth.js';
export {
  RandomizedSmoothingMixin,
  pickSmoothingOptions,
  type ClassifierConstructor,
  type RandomizedSmoothingClass,
  type RandomizedSmoothingInstance,
} from './smoothing/mixin.js';
export { createClassifier, createSmoothed, type AdapterClass } from './smoothing/create-smoothed.js';
export {
  assertDefence,
  describeDefence,
  type DefenceBase,
  type DefenceGradient,
  type DefenceOutput,
  type Postprocessor,
  type Preprocessor,
} from './compose/defence.js';
export { defendedInputShape, shapeAfter } from './compose/defence-chain.js';
export { defendedClassifier, type DefendedClassifierOptions } from './compose/defended-classifier.js';
export { compose, imageModelOutputSize, type ImageModel } from './compose/compose.js';
export { ensemble, type EnsembleCombine, type EnsembleOptions } from './compose/ensemble.js';
export { mseHead, trainDenoiser, type DenoiserTrainingOptions, type DenoiserTrainingResult } from './compose/denoiser-training.js';
export { denoiserTraining, pulledBackHead } from './compose/composed-training.js';
