import { RsError, RsRangeError } from '../errors.js';
/**
 * The standard normal CDF at a rational point, in exact integer (BigInt) arithmetic: the threshold
 * table of the sound mode needs floor(2^64 Phi(x)) exactly, which binary64 cannot give.
 *
 * Phi(x) = 1/2 + (1 / sqrt(2 pi)) sum_n (-1)^n x^(2n+1) / (2^n n! (2n + 1)), summed in fixed point with
 * P = 320 fraction bits. Every truncation loses at most one unit of 2^-P, amplified by at most the
 * largest term (< 2^64 for |x| <= 9.5), over fewer than 400 terms: the error stays below 2^-240, far
 * inside the 2^-64 resolution of the thresholds; `floorScaledNormalCdf` checks that the floor is
 * decided and throws otherwise (never observed).
 */

const P = 320n;
const ONE = 1n << P;

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << (BigInt(n.toString(2).length) / 2n + 1n);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** atan(1/k) in fixed point (k >= 2): the alternating series, truncation below 2^-P. */
function atanInverse(k: bigint): bigint {
  const k2 = k * k;
  let term = ONE / k;
  let sum = 0n;
  for (let n = 0n; term !== 0n; n++) {
    sum += (n % 2n === 0n ? term : -term) / (2n * n + 1n);
    term /= k2;
  }
  return sum;
}

let invSqrt2PiCache: bigint | undefined;
/** 1 / sqrt(2 pi) in fixed point (Machin's pi, integer square root). */
function invSqrt2Pi(): bigint {
  if (invSqrt2PiCache === undefined) {
    const pi = 16n * atanInverse(5n) - 4n * atanInverse(239n);
    const sqrt2pi = isqrt(2n * pi * ONE); // sqrt(2 pi) * 2^P
    invSqrt2PiCache = (ONE * ONE) / sqrt2pi;
  }
  return invSqrt2PiCache;
}

/**
 * Phi(a / b) * 2^320, truncated toward zero, for integers a, b > 0 with a / b <= 9.5.
 *
 * @example
 * normalCdfFixedPoint(0n, 1n) === 1n << 319n; // Phi(0) = 1/2
 */
export function normalCdfFixedPoint(a: bigint, b: bigint): bigint {
  if (b <= 0n || a < 0n || a * 2n > 19n * b) throw new RsRangeError('RS_INVALID_ARG_VALUE', `normalCdfFixedPoint needs 0 <= a / b <= 9.5, got ${a} / ${b}`);
  const a2 = a * a;
  const b2 = b * b;
  let t = (a * ONE) / b; // x^(2n+1) / (2^n n!) at n = 0
  let sum = 0n;
  for (let n = 0n; ; n++) {
    sum += (n % 2n === 0n ? t : -t) / (2n * n + 1n);
    t = (t * a2) / (b2 * 2n * (n + 1n));
    if (t === 0n) break;
  }
  return ONE / 2n + (sum * invSqrt2Pi()) / ONE;
}

/**
 * floor(2^64 Phi(a / b)) exactly, for 0 <= a / b <= 9.5.
 *
 * @example
 * floorScaledNormalCdf(0n, 1n) === 1n << 63n;
 */
export function floorScaledNormalCdf(a: bigint, b: bigint): bigint {
  const v = normalCdfFixedPoint(a, b);
  const shift = P - 64n;
  const floor = v >> shift;
  const rest = v - (floor << shift);
  const margin = 1n << 90n; // 2^-230 in units of 2^-P: far above the series' error, far below 2^-64
  if (rest < margin || rest > (1n << shift) - margin) {
    if (a === 0n) return floor; // Phi(0) = 1/2 exactly
    throw new RsError('RS_INTERNAL', `floor(2^64 Phi(${a}/${b})) is not decided at ${P} bits`);
  }
  return floor;
}
