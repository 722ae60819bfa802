/**
 * Box-Muller transform of Philox outputs, plain JS reference. Every operation
 * is an IEEE binary32 (float32) operation, emulated with `Math.fround` after
 * each step (a binary64 +, -, *, / or sqrt of float32 operands rounded once to
 * float32 is the correctly rounded float32 result, so the emulation is exact).
 * The exact sequence is specified in `stream-layout.ts`; the WASM kernel
 * (scripts/gen-noise-wasm.mjs) performs the same f32x4 operations in the same
 * order, without fused multiply-add, so both backends give bitwise-identical
 * noise.
 */

const fr = Math.fround;

/** 2^-24: scale of the top 24 bits of a u32. */
export const TWO_POW_M24 = 5.960464477539063e-8;
/** 2^-32: scale of the low 8 bits of a u32. */
export const TWO_POW_M32 = 2.3283064365386963e-10;
/** Largest radius uniform, 1 - 2^-24 (the float32 just below 1; bits 0x3F7FFFFF). */
export const U_MAX = 0.9999999403953552;
/** Bits of sqrt(0.5) rounded to float32: split point of the log argument reduction. */
export const LOG_SPLIT_BITS = 0x3f3504f3;

/** ln 2 split in float32 (fdlibm / musl logf): LN2_HI (0x3F317180) has 17 significant bits, so k LN2_HI is exact. */
export const LN2_HI = 0.69313812255859375;
/** Low part of ln 2, float32 (0x3717F7D1). */
export const LN2_LO = 9.05800061445916e-6;
/**
 * Coefficients of the log kernel R(s^2) (musl / fdlibm logf, |error| < 2^-34.24):
 * LG1 = 0xaaaaaa p-24, LG2 = 0xccce13 p-25, LG3 = 0x91e9ee p-25, LG4 = 0xf89e26 p-26.
 */
export const LOG_COEFFS: readonly [number, number, number, number] = [
  0xaaaaaa * 2 ** -24, // 0.666666626930236816 (0x3F2AAAAA)
  0xccce13 * 2 ** -25, // 0.400009721517562866 (0x3ECCCE13)
  0x91e9ee * 2 ** -25, // 0.284987866878509521 (0x3E91E9EE)
  0xf89e26 * 2 ** -26, // 0.242790788412094116 (0x3E789E26)
];
/** sin a = a + (a z)(S1 + z (S2 + z S3)), z = a^2, |a| <= pi/4 (Cephes sinf), as float32. */
export const SIN_COEFFS: readonly [number, number, number] = [
  fr(-1.6666654611e-1), // 0xBE2AAAA3
  fr(8.3321608736e-3), // 0x3C08839E
  fr(-1.9515295891e-4), // 0xB94CA1F9
];
/** cos a = 1 + z (-0.5 + z (C1 + z (C2 + z C3))), z = a^2 (Cephes cosf), as float32. */
export const COS_COEFFS: readonly [number, number, number] = [
  fr(4.166664568298827e-2), // 0x3D2AAAA5
  fr(-1.388731625493765e-3), // 0xBAB6061A
  fr(2.443315711809948e-5), // 0x37CCF5CE
];
/** Angle step 2 pi / 2^24 as float32: float32(pi) 2^-23 (bits 0x34C90FDB). */
export const ANGLE_STEP = fr(Math.PI) * 2 ** -23;

const LG1 = LOG_COEFFS[0];
const LG2 = LOG_COEFFS[1];
const LG3 = LOG_COEFFS[2];
const LG4 = LOG_COEFFS[3];
const S1 = SIN_COEFFS[0];
const S2 = SIN_COEFFS[1];
const S3 = SIN_COEFFS[2];
const C1 = COS_COEFFS[0];
const C2 = COS_COEFFS[1];
const C3 = COS_COEFFS[2];
const STEP = ANGLE_STEP;

// float32 <-> bits scratch
const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);

/**
 * The radius uniform of a u32 `x`, as float32: the float32 nearest to
 * (x + 1/2) 2^-32, capped at 1 - 2^-24, computed as
 * min(float32((x >>> 8) 2^-24 + ((x & 255) + 0.5) 2^-32), 1 - 2^-24)
 * (both terms exact; one rounding). In [2^-33, 1 - 2^-24]: never 0 or 1.
 */
