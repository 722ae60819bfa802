import type { z } from 'zod';
import type { Classifier } from '../classifier/classifier.js';
import { describeValue, RsTypeError } from '../errors.js';
import { parseOptions } from '../options/parse-options.js';
import { SMOOTHING_OPTION_KEYS, type SmoothingOptions } from '../options/smoothing-options.js';

/**
 * A backend's classifier class, as core's generic `create` functions see it: a schema of its own
 * options, a static `prepare` that turns validated options into the constructor's argument
 * (load the model, open the device, probe the output), and a constructor that takes it.
 *
 * @example
 * class MyClassifier implements Classifier {
 *   static readonly optionsSchema = z.object({ weights: z.array(z.number()) }).strict();
 *   static async prepare(o: z.output<typeof MyClassifier.optionsSchema>): Promise<MyInit> { ... }
 *   constructor(init: MyInit) { ... }
 * }
 */
export interface AdapterClass<S extends z.ZodObject, I, C> {
  new (init: I): C;
  readonly optionsSchema: S;
  prepare(options: z.output<S>): Promise<I>;
}

function asObject(options: unknown, what: string): Record<string, unknown> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${what}' must be an options object, got ${describeValue(options)}`);
  }
  return options as Record<string, unknown>;
}

/**
 * The body of a backend classifier's `create(options)`: validates the options once against the
 * class's schema, prepares, constructs.
 *
 * @example
 * static create(options: MyOptions): Promise<MyClassifier> {
 *   return createClassifier(MyClassifier, options, 'MyClassifier options');
 * }
 */
export async function createClassifier<S extends z.ZodObject, I, C extends Classifier>(
  Class: AdapterClass<S, I, C>,
  options: unknown,
  what: string,
): Promise<C> {
  return new Class(await Class.prepare(parseOptions(Class.optionsSchema, asObject(options, what), what)));
}

/**
 * The body of a backend's `XRandomizedSmoothing.create(options)`: splits `options` into the base
 * classifier's options and the smoothing ones, validates each part once (the base part against the
 * class's `optionsSchema`, the smoothing part when it is applied), prepares the base classifier,
 * constructs the smoothed instance and applies the smoothing options; if they are invalid, the
 * instance is disposed before the error propagates, so no native resource leaks.
 *
 * @param defaults smoothing options the backend defaults differently (e.g. tfjs's `channelsFirst: false`).
 *
 * @example
 * static create(options: MySmoothingOptions): Promise<MyRandomizedSmoothing> {
 *   return createSmoothed(MyRandomizedSmoothing, options, 'MyRandomizedSmoothing options');
 * }
 */
export async function createSmoothed<S extends z.ZodObject, I, C extends Classifier & { configureSmoothing(options: SmoothingOptions): unknown }>(
  Class: AdapterClass<S, I, C>,
  options: unknown,
  what: string,
  defaults: Partial<SmoothingOptions> = {},
): Promise<C> {
  const all = asObject(options, what);
  const baseKeys = new Set(Object.keys(Class.optionsSchema.shape));
  const base: Record<string, unknown> = {};
  const smoothing: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(all)) {
    if (!baseKeys.has(key) && (SMOOTHING_OPTION_KEYS as readonly string[]).includes(key)) smoothing[key] = value;
    else base[key] = value;
  }
  const instance = new Class(await Class.prepare(parseOptions(Class.optionsSchema, base, what)));
  try {
    instance.configureSmoothing(smoothing as SmoothingOptions);
    return instance;
  } catch (err) {
    await instance.dispose?.();
    throw err;
  }
}
