import { describe, expect, it } from 'vitest';
import { expf, fmaf, logf, pairwiseSum, rintEven } from '../src/numpy-float32.js';
import { mismatches, npy } from './helpers.js';

describe("numpy 1.24's float32 arithmetic (fixtures/numpy-float32, made by make_explog.py)", () => {
  const { data, shape } = npy('numpy-float32/explog.npy');
  const rows = shape[0]!;
  const x = Float32Array.from({ length: rows }, (_, i) => data[3 * i]!);

  it('expf equals np.exp on float32, bit for bit', () => {
    const ours = x.map((v) => expf(v));
    const ref = Float32Array.from({ length: rows }, (_, i) => data[3 * i + 1]!);
    const plain = x.map((v) => Math.exp(v));
    expect(mismatches(ours, ref)).toEqual([]);
    // numpy's float32 exp is not the correctly rounded one: the emulation matters.
    expect(mismatches(plain, ref).length).toBeGreaterThan(100);
  });

  it('logf equals np.log on float32, bit for bit', () => {
    const ours = x.map((v) => logf(Math.abs(v)));
    const ref = Float32Array.from({ length: rows }, (_, i) => data[3 * i + 2]!);
    expect(mismatches(ours, ref)).toEqual([]);
  });

  it('pairwiseSum equals np.sum on float32 rows of every length class', () => {
    const sums = npy('numpy-float32/sums.npy');
    for (let r = 0; r < sums.shape[0]!; r++) {
      const row = sums.data.subarray(r * 302, (r + 1) * 302);
      const n = row[0]!;
      expect(pairwiseSum(row, 1, n), `n = ${n}`).toBe(row[301]);
    }
  });

  it('fmaf rounds once; rintEven rounds half to even', () => {
    // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 is a float32 tie; + 2^-70 breaks it upward, but float64
    // loses the 2^-70 and a plain Math.fround(a * b + c) rounds the tie to even (down).
    const a = 1 + 2 ** -12;
    expect(Math.fround(a * a + 2 ** -70)).toBe(1 + 2 ** -11);
    expect(fmaf(a, a, 2 ** -70)).toBe(1 + 2 ** -11 + 2 ** -23);
    expect(fmaf(a, a, -(2 ** -70))).toBe(1 + 2 ** -11);
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6].map(rintEven)).toEqual([0, 2, 2, -0, -2, -2, 2, 3]);
  });
});