export function uniformFromU32(x: number): number {
  const u = fr((x >>> 8) * TWO_POW_M24 + ((x & 255) + 0.5) * TWO_POW_M32);
  return U_MAX < u ? U_MAX : u;
}

/**
 * The angle uniform of a u32 `x` (top 24 bits): ((x >>> 8) + 1/2) 2^-24, in
 * (0, 1), exact in binary64 (the kernel never forms it: it uses the quadrant
 * and the exact float32 offset (s + 1/2), see {@link boxMullerPair}).
 */
export function angleUniformFromU32(x: number): number {
  return ((x >>> 8) + 0.5) * TWO_POW_M24;
}

/**
 * ln(u) in float32 for u = {@link uniformFromU32}(x), by the musl / fdlibm
 * logf algorithm of the stream layout (error < 1 float32 ulp; never -Infinity).
 */
export function logUniform(x: number): number {
  return logF32(uniformFromU32(x));
}

/**
 * ln(u) in float32 for a float32 `u` in [2^-126, 1] (normal, positive), by the musl / fdlibm logf
 * algorithm of the stream layout (step 2; error < 1 float32 ulp). The Gaussian radius and the
 * Laplace magnitude both use it.
 */
export function logF32(u: number): number {
  F32[0] = u;
  const ix = (I32[0]! - LOG_SPLIT_BITS) | 0;
  const k = ix >> 23; // u = 2^k m, m in [sqrt(1/2), sqrt(2))
  I32[0] = (ix & 0x7fffff) + LOG_SPLIT_BITS;
  const f = fr(F32[0]! - 1); // exact
  const s = fr(f / fr(2 + f));
  const z = fr(s * s);
  const w = fr(z * z);
  const t1 = fr(w * fr(LG2 + fr(w * LG4)));
  const t2 = fr(z * fr(LG1 + fr(w * LG3)));
  const R = fr(t2 + t1);
  const hfsq = fr(fr(0.5 * f) * f);
  return fr(fr(fr(fr(fr(s * fr(hfsq + R)) + fr(k * LN2_LO)) - hfsq) + f) + k * LN2_HI);
}

/**
 * The two float32 normals of one Box-Muller pair, r = sqrt(-2 ln u_even),
 * (r cos 2 pi u_odd, r sin 2 pi u_odd), by the float32 algorithm of the stream
 * layout. Writes them to `res[idx]`, `res[idx + 1]` (float32 values).
 *
 * @example
 * const res = new Float32Array(2); boxMullerPair(0x12345678, 0x9abcdef0, res, 0);
 */
export function boxMullerPair(xEven: number, xOdd: number, res: Float64Array | Float32Array, idx: number): void {
  const r = fr(Math.sqrt(fr(logUniform(xEven) * -2)));
  // 2 pi u_odd = q pi/2 + a: q = quadrant, a = (s + 1/2) 2 pi 2^-24 with s a signed 22-bit integer
  const n = (xOdd + 0x20000000) | 0;
  const a = fr(fr(((xOdd << 2) >> 10) + 0.5) * STEP);
  const z = fr(a * a);
  const sa = fr(a + fr(fr(a * z) * fr(S1 + fr(z * fr(S2 + fr(z * S3))))));
  const ca = fr(1 + fr(z * fr(-0.5 + fr(z * fr(C1 + fr(z * fr(C2 + fr(z * C3))))))));
  const swap = (n & 0x40000000) !== 0; // odd quadrant
  let c = swap ? sa : ca;
  let s = swap ? ca : sa;
  if ((n ^ (n << 1)) < 0) c = -c; // quadrants 1, 2
  if (n < 0) s = -s; // quadrants 2, 3
  res[idx] = fr(r * c);
  res[idx + 1] = fr(r * s);
}

/**
 * Four float32 standard normals from the 4 Philox output words of one block
 * (curand_normal4 layout), written to `out[offset .. offset + 4)`.
 *
 * @example
 * const z = new Float32Array(4); normalsFromBlock(philox4x32([0, 0, 0, 0], [42, 0]), z, 0);
 */
export function normalsFromBlock(x: Uint32Array | number[], out: Float32Array, offset: number): void {
  boxMullerPair(x[0]!, x[1]!, out, offset);
  boxMullerPair(x[2]!, x[3]!, out, offset + 2);
}
