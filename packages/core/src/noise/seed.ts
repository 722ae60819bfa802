import { RsRangeError } from '../errors.js';
const U64_LIMIT = 1n << 64n;

/**
 * Normalizes a user-facing seed to the 64-bit Philox key: an integer in
 * [0, 2^64) given as a bigint, a safe-integer number, or a decimal / 0x-hex
 * string. Anything else (negative, fractional, NaN, numbers above 2^53 - 1
 * that may have lost precision, malformed strings, >= 2^64) is a RangeError.
 *
 * @example
 * seedFromNumber(42);                      // 42n
 * seedFromNumber('18446744073709551615');  // 2n ** 64n - 1n
 * seedFromNumber('0xdeadbeef');            // 3735928559n
 */
export function seedFromNumber(seed: number | bigint | string): bigint {
  let value: bigint;
  if (typeof seed === 'bigint') {
    value = seed;
  } else if (typeof seed === 'number') {
    if (!Number.isInteger(seed)) throw new RsRangeError('RS_INVALID_ARG_VALUE', `seed must be an integer in [0, 2^64), got ${seed}`);
    if (!Number.isSafeInteger(seed)) {
      throw new RsRangeError('RS_INVALID_ARG_VALUE', `seed ${seed} is not a safe integer; pass seeds >= 2^53 as a bigint or a string`);
    }
    value = BigInt(seed);
  } else if (typeof seed === 'string') {
    const s = seed.trim();
    if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(s)) {
      throw new RsRangeError('RS_INVALID_ARG_VALUE', `seed must be a decimal or 0x-hex integer string in [0, 2^64), got '${seed}'`);
    }
    value = BigInt(s);
  } else {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `seed must be a number, bigint or string, got ${typeof seed}`);
  }
  if (value < 0n || value >= U64_LIMIT) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `seed must be in [0, 2^64), got ${value}`);
  }
  return value;
}

/**
 * A fresh 64-bit seed from the platform's cryptographic random source
 * (`globalThis.crypto.getRandomValues`).
 *
 * @example
 * const seed = randomSeed(); // e.g. 12969732477519313405n; record it to reproduce the run
 */
export function randomSeed(): bigint {
  const words = globalThis.crypto.getRandomValues(new Uint32Array(2));
  return (BigInt(words[1]!) << 32n) | BigInt(words[0]!);
}

/**
 * The Philox4x32 key of a 64-bit seed: `[low 32 bits, high 32 bits]`, the one split every stream
 * of the layout uses (see `stream-layout.ts`).
 *
 * @example
 * philoxKey(0x1_0000_0002n); // [2, 1]
 */
export function philoxKey(seed: bigint): [number, number] {
  return [Number(seed & 0xffffffffn), Number((seed >> 32n) & 0xffffffffn)];
}
