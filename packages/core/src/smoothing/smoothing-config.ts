import { assertClassifier, featureCount } from '../classifier/assert-classifier.js';
import type { Classifier } from '../classifier/classifier.js';
import { expandPerFeature } from '../input/feature-arrays.js';
import { parseOptions } from '../options/parse-options.js';
import { smoothingOptionsSchema, type ParsedSmoothingOptions, type SmoothingOptions } from '../options/smoothing-options.js';
import { createNoiseGenerator, randomSeed, seedFromNumber, type NoiseGenerator } from '../noise/index.js';
import { RsRangeError } from '../errors.js';
import { drawsFamily, type SamplingContext } from '../sampling/noisy-batches.js';
import { assertDefence } from '../compose/defence.js';
import { defendedInputShape } from '../compose/defence-chain.js';
import { defendedClassifier } from '../compose/defended-classifier.js';

/** Smoothing options resolved against a classifier: per-feature arrays, the noise generator. */
export interface SmoothingConfig {
  /**
   * The base classifier f every method runs: the given classifier, or (with defences) the
   * composition of the defences, `preprocessing` and the classifier (`defendedClassifier`).
   */
  classifier: Classifier;
  options: ParsedSmoothingOptions;
  dim: number;
  /** The valid input domain (`clipValues`), per feature, or null. */
  domain: { min: Float32Array; max: Float32Array } | null;
  /** Per-feature `[subtrahend, divisor]` core applies, or null (none, or the classifier applies it). */
  preprocessing: { sub: Float32Array; div: Float32Array } | null;
  noise: NoiseGenerator;
  /** The sound mode's grid (`sound` option), or null in the float mode. */
  sound: { levels: number } | null;
}

let sharedNoise: NoiseGenerator | undefined;
function defaultNoise(): NoiseGenerator {
  sharedNoise ??= createNoiseGenerator();
  return sharedNoise;
}

/**
 * Validates smoothing options against a classifier and precomputes what every method needs.
 * Throws a `TypeError`/`RangeError` naming the option on bad input.
 *
 * @example
 * const config = resolveSmoothingConfig(classifier, { scale: 0.25, clipValues: [0, 1] });
 */
export function resolveSmoothingConfig(classifier: Classifier, options: SmoothingOptions | undefined, noise?: NoiseGenerator): SmoothingConfig {
  assertClassifier(classifier);
  const o = parseOptions(smoothingOptionsSchema, options ?? {}, 'smoothing options');
  const pre = o.preprocessingDefences ?? [];
  const post = o.postprocessingDefences ?? [];
  for (const [i, d] of pre.entries()) assertDefence(d, `preprocessingDefences[${i}]`);
  for (const [i, d] of post.entries()) assertDefence(d, `postprocessingDefences[${i}]`);
  const defended = pre.length + post.length > 0;
  const modelShape = classifier.inputShape;
  // The raw input shape: the model's, or what the preprocessing defences map to it.
  const shape = defended ? defendedInputShape(modelShape, pre, o.inputShape) : modelShape;
  if (o.inputShape && (o.inputShape.length !== shape.length || o.inputShape.some((d, i) => d !== shape[i]))) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'inputShape' [${o.inputShape.join(', ')}] does not match the classifier's [${shape.join(', ')}]`);
  }
  if (o.nbClasses !== undefined && o.nbClasses !== classifier.nbClasses) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'nbClasses' ${o.nbClasses} does not match the classifier's ${classifier.nbClasses}`);
  }
  const dim = featureCount(shape);
  let domain: SmoothingConfig['domain'] = null;
  if (o.clipValues) {
    const min = expandPerFeature(o.clipValues[0], shape, o.channelsFirst, 'clipValues[0]');
    const max = expandPerFeature(o.clipValues[1], shape, o.channelsFirst, 'clipValues[1]');
    for (let f = 0; f < dim; f++) {
      if (!(min[f]! < max[f]!))
        throw new RsRangeError('RS_INVALID_ARG_VALUE', `'clipValues' must have min < max for every feature, got [${min[f]}, ${max[f]}] at feature ${f}`);
    }
    domain = { min, max };
  }
  if (o.clipNoisy && !domain) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'clipNoisy' is true but 'clipValues' is not set: there is nothing to clip to`);
  let preprocessing: SmoothingConfig['preprocessing'] = null;
  if (o.preprocessing && classifier.preprocessing) {
    throw new RsRangeError(
      'RS_INVALID_ARG_VALUE',
      `'preprocessing' is given, but the classifier applies its own preprocessing (its 'preprocessing' capability): give it in one place only`,
    );
  }
  if (o.preprocessing) {
    // Over the model's input: after the preprocessing defences.
    const sub = expandPerFeature(o.preprocessing[0], modelShape, o.channelsFirst, 'preprocessing[0]');
    const div = expandPerFeature(o.preprocessing[1], modelShape, o.channelsFirst, 'preprocessing[1]');
    for (let f = 0; f < div.length; f++) {
      if (div[f] === 0) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'preprocessing' divisor must be non-zero, got 0 at feature ${f}`);
    }
    const identity = sub.every((v) => v === 0) && div.every((v) => v === 1);
    preprocessing = identity ? null : { sub, div };
  }
  const generator = noise ?? classifier.hostSampling?.noise ?? defaultNoise();
  if (!drawsFamily(generator.families, o.noise)) {
    throw new RsRangeError(
      'RS_INVALID_ARG_VALUE',
      `'noise' is '${o.noise}', but the noise generator '${generator.name}' draws only ${(generator.families ?? ['gaussian']).map((f) => `'${f}'`).join(', ')}`,
    );
  }
  let sound: SmoothingConfig['sound'] = null;
  if (o.sound !== false) {
    if (o.noise !== 'gaussian')
      throw new RsRangeError('RS_INVALID_ARG_VALUE', `'sound' needs Gaussian noise (a discretized Gaussian), but 'noise' is '${o.noise}'`);
    sound = { levels: o.sound === true ? 255 : o.sound.levels };
  }
  if (defended) {
    // The base classifier the engine sees: everything after the noise (the engine is unchanged).
    const base = defendedClassifier(classifier, { preprocessingDefences: pre, postprocessingDefences: post, preprocessing, inputShape: shape });
    return { classifier: base, options: o, dim, domain, preprocessing: null, noise: generator, sound };
  }
  return { classifier, options: o, dim, domain, preprocessing, noise: generator, sound };
}

