// The float32 Box-Muller of the stream layout (float32 log / sin / cos polynomials) against
// Math.log / Math.cos / Math.sin in binary64 on the same uniforms.
import { describe, expect, it } from 'vitest';
import { boxMullerPair, normalsFromBlock, philox4x32 } from '../../src/noise/index.js';
import { angleUniformFromU32, LN2_HI, LN2_LO, logUniform, TWO_POW_M24, TWO_POW_M32, U_MAX, uniformFromU32 } from '../../src/noise/box-muller.js';
import { mathBoxMuller } from './helpers.js';

const f32bits = (x: number): number => new Uint32Array(Float32Array.of(x).buffer)[0]!;
/** One float32 ulp of |x| (spacing above |x|). */
function ulp32(x: number): number {
  const a = Math.fround(Math.abs(x));
  const u = new Uint32Array(Float32Array.of(a).buffer);
  u[0]! += 1;
  return new Float32Array(u.buffer)[0]! - a;
}

// Deterministic u32 inputs: Philox outputs plus edge cases (extremes, powers of two, the log
// reduction split point sqrt(1/2), the rounding region near 1 and the quadrant / octant
// boundaries of the angle).
function inputs(): number[] {
  const xs: number[] = [0, 1, 2, 3, 255, 256, 0xffffffff, 0xfffffffe, 0xffffff7f, 0xffffff80, 0xfffffeff, 0x7fffffff];
  xs.push(0x80000000, 0x80000001, 0x3fffffff, 0x40000000);
  for (let k = 0; k < 32; k++) xs.push(2 ** k, (2 ** k - 1) >>> 0, (2 ** k + 1) >>> 0);
  // biome-ignore lint/suspicious/noApproximativeNumericConstant: values near 1/sqrt(2) on purpose (Box-Muller edge cases)
  for (const q of [0.25, 0.5, 0.75, 1 / 8, 3 / 8, 5 / 8, 7 / 8, 0.7071067, 0.70710677, 0.7071068, 1 - 2 ** -20]) {
    const c = Math.round(q * 2 ** 32);
    for (let d = -512; d <= 512; d += 128) xs.push((c + d) >>> 0);
  }
  for (let i = 0; i < 50_000; i++) xs.push(...philox4x32([i, 0, 0, 99], [0x9e3779b9, 7]));
  return xs;
}

