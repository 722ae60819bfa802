import { RsRangeError } from '../errors.js';
/**
 * Checks a bound's level and schedule, and returns the check of each `(k, t)` it is asked about:
 * `t` must be one of the checkpoints (a bound's guarantee covers those only) and `k` in [0, t].
 */
export function validateCheckpoints(alpha: number, checkpoints: readonly number[]): (k: number, t: number) => void {
  if (typeof alpha !== 'number' || !(alpha > 0 && alpha < 1)) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'alpha' must be in (0, 1), got ${String(alpha)}`);
  if (checkpoints.length === 0) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'checkpoints' must hold at least one sample count`);
  checkpoints.forEach((t, j) => {
    if (!Number.isSafeInteger(t) || t < 1 || (j > 0 && t <= checkpoints[j - 1]!))
      throw new RsRangeError('RS_INVALID_ARG_VALUE', `'checkpoints' must be strictly increasing integers >= 1, got ${checkpoints.join(', ')}`);
  });
  const known = new Set(checkpoints);
  return (k, t) => {
    if (!known.has(t))
      throw new RsRangeError(
        'RS_INVALID_ARG_VALUE',
        `t = ${t} is not a checkpoint of this bound's schedule (its guarantee covers ${checkpoints.length} fixed checkpoints)`,
      );
    if (!Number.isSafeInteger(k) || k < 0 || k > t) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'k' must be an integer in [0, ${t}], got ${k}`);
  };
}
