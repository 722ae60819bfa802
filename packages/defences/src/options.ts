import { parseOptions, type RsErrorCode, RsRangeError, RsTypeError } from '@rs/core';
import { z } from 'zod';

/** `[min, max]` of the data, numbers with min < max (ART's `clip_values`). */
export const clipValuesSchema = z
  .tuple([z.number({ error: 'must hold finite numbers' }), z.number({ error: 'must hold finite numbers' })], { error: 'must be [min, max]' })
  .refine(([lo, hi]) => lo < hi, { error: 'must have min < max' });

/** A boolean option. */
export const flag = () => z.boolean({ error: 'must be a boolean' });

/** An integer in `[lo, hi]`. */
export const intIn = (lo: number, hi: number) =>
  z.number({ error: 'must be a number' }).refine((v) => Number.isInteger(v) && v >= lo && v <= hi, { error: `must be an integer in [${lo}, ${hi}]` });

/** A finite number above 0. */
export const positive = () => z.number({ error: 'must be a number' }).refine((v) => Number.isFinite(v) && v > 0, { error: 'must be a finite number > 0' });

/**
 * Validates a defence factory's options (strict: unknown names are errors) and names the defence
 * in every message.
 */
export function parseDefenceOptions<S extends z.ZodType>(schema: S, value: unknown, name: string): z.output<S> {
  try {
    return parseOptions(schema, value ?? {}, `${name} options`);
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) {
      const message = err.message.startsWith(`${name} options`) ? err.message : `${name} options: ${err.message}`;
      const code = (err as { code?: RsErrorCode }).code;
      throw err instanceof TypeError ? new RsTypeError(code ?? 'RS_INVALID_ARG_TYPE', message) : new RsRangeError(code ?? 'RS_INVALID_ARG_VALUE', message);
    }
    throw err;
  }
}

/** Product of a shape's dimensions. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Checks that `data` holds a batch of `shape` and that the shape has an allowed rank. */
export function checkBatch(name: string, data: Float32Array, shape: readonly number[], ranks?: readonly number[], what = 'image and video data'): void {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new RsTypeError(
      'RS_INVALID_ARG_TYPE',
      `${name}: 'shape' must be an array of non-negative integers (batch dimension first), got ${JSON.stringify(shape)}`,
    );
  }
  if (!(data instanceof Float32Array)) throw new RsTypeError('RS_INVALID_ARG_TYPE', `${name}: 'data' must be a Float32Array`);
  if (data.length !== sizeOf(shape))
    throw new RsRangeError('RS_INVALID_INPUT', `${name}: 'data' has ${data.length} values, shape [${shape.join(', ')}] needs ${sizeOf(shape)}`);
  if (ranks && !ranks.includes(shape.length)) {
    throw new RsRangeError(
      'RS_INVALID_INPUT',
      `${name} can only be applied to ${what}: got a batch of rank ${shape.length} ([${shape.join(', ')}]), expected rank ${ranks.join(' or ')}`,
    );
  }
}

/**
 * A batch of images seen as `[outer, height, width, inner]`: channels-first `[N, C, (T,) H, W]`
 * has `inner = 1`, channels-last `[N, (T,) H, W, C]` has `inner = C`.
 */
export function imageLayout(shape: readonly number[], channelsFirst: boolean): { outer: number; h: number; w: number; inner: number } {
  const n = shape.length;
  if (channelsFirst) return { outer: sizeOf(shape.slice(0, n - 2)), h: shape[n - 2]!, w: shape[n - 1]!, inner: 1 };
  return { outer: sizeOf(shape.slice(0, n - 3)), h: shape[n - 3]!, w: shape[n - 2]!, inner: shape[n - 1]! };
}
