import type { Classifier } from '../classifier/classifier.js';
import type { SmoothingOptions } from '../options/smoothing-options.js';
import { SmoothedClassifier } from './smoothed-classifier.js';

/**
 * Wraps a classifier instance into a smoothed classifier g(x) = argmax_c P(f(x + e) = c),
 * e ~ N(0, scale^2 I). Options are validated here (`'alpha' must be in (0, 0.5), got 0.7`).
 *
 * @example
 * import { smooth, linearClassifier } from '@rs/core';
 * const g = smooth(linearClassifier({ weights: [[0, 0], [1, 1]], bias: [0, -1] }), { scale: 0.5, alpha: 0.001, seed: 1 });
 * const { prediction, radius } = await g.certify(new Float32Array([1.5, 1.5]), { n: 10_000, batchSize: 1000 });
 */
export function smooth(classifier: Classifier, options: SmoothingOptions = {}): SmoothedClassifier {
  return new SmoothedClassifier(classifier, options);
}
