import { z } from 'zod';

/**
 * Small zod builders whose messages read well after an option name:
 * `'n' must be an integer >= 1`. Used by every options schema of the library.
 */

/**
 * A finite number in an interval; `open` marks which ends are excluded.
 *
 * @example
 * realIn(0, 0.5, { open: 'both' }); // message: must be in (0, 0.5)
 */
export function realIn(lo: number, hi: number, { open = 'both' }: { open?: 'both' | 'low' | 'high' | 'none' } = {}) {
  const left = open === 'both' || open === 'low' ? '(' : '[';
  const right = open === 'both' || open === 'high' ? ')' : ']';
  const range = `${left}${lo}, ${hi}${right}`;
  return z
    .number({ error: `must be a finite number in ${range}` })
    .refine((v) => Number.isFinite(v) && (left === '(' ? v > lo : v >= lo) && (right === ')' ? v < hi : v <= hi), { error: `must be in ${range}` });
}

/**
 * A finite number > 0.
 *
 * @example
 * positiveReal(); // message: must be a finite number > 0
 */
export function positiveReal() {
  return z.number({ error: 'must be a finite number > 0' }).refine((v) => Number.isFinite(v) && v > 0, { error: 'must be a finite number > 0' });
}

/**
 * An integer >= `min` (and <= `max`, default 2^32 - 1 so it fits a Philox counter word).
 *
 * @example
 * integerAtLeast(1); // message: must be an integer >= 1
 */
export function integerAtLeast(min: number, max = 2 ** 32 - 1) {
  const msg = max === 2 ** 32 - 1 ? `must be an integer >= ${min}` : `must be an integer in [${min}, ${max}]`;
  return z.number({ error: msg }).refine((v) => Number.isInteger(v) && v >= min && v <= max, { error: msg });
}

/**
 * A function (callbacks such as `onProgress`).
 */
export function callback<F extends (...args: never[]) => unknown>() {
  return z.custom<F>((v) => typeof v === 'function', { error: 'must be a function' });
}

/**
 * An `AbortSignal`.
 */
export function abortSignal() {
  return z.custom<AbortSignal>(
    (v) => typeof v === 'object' && v !== null && typeof (v as AbortSignal).aborted === 'boolean' && typeof (v as AbortSignal).addEventListener === 'function',
    { error: 'must be an AbortSignal' },
  );
}
