/**
 * Stepping between adjacent IEEE-754 doubles. Used for conservative (directed)
 * rounding of confidence bounds.
 */

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/**
 * The smallest double strictly greater than `x` (`nextUp(-0) = nextUp(0) = 5e-324`).
 * `NaN` and `+Infinity` are returned unchanged.
 *
 * @example
 * nextUp(1) === 1 + Number.EPSILON; // true
 */
export function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  if (x > 0) u64[0]! += 1n;
  else u64[0]! -= 1n;
  return f64[0];
}

/**
 * The largest double strictly smaller than `x` (`nextDown(0) = -5e-324`).
 * `NaN` and `-Infinity` are returned unchanged.
 *
 * @example
 * nextDown(1) === 1 - Number.EPSILON / 2; // true
 */
export function nextDown(x: number): number {
  return -nextUp(-x);
}

/**
 * Steps `x` down by `count` ulps, never below `floor`.
 */
export function stepDown(x: number, count: number, floor: number): number {
  let y = x;
  for (let i = 0; i < count && y > floor; i++) y = nextDown(y);
  return y < floor ? floor : y;
}

/**
 * Steps `x` up by `count` ulps, never above `ceiling`.
 */
export function stepUp(x: number, count: number, ceiling: number): number {
  let y = x;
  for (let i = 0; i < count && y < ceiling; i++) y = nextUp(y);
  return y > ceiling ? ceiling : y;
}

/**
 * Signed distance from `reference` to `x` in units of the spacing of doubles
 * between them (exact count of representable doubles for finite non-negative
 * arguments of the same sign; otherwise an approximation by `ulp(reference)`).
 *
 * @example
 * ulpDistance(nextUp(nextUp(1)), 1); // 2
 */
export function ulpDistance(x: number, reference: number): number {
  if (x === reference) return 0;
  if (x >= 0 && reference >= 0 && Number.isFinite(x) && Number.isFinite(reference)) {
    f64[0] = x;
    const a = u64[0];
    f64[0] = reference;
    const b = u64[0];
    return Number(a! - b!);
  }
  const ulp = Math.max(Math.abs(nextUp(Math.abs(reference)) - Math.abs(reference)), Number.MIN_VALUE);
  return (x - reference) / ulp;
}
