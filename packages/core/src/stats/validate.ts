import { RsRangeError, RsTypeError } from '../errors.js';
/**
 * Argument validation shared by the public functions of the statistics module.
 *
 * Conventions: a value that is not of type `number` raises a `TypeError`; a number
 * outside the allowed domain (including `NaN` and `±Infinity` where they are not
 * allowed) raises a `RangeError`. Every message names the argument, the allowed
 * range and the offending value, e.g. `'alpha' must be in (0, 1), got 1.5`.
 */

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

/**
 * Throws a `TypeError` unless `value` is of type `number`.
 */
export function assertNumber(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') {
    throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}' must be a number, got ${show(value)} (${typeof value})`);
  }
}

/**
 * Throws unless `value` is a finite number.
 */
export function assertFinite(name: string, value: unknown): asserts value is number {
  assertNumber(name, value);
  if (!Number.isFinite(value)) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'${name}' must be a finite number, got ${show(value)}`);
  }
}

/**
 * Throws unless `value` is a safe integer in `[min, max]`.
 */
export function assertIntegerInRange(
  name: string,
  value: unknown,
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
  maxLabel?: string,
): asserts value is number {
  assertNumber(name, value);
  const range = maxLabel === undefined ? `[${min}, ${max}]` : `[${min}, ${maxLabel}] = [${min}, ${max}]`;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'${name}' must be an integer in ${range}, got ${show(value)}`);
  }
}

/**
 * Validates a binomial count pair: `n` an integer `>= 1` (and at most 2^53 - 1),
 * `k` an integer with `0 <= k <= n`.
 */
export function assertCounts(k: unknown, n: unknown): asserts k is number {
  assertIntegerInRange('n', n, 1);
  assertIntegerInRange('k', k, 0, n as number, 'n');
}

/**
 * Throws unless `0 < value < 1`.
 */
export function assertOpenUnit(name: string, value: unknown): asserts value is number {
  assertNumber(name, value);
  if (!(value > 0 && value < 1)) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'${name}' must be in (0, 1), got ${show(value)}`);
  }
}

/**
 * Throws unless `0 <= value <= 1`.
 */
export function assertClosedUnit(name: string, value: unknown): asserts value is number {
  assertNumber(name, value);
  if (!(value >= 0 && value <= 1)) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'${name}' must be in [0, 1], got ${show(value)}`);
  }
}

/**
 * Throws unless `value` is a finite number `> 0`.
 */
export function assertPositiveFinite(name: string, value: unknown): asserts value is number {
  assertNumber(name, value);
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'${name}' must be a finite number > 0, got ${show(value)}`);
  }
}
