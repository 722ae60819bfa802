import { describe, expect, it } from 'vitest';
import { randomSeed, seedFromNumber } from '../../src/noise/index.js';

describe('seedFromNumber', () => {
  it('accepts integers in [0, 2^64) as number, bigint, decimal or hex string', () => {
    expect(seedFromNumber(0)).toBe(0n);
    expect(seedFromNumber(42)).toBe(42n);
    expect(seedFromNumber(Number.MAX_SAFE_INTEGER)).toBe(2n ** 53n - 1n);
    expect(seedFromNumber(2n ** 64n - 1n)).toBe(2n ** 64n - 1n);
    expect(seedFromNumber('18446744073709551615')).toBe(2n ** 64n - 1n);
    expect(seedFromNumber(' 0xDEADBEEF ')).toBe(0xdeadbeefn);
  });

  it('rejects everything else with a RangeError naming the seed', () => {
    for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53, -1n, 2n ** 64n, '', '-1', '1.5', '1e3', 'abc', '18446744073709551616']) {
      expect(() => seedFromNumber(bad)).toThrow(RangeError);
      expect(() => seedFromNumber(bad)).toThrow(/seed/);
    }
    expect(() => seedFromNumber(null as unknown as number)).toThrow(RangeError);
  });
});

describe('randomSeed', () => {
  it('returns distinct 64-bit seeds', () => {
    const seeds = new Set<bigint>();
    for (let i = 0; i < 100; i++) {
      const s = randomSeed();
      expect(s >= 0n && s < 2n ** 64n).toBe(true);
      seeds.add(s);
    }
    expect(seeds.size).toBe(100);
    expect([...seeds].some((s) => s >= 2n ** 32n)).toBe(true);
  });
});
