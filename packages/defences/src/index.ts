/**
 * `@rs/defences`: IBM ART 1.20's preprocessing and postprocessing defences, numerically equal to
 * ART's (float32 with numpy's own rounding, `exp` / `log` and sums), as `Preprocessor` /
 * `Postprocessor` objects for `@rs/core`'s `preprocessingDefences` / `postprocessingDefences`
 * smoothing options. Factories are named after ART's classes, with ART's parameter names in camelCase.
 */
export { featureSqueezing, type FeatureSqueezingOptions } from './feature-squeezing.js';
export { spatialSmoothing, type SpatialSmoothingOptions } from './spatial-smoothing.js';
export { jpegCompression, type JpegCompressionOptions } from './jpeg-compression.js';
export { thermometerEncoding, type ThermometerEncodingOptions } from './thermometer-encoding.js';
export { classLabels, highConfidence, reverseSigmoid, rounded, gaussianNoise } from './postprocessors.js';
export {
  preprocessorFromSpec,
  postprocessorFromSpec,
  preprocessorFromRecord,
  postprocessorFromRecord,
  PREPROCESSOR_SPECS,
  POSTPROCESSOR_SPECS,
  type DefenceSpecDefaults,
} from './defence-spec.js';
export { expf, logf, fmaf, rintEven, pairwiseSum } from './numpy-float32.js';
