import { describeValue } from '../errors.js';
import type { Classifier, ClassifierCapabilities } from './classifier.js';

const CAPABILITY_PROPERTY: Record<Exclude<keyof ClassifierCapabilities, 'preprocessing'>, keyof Classifier> = {
  gradients: 'gradients',
  training: 'training',
  activations: 'activations',
  save: 'saver',
  deviceSampling: 'deviceSampler',
};
const OPTIONAL_CAPABILITIES = new Set<string>(['deviceSampling']);

/**
 * Checks that `value` honours the {@link Classifier} contract's static part: a positive integer
 * `inputShape`, `nbClasses >= 2`, a `forward` function, and capabilities that match the
 * properties present (a declared capability must be provided, an undeclared one must be absent).
 * Throws a `TypeError` naming the first problem.
 *
 * @example
 * assertClassifier(myBackendClassifier); // throws if e.g. capabilities.gradients is true but `gradients` is missing
 */
export function assertClassifier(value: unknown, name = 'classifier'): asserts value is Classifier {
  if (value === null || typeof value !== 'object') throw new TypeError(`'${name}' must be a Classifier object, got ${describeValue(value)}`);
  const c = value as Partial<Classifier>;
  if (!Array.isArray(c.inputShape) || c.inputShape.length === 0 || !c.inputShape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new TypeError(`'${name}.inputShape' must be a non-empty array of positive integers, got ${JSON.stringify(c.inputShape)}`);
  }
  if (!Number.isInteger(c.nbClasses) || (c.nbClasses as number) < 2) {
    throw new TypeError(`'${name}.nbClasses' must be an integer >= 2, got ${describeValue(c.nbClasses)}`);
  }
  if (typeof c.forward !== 'function') throw new TypeError(`'${name}.forward' must be a function`);
  const caps = c.capabilities;
  if (caps === null || typeof caps !== 'object')
    throw new TypeError(`'${name}.capabilities' must be an object declaring gradients, training, activations, save, preprocessing`);
  for (const [capability, property] of Object.entries(CAPABILITY_PROPERTY) as [keyof typeof CAPABILITY_PROPERTY, keyof Classifier][]) {
    const declared = caps[capability] ?? (OPTIONAL_CAPABILITIES.has(capability) ? false : undefined);
    if (typeof declared !== 'boolean') throw new TypeError(`'${name}.capabilities.${capability}' must be a boolean`);
    const present = c[property] !== undefined;
    if (declared && !present) throw new TypeError(`'${name}' declares capability '${capability}' but has no '${property}'`);
    if (!declared && present) throw new TypeError(`'${name}' has '${property}' but does not declare capability '${capability}'`);
  }
  if (typeof caps.preprocessing !== 'boolean') throw new TypeError(`'${name}.capabilities.preprocessing' must be a boolean`);
  if (c.maxBatchSize !== undefined && !(Number.isInteger(c.maxBatchSize) && c.maxBatchSize >= 1)) {
    throw new TypeError(`'${name}.maxBatchSize' must be a positive integer, got ${describeValue(c.maxBatchSize)}`);
  }
  const plan = c.hostSampling;
  if (plan !== undefined) {
    if (plan === null || typeof plan !== 'object') throw new TypeError(`'${name}.hostSampling' must be an object, got ${describeValue(plan)}`);
    if (plan.overlap !== undefined && typeof plan.overlap !== 'boolean')
      throw new TypeError(`'${name}.hostSampling.overlap' must be a boolean, got ${describeValue(plan.overlap)}`);
    if (plan.noise !== undefined && (plan.noise === null || typeof plan.noise.fillNoisy !== 'function')) {
      throw new TypeError(`'${name}.hostSampling.noise' must be a NoiseGenerator (with fillNoisy), got ${describeValue(plan.noise)}`);
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
