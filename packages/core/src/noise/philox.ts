/**
 * Philox4x32-10 in plain JavaScript (reference implementation). See
 * `stream-layout.ts` for the round function and constants.
 */
import { PHILOX_M0, PHILOX_M1, PHILOX_ROUNDS, PHILOX_W0, PHILOX_W1 } from './stream-layout.js';
import { RsRangeError } from '../errors.js';

const M0_HI = PHILOX_M0 >>> 16;
const M0_LO = PHILOX_M0 & 0xffff;
const M1_HI = PHILOX_M1 >>> 16;
const M1_LO = PHILOX_M1 & 0xffff;
const INV_2_16 = 1 / 65536;

/**
 * High 32 bits of the 64-bit product a * m (a, m u32), with m given as 16-bit
 * halves. All intermediate values are exact integers below 2^53.
 */
export function mulhi32(a: number, mHi: number, mLo: number): number {
  const t = a * mLo; // < 2^48
  const u = a * mHi + ((t * INV_2_16) >>> 0); // < 2^49
  return (u * INV_2_16) >>> 0;
}

function u32(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `${name} must be a u32 integer, got ${String(v)}`);
  }
  return v;
}

/**
 * Philox4x32-10 block function: 4 u32 outputs for a 4-word counter and 2-word
 * key. Reference implementation for tests and for other backends; the noise
 * generators use an inlined version of the same rounds.
 *
 * @example
 * philox4x32([0, 0, 0, 0], [0, 0]); // Uint32Array [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]
 */
export function philox4x32(counter: Uint32Array | number[], key: Uint32Array | number[]): Uint32Array {
  if (counter == null || counter.length !== 4) throw new RsRangeError('RS_INVALID_ARG_VALUE', 'counter must have 4 u32 words');
  if (key == null || key.length !== 2) throw new RsRangeError('RS_INVALID_ARG_VALUE', 'key must have 2 u32 words');
  let c0 = u32('counter[0]', counter[0]);
  let c1 = u32('counter[1]', counter[1]);
  let c2 = u32('counter[2]', counter[2]);
  let c3 = u32('counter[3]', counter[3]);
  let k0 = u32('key[0]', key[0]);
  let k1 = u32('key[1]', key[1]);
  for (let r = 0; r < PHILOX_ROUNDS; r++) {
    if (r > 0) {
      k0 = (k0 + PHILOX_W0) >>> 0;
      k1 = (k1 + PHILOX_W1) >>> 0;
    }
    const hi0 = mulhi32(c0, M0_HI, M0_LO);
    const lo0 = Math.imul(c0, PHILOX_M0) >>> 0;
    const hi1 = mulhi32(c2, M1_HI, M1_LO);
    const lo1 = Math.imul(c2, PHILOX_M1) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  return Uint32Array.of(c0, c1, c2, c3);
}
