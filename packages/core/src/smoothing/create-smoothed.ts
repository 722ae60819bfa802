import { pickSmoothingOptions } from './mixin.js';
import type { SmoothingOptions } from '../options/smoothing-options.js';

/**
 * The shared body of a backend's `XRandomizedSmoothing.create(options)`: splits `options` into the
 * base classifier's options and the smoothing ones, prepares the base classifier, constructs the
 * smoothed instance and applies the smoothing options (validated there); if they are invalid, the
 * instance is disposed before the error propagates, so no native resource leaks.
 * Validate the whole options object against the backend's schema before calling this.
 *
 * @param overrides smoothing options the backend fixes or derives (e.g. tfjs's `channelsFirst` default).
 *
 * @example
 * static async create(options) {
 *   parseOptions(mySchema, options, 'MyRandomizedSmoothing options');
 *   return createSmoothed(options, prepareMyClassifier, (init) => new MyRandomizedSmoothing(init));
 * }
 */
export async function createSmoothed<I, T extends { configureSmoothing(options: SmoothingOptions): unknown; dispose?(): unknown }>(
  options: object,
  prepare: (baseOptions: never) => Promise<I>,
  construct: (init: I) => T,
  overrides: Partial<SmoothingOptions> = {},
): Promise<T> {
  const smoothing = { ...pickSmoothingOptions(options), ...overrides };
  const base = Object.fromEntries(Object.entries(options).filter(([k]) => !(k in smoothing)));
  const instance = construct(await prepare(base as never));
  try {
    instance.configureSmoothing(smoothing);
    return instance;
  } catch (err) {
    await instance.dispose?.();
    throw err;
  }
}
