import { describeValue, RsTypeError } from '../errors.js';
import { assertCapabilities } from './capabilities.js';
import type { Classifier } from './classifier.js';

/**
 * Checks that `value` honours the {@link Classifier} contract's static part: a positive integer
 * `inputShape`, `nbClasses >= 2`, a `forward` function, and each capability that is present
 * complete (e.g. `gradients.vjp` a function). Throws a `TypeError` naming the first problem.
 *
 * @example
 * assertClassifier({ inputShape: [2], nbClasses: 2, forward: (x, batch) => new Float32Array(batch * 2), gradients: {} });
 * // TypeError: 'classifier.gradients.vjp' must be a function (the 'gradients' capability), got undefined
 */
export function assertClassifier(value: unknown, name = 'classifier'): asserts value is Classifier {
  if (value === null || typeof value !== 'object')
    throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}' must be a Classifier object, got ${describeValue(value)}`);
  const c = value as Partial<Classifier>;
  if (!Array.isArray(c.inputShape) || c.inputShape.length === 0 || !c.inputShape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}.inputShape' must be a non-empty array of positive integers, got ${JSON.stringify(c.inputShape)}`);
  }
  if (!Number.isInteger(c.nbClasses) || (c.nbClasses as number) < 2) {
    throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}.nbClasses' must be an integer >= 2, got ${describeValue(c.nbClasses)}`);
  }
  if (typeof c.forward !== 'function') throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}.forward' must be a function`);
  assertCapabilities(c as Classifier, name);
  if (c.maxBatchSize !== undefined && !(Number.isInteger(c.maxBatchSize) && c.maxBatchSize >= 1)) {
    throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}.maxBatchSize' must be a positive integer, got ${describeValue(c.maxBatchSize)}`);
  }
  const plan = c.hostSampling;
  if (plan !== undefined) {
    if (plan === null || typeof plan !== 'object')
      throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}.hostSampling' must be an object, got ${describeValue(plan)}`);
    if (plan.overlap !== undefined && typeof plan.overlap !== 'boolean')
      throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}.hostSampling.overlap' must be a boolean, got ${describeValue(plan.overlap)}`);
    if (plan.noise !== undefined && (plan.noise === null || typeof plan.noise.fillNoisy !== 'function')) {
      throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}.hostSampling.noise' must be a NoiseGenerator (with fillNoisy), got ${describeValue(plan.noise)}`);
    }
  }
}

/**
 * Number of features of one input: the product of `inputShape`.
 *
 * @example
 * featureCount([1, 28, 28]); // 784
 */
export function featureCount(inputShape: readonly number[]): number {
  return inputShape.reduce((a, b) => a * b, 1);
}