describe('float32 Box-Muller', () => {
  const xs = inputs();

  it('constants are the float32 values of the layout', () => {
    expect(TWO_POW_M24).toBe(2 ** -24);
    expect(TWO_POW_M32).toBe(2 ** -32);
    expect(f32bits(U_MAX)).toBe(0x3f7fffff);
    expect(f32bits(LN2_HI)).toBe(0x3f317180);
    expect(f32bits(LN2_LO)).toBe(0x3717f7d1);
    expect(Math.abs(LN2_HI + LN2_LO - Math.LN2)).toBeLessThan(1e-12);
  });

  it('uniforms: radius u in [2^-33, 1 - 2^-24] (never 0 or 1), nearest float32 to (x + 1/2) 2^-32 below the cap', () => {
    expect(uniformFromU32(0)).toBe(2 ** -33);
    expect(uniformFromU32(0xffffffff)).toBe(U_MAX);
    expect(uniformFromU32(0xffffff7f)).toBe(U_MAX); // (2^32 - 128.5) 2^-32 rounds down to 1 - 2^-24
    for (const x of xs) {
      const u = uniformFromU32(x);
      expect(u > 0 && u < 1).toBe(true);
      expect(u).toBe(Math.min(Math.fround((x + 0.5) * 2 ** -32), U_MAX));
      const v = angleUniformFromU32(x);
      expect(v > 0 && v < 1).toBe(true);
    }
    expect(Number.isFinite(logUniform(0))).toBe(true);
  });

  it('ln u is within 1 float32 ulp of Math.log (and never -Infinity or 0)', () => {
    let worst = 0;
    for (const x of xs) {
      const ref = Math.log(uniformFromU32(x));
      const got = logUniform(x);
      expect(got).toBeLessThan(0);
      worst = Math.max(worst, Math.abs(got - ref) / ulp32(ref));
    }
    expect(worst).toBeLessThan(1);
  });

  it('normals are within 4 float32 ulps (< 3e-7 relative) of the binary64 Math formula', () => {
    // Quadrant reduction keeps sin / cos relatively accurate near their zeros: no absolute term.
    const res = new Float32Array(2);
    let worstRel = 0;
    let worstUlp = 0;
    let exact = 0;
    const n = xs.length;
    for (let i = 0; i < n; i++) {
      const xe = xs[i]!;
      const xo = xs[(i * 7919 + 13) % n]!;
      boxMullerPair(xe, xo, res, 0);
      const [c, s] = mathBoxMuller(xe, xo);
      for (const [got, ref] of [
        [res[0]!, c],
        [res[1]!, s],
      ] as const) {
        expect(got).toBe(Math.fround(got));
        worstRel = Math.max(worstRel, Math.abs(got - ref) / Math.abs(ref));
        worstUlp = Math.max(worstUlp, Math.abs(got - ref) / ulp32(ref));
        if (got === Math.fround(ref)) exact++;
      }
    }
    expect(worstRel).toBeLessThan(3e-7);
    expect(worstUlp).toBeLessThan(4);
    expect(exact / (2 * n)).toBeGreaterThan(0.5); // most results are the correctly rounded float32
  });

  it('angles: exhaustive over a stride of the 2^24 angle uniforms, sin / cos within 2 ulps', () => {
    const res = new Float32Array(2);
    const r = Math.fround(Math.sqrt(Math.fround(logUniform(0x5f3759df) * -2)));
    const r64 = Math.sqrt(-2 * Math.log(uniformFromU32(0x5f3759df)));
    let worst = 0;
    for (let m = 0; m < 2 ** 24; m += 61) {
      const xo = (m << 8) >>> 0;
      boxMullerPair(0x5f3759df, xo, res, 0);
      const th = 2 * Math.PI * angleUniformFromU32(xo);
      // isolate the trig error: divide out the (float32) radius
      const c = res[0]! / r;
      const s = res[1]! / r;
      worst = Math.max(worst, Math.abs(c - Math.cos(th)) / ulp32(Math.cos(th)), Math.abs(s - Math.sin(th)) / ulp32(Math.sin(th)));
    }
    expect(worst).toBeLessThan(2.6); // trig <= 1.96 ulp + the final product's rounding
    expect(Math.abs(r - r64) / r64).toBeLessThan(1.2e-7);
  });

  it('normalsFromBlock uses curand_normal4 order (pairs (x0,x1), (x2,x3); cos first)', () => {
    const x = philox4x32([5, 6, 7, 8], [9, 10]);
    const z = new Float32Array(4);
    normalsFromBlock(x, z, 0);
    const [a, b] = mathBoxMuller(x[0]!, x[1]!);
    const [c, d] = mathBoxMuller(x[2]!, x[3]!);
    const ref = [a, b, c, d];
    for (let k = 0; k < 4; k++) expect(Math.abs(z[k]! - ref[k]!)).toBeLessThan(4 * ulp32(ref[k]!));
  });

  it('the extreme tails are bounded: |z| <= sqrt(-2 ln 2^-33) ~ 6.764; r > 0 at the top', () => {
    const res = new Float32Array(2);
    boxMullerPair(0, 0x80000000, res, 0); // u_even = 2^-33, angle 2 pi (1/2 + 2^-25) -> cos ~ -1
    const rmax = Math.sqrt(66 * Math.LN2);
    expect(Math.abs(res[0]! + rmax)).toBeLessThan(4 * ulp32(rmax));
    expect(Math.abs(res[0]!)).toBeLessThanOrEqual(Math.fround(rmax * (1 + 4 * 2 ** -24)));
    boxMullerPair(0xffffffff, 0, res, 0); // u_even = 1 - 2^-24: r = sqrt(2^-23) ~ 3.5e-4
    expect(Math.abs(res[0]!)).toBeGreaterThan(3e-4);
    expect(Math.abs(res[0]!)).toBeLessThan(3.5e-4);
  });
});
