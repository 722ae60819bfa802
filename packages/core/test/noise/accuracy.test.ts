// The polynomial log / sin / cos of the stream layout against Math.log / Math.cos / Math.sin.
import { describe, expect, it } from 'vitest';
import { boxMullerPair, normalsFromBlock, philox4x32 } from '../../src/noise/index.js';
import { LOG_SPLIT, logUniform, TWO_POW_M32, TWO_POW_M33 } from '../../src/noise/box-muller.js';
import { mathBoxMuller } from './helpers.js';

// Deterministic u32 inputs: Philox outputs plus edge cases (extremes, powers of two, the log
// reduction split point and the quadrant boundaries of the angle).
function inputs(): number[] {
  const xs: number[] = [0, 1, 2, 3, 0xffffffff, 0xfffffffe, 0x7fffffff, 0x80000000, 0x80000001, 0x3fffffff, 0x40000000];
  for (let k = 0; k < 32; k++) xs.push(2 ** k, 2 ** k - 1 >>> 0, (2 ** k + 1) >>> 0);
  for (const q of [0.25, 0.5, 0.75, 1 / 8, 3 / 8, 5 / 8, 7 / 8, 0.7057, 0.70573, 0.7071]) {
    const c = Math.round(q * 2 ** 32);
    for (let d = -2; d <= 2; d++) xs.push((c + d) >>> 0);
  }
  for (let i = 0; i < 50_000; i++) xs.push(...philox4x32([i, 0, 0, 99], [0x9e3779b9, 7]));
  return xs;
}

describe('Box-Muller polynomials', () => {
  const xs = inputs();

  it('constants are the exact doubles of the layout (musl split 0x3FF6955500000000, 2^-32, 2^-33)', () => {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, LOG_SPLIT);
    expect(dv.getBigUint64(0)).toBe(0x3ff6955500000000n);
    expect(TWO_POW_M32).toBe(2 ** -32);
    expect(TWO_POW_M33).toBe(2 ** -33);
  });

  it('ln u matches Math.log to ~1e-15 relative', () => {
    let worst = 0;
    for (const x of xs) {
      const u = x * 2 ** -32 + 2 ** -33;
      const ref = Math.log(u);
      const err = Math.abs(logUniform(x) - ref) / Math.abs(ref);
      worst = Math.max(worst, err);
    }
    expect(worst).toBeLessThan(2e-15);
  });

  it('normals match the Math-based formula far below float32 rounding', () => {
    const res = new Float64Array(2);
    let worstAbs = 0; // binary64: |z - z_math| / max(1, r)
    let worstRel = 0; // float32: |z32 - z32_math| / max(|z32_math|, 1e-3), the specified bound is ~1e-6
    let beyondOneUlp = 0; // float32 results more than 1 ulp apart, where |z| is not ~0
    let f32Mismatch = 0;
    const n = xs.length;
    for (let i = 0; i < n; i++) {
      const xe = xs[i]!;
      const xo = xs[(i * 7919 + 13) % n]!;
      boxMullerPair(xe, xo, res, 0);
      const [c, s] = mathBoxMuller(xe, xo);
      const r = Math.hypot(c, s);
      worstAbs = Math.max(worstAbs, Math.abs(res[0]! - c) / Math.max(1, r), Math.abs(res[1]! - s) / Math.max(1, r));
      for (const [got, ref] of [
        [res[0]!, c],
        [res[1]!, s],
      ] as const) {
        const a = Math.fround(got);
        const b = Math.fround(ref);
        worstRel = Math.max(worstRel, Math.abs(a - b) / Math.max(Math.abs(b), 1e-3));
        if (a !== b) {
          f32Mismatch++;
          // Near a zero of cos / sin (|z| < 1e-6 r) both formulas carry ~1e-16 r absolute error.
          const ulp = Math.abs(Math.fround(b * (1 + 2 ** -23)) - b);
          if (Math.abs(b) > 1e-6 * r && Math.abs(a - b) > ulp * 1.0001) beyondOneUlp++;
        }
      }
    }
    expect(worstAbs).toBeLessThan(1e-11);
    expect(worstRel).toBeLessThan(2e-7);
    expect(beyondOneUlp).toBe(0);
    expect(f32Mismatch / (2 * n)).toBeLessThan(1e-3);
  });

  it('normalsFromBlock uses curand_normal4 order (pairs (x0,x1), (x2,x3); cos first)', () => {
    const x = philox4x32([5, 6, 7, 8], [9, 10]);
    const z = new Float32Array(4);
    normalsFromBlock(x, z, 0);
    const [a, b] = mathBoxMuller(x[0]!, x[1]!);
    const [c, d] = mathBoxMuller(x[2]!, x[3]!);
    expect(Array.from(z)).toEqual([a, b, c, d].map((v) => Math.fround(v)));
  });

  it('the extreme tails are bounded: |z| <= sqrt(-2 ln 2^-33) ~ 6.76', () => {
    const res = new Float64Array(2);
    boxMullerPair(0, 0x80000000, res, 0); // u_even = 2^-33, angle pi -> cos = -1
    expect(res[0]).toBeCloseTo(-Math.sqrt(66 * Math.LN2), 12);
    boxMullerPair(0xffffffff, 0, res, 0); // u_even ~ 1 - 2^-33: r tiny but > 0
    expect(Math.abs(res[0]!)).toBeGreaterThan(0);
    expect(Math.abs(res[0]!)).toBeLessThan(1e-4);
  });
});
