import { RsRangeError } from '../errors.js';
/**
 * Noise families of the stream layout (see `stream-layout.ts`, "Noise families"): how the four
 * Philox output words of a block become four unit-variance float32 values. Gaussian takes them in
 * Box-Muller pairs (`box-muller.ts`); uniform and Laplace take one word per value. Plain-JS
 * reference, every operation a float32 operation emulated with `Math.fround`, as the WASM kernel
 * and the WGSL port perform them.
 */
import { boxMullerPair, logF32, TWO_POW_M24, U_MAX } from './box-muller.js';

const fr = Math.fround;

/** The noise families, in the order of their layout ids (0, 1, 2). */
export const NOISE_FAMILIES = ['gaussian', 'uniform', 'laplace'] as const;

/** A noise family: Gaussian N(0, 1), uniform on [-sqrt 3, sqrt 3], Laplace with scale 1/sqrt 2 (all unit variance). @example const f: NoiseFamily = 'laplace'; */
export type NoiseFamily = (typeof NOISE_FAMILIES)[number];

/** The layout id of each family (the kernels' `family` argument). */
export const NOISE_FAMILY_ID: Readonly<Record<NoiseFamily, number>> = Object.freeze({ gaussian: 0, uniform: 1, laplace: 2 });

/**
 * Uniform step: float32(sqrt(3) 2^-23). A uniform value is w * UNIFORM_STEP with w an odd integer in
 */
export const UNIFORM_STEP = fr(Math.sqrt(3) * 2 ** -23);

/** Laplace factor: float32(-1/sqrt 2); the magnitude is ln(u) times it (a unit-variance Laplace has scale 1/sqrt 2). */
export const LAPLACE_FACTOR = fr(-Math.SQRT1_2);

/** 2^-31: scale of the low 7 bits of the Laplace magnitude word. */
export const TWO_POW_M31 = 4.656612873077393e-10;

/**
 * `family` checked and turned into its layout id; `undefined` is Gaussian.
 *
 * @example
 * noiseFamilyId('uniform'); // 1
 */
export function noiseFamilyId(family: unknown): number {
  if (family === undefined) return 0;
  const id = typeof family === 'string' ? (NOISE_FAMILY_ID as Record<string, number>)[family] : undefined;
  if (id === undefined)
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `family must be one of ${NOISE_FAMILIES.map((f) => `'${f}'`).join(', ')}, got ${String(family)}`);
  return id;
}

/**
 * The unit-variance uniform value of a u32 word: w = (x >> 8) | 1 with `>>` the arithmetic shift of
 * x as an int32 (the top 24 bits, the lowest of them replaced by 1: an odd integer in
 * [-(2^23 - 1), 2^23 - 1], each of the 2^23 values with probability 2^-23), then
 * fl(w * UNIFORM_STEP) (w is exact in float32; one rounding). Symmetric about 0.
 *
 * @example
 * uniformUnitFromU32(0x7fffffff) === Math.fround((2 ** 23 - 1) * UNIFORM_STEP)
 */
export function uniformUnitFromU32(x: number): number {
  return fr(((x >> 8) | 1) * UNIFORM_STEP);
}

/**
 * The unit-variance Laplace value of a u32 word: sign from bit 31; magnitude -ln(u) / sqrt 2 with
 * u = min(fl(f32((x << 1) >>> 8) 2^-24 + (f32(x & 127) + 1/2) 2^-31), 1 - 2^-24), i.e. the float32
 * nearest to (m + 1/2) 2^-31 for the low 31 bits m (both terms exact, one rounding; capped below 1),
 * ln u by the layout's float32 logf, then fl(ln u * LAPLACE_FACTOR) (>= 0), negated when bit 31 is
 * set. Largest magnitude -ln(2^-32) / sqrt 2 = 15.68 (P(|L| > 15.68) = 2^-32).
 *
 * @example
 * laplaceUnitFromU32(0x80000000) === -laplaceUnitFromU32(0)
 */
export function laplaceUnitFromU32(x: number): number {
  const u = fr(((x << 1) >>> 8) * TWO_POW_M24 + ((x & 127) + 0.5) * TWO_POW_M31);
  const t = fr(logF32(U_MAX < u ? U_MAX : u) * LAPLACE_FACTOR);
  return x >>> 31 ? -t : t;
}

/**
 * The four unit-variance values of one Philox block `x` (4 u32 words) in family `familyId`, to
 * `out[offset .. offset + 4)`: Gaussian in Box-Muller pairs (x0, x1), (x2, x3); uniform and Laplace
 * value k from word k.
 *
 * @example
 * const v = new Float32Array(4); unitsFromBlock(1, philox4x32([0, 0, 0, 0], [42, 0]), v, 0);
 */
export function unitsFromBlock(familyId: number, x: ArrayLike<number>, out: Float32Array | Float64Array, offset: number): void {
  if (familyId === 0) {
    boxMullerPair(x[0]!, x[1]!, out, offset);
    boxMullerPair(x[2]!, x[3]!, out, offset + 2);
    return;
  }
  const unit = familyId === 1 ? uniformUnitFromU32 : laplaceUnitFromU32;
  for (let k = 0; k < 4; k++) out[offset + k] = unit(x[k]!);
}

/**
 * The family's scale parameter lambda for a per-coordinate standard deviation `sigma` (rs4a's
 * `lambd`): sigma for Gaussian, sigma sqrt 3 for uniform on [-lambda, lambda], sigma / sqrt 2 for
 * Laplace with density exp(-|x| / lambda) / (2 lambda).
 *
 * @example
 * familyLambda('uniform', 0.5); // 0.8660254037844386
 */
export function familyLambda(family: NoiseFamily, sigma: number): number {
  if (family === 'uniform') return sigma * Math.sqrt(3);
  if (family === 'laplace') return sigma / Math.SQRT2;
  return sigma;
}