/**
 * The seed of one call: the configured `seed`, or a fresh one from `crypto`.
 */
export function callSeed(config: SmoothingConfig): bigint {
  return config.options.seed === undefined ? randomSeed() : seedFromNumber(config.options.seed);
}

/**
 * In-place `(x - sub) / div` over `rows` inputs, or null when there is no preprocessing to apply.
 */
export function preprocessor(config: SmoothingConfig): ((buffer: Float32Array, rows: number) => void) | null {
  const p = config.preprocessing;
  if (!p) return null;
  const { sub, div } = p;
  const dim = config.dim;
  return (buffer, rows) => {
    for (let r = 0; r < rows; r++) {
      const o = r * dim;
      for (let f = 0; f < dim; f++) buffer[o + f] = (buffer[o + f]! - sub[f]!) / div[f]!;
    }
  };
}

/**
 * The sampling engine's context for one call.
 */
export function samplingContext(config: SmoothingConfig, seed: bigint): SamplingContext {
  return {
    classifier: config.classifier,
    dim: config.dim,
    noise: config.noise,
    seed,
    scale: config.options.scale,
    family: config.options.noise,
    clipNoisy: config.options.clipNoisy ? config.domain : null,
    preprocess: preprocessor(config),
    preprocessing: config.preprocessing,
    overlapNoise: config.classifier.hostSampling?.overlap ?? true,
  };
}

/**
 * Noise ids of `count` inputs: `inputIds` when given (validated: one per input, each < 2^32),
 * else `indexOffset + i`.
 */
export function inputIdsFor(count: number, o: { inputIds?: ArrayLike<number> | undefined; indexOffset?: number }): Uint32Array {
  const ids = new Uint32Array(count);
  if (o.inputIds) {
    if (o.inputIds.length !== count)
      throw new RsRangeError('RS_INVALID_ARG_VALUE', `'inputIds' has ${o.inputIds.length} ids for ${count} inputs: give one per input`);
    for (let i = 0; i < count; i++) {
      const v = o.inputIds[i]!;
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
        throw new RsRangeError('RS_INVALID_ARG_VALUE', `'inputIds[${i}]' must be an integer in [0, 2^32), got ${v}`);
      ids[i] = v;
    }
    return ids;
  }
  const offset = o.indexOffset ?? 0;
  if (offset + count - 1 > 0xffffffff) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'indexOffset' ${offset} + ${count} inputs exceeds 2^32 noise ids`);
  for (let i = 0; i < count; i++) ids[i] = offset + i;
  return ids;
}
