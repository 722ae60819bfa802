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
 *
 * @example
 * assertNumber('x', 1.5); // ok
 * assertNumber('x', '1.5'); // TypeError: 'x' must be a number, got "1.5"
 */
export function assertNumber(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') {
    throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}' must be a number, got ${show(value)} (${typeof value})`);
  }
}

/**
 * Throws unless `value` is a finite number.
 *
 * @example
 * assertFinite('x', 2); // ok
 * assertFinite('x', NaN); // RangeError: 'x' must be a finite number, got NaN
 */
export function assertFinite(name: string, value: unknown): asserts value is number {
  assertNumber(name, value);
  if (!Number.isFinite(value)) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'${name}' must be a finite number, got ${show(value)}`);
  }
}

/**
 * Throws unless `value` is a safe integer in `[min, max]`.
 *
 * @example
 * assertIntegerInRange('n', 10, 1); // ok
 * assertIntegerInRange('n', 0, 1); // RangeError: 'n' must be an integer in [1, 9007199254740991], got 0
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
 *
 * @example
 * assertCounts(3, 10); // ok
 * assertCounts(11, 10); // RangeError: 'k' must be an integer in [0, n] = [0, 10], got 11
 */
export function assertCounts(k: unknown, n: unknown): asserts k is number {
  assertIntegerInRange('n', n, 1);
  assertIntegerInRange('k', k, 0, n as number, 'n');
}

/**
 * Throws unless `0 < value < 1`.
 *
 * @example
 * assertOpenUnit('alpha', 0.05); // ok
 * assertOpenUnit('alpha', 1.5); // RangeError: 'alpha' must be in (0, 1), got 1.5
 */
export function assertOpenUnit(name: string, value: unknown): asserts value is number {
  assertNumber(name, value);
  if (!(value > 0 && value < 1)) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'${name}' must be in (0, 1), got ${show(value)}`);
  }
}

/**
 * Throws unless `0 <= value <= 1`.
 *
 * @example
 * assertClosedUnit('p', 1); // ok
 * assertClosedUnit('p', -0.1); // RangeError: 'p' must be in [0, 1], got -0.1
 */
export function assertClosedUnit(name: string, value: unknown): asserts value is number {
  assertNumber(name, value);
  if (!(value >= 0 && value <= 1)) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'${name}' must be in [0, 1], got ${show(value)}`);
  }
}

/**
 * Throws unless `value` is a finite number `> 0`.
 *
 * @example
 * assertPositiveFinite('sigma', 0.25); // ok
 * assertPositiveFinite('sigma', 0); // RangeError: 'sigma' must be a finite number > 0, got 0
 */
export function assertPositiveFinite(name: string, value: unknown): asserts value is number {
  assertNumber(name, value);
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'${name}' must be a finite number > 0, got ${show(value)}`);
  }
}
