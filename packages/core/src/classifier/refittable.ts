import { RsTypeError } from '../errors.js';
import { requireCapability } from './capabilities.js';
import type { Classifier } from './classifier.js';

/**
 * A classifier class whose instances can build the constructor argument of an untrained twin:
 * the one hook behind every `cloneForRefitting` (ART's `clone_for_refitting`). The twin is
 * `new (instance.constructor)(await instance.prepareClone())`, then its weights are reset.
 *
 * @example
 * class MyClassifier implements Classifier, Refittable<MyInit> {
 *   constructor(readonly init: MyInit) { ... }
 *   async prepareClone(): Promise<MyInit> { return { ...this.init, weights: this.init.weights.slice() }; }
 * }
 */
export interface Refittable<I = unknown> {
  prepareClone(): Promise<I>;
}

/**
 * A fresh, untrained twin of `classifier` (same class, architecture and options; weights reset):
 * needs the `training` capability and a {@link Refittable} class.
 *
 * @example
 * const fresh = await cloneForRefitting(onnxClassifier);
 */
export async function cloneForRefitting<C extends Classifier>(classifier: C): Promise<C> {
  requireCapability(classifier, 'training', 'cloneForRefitting');
  const hook = (classifier as Partial<Refittable>).prepareClone;
  if (typeof hook !== 'function') {
    throw new RsTypeError(
      'RS_CAPABILITY_MISSING',
      `cloneForRefitting needs a classifier class with a prepareClone() hook (the Refittable interface); this classifier has none`,
    );
  }
  const Ctor = classifier.constructor as new (init: unknown) => C;
  const clone = new Ctor(await hook.call(classifier));
  try {
    await requireCapability(clone, 'training', 'cloneForRefitting').reset();
    return clone;
  } catch (err) {
    await clone.dispose?.();
    throw err;
  }
}
