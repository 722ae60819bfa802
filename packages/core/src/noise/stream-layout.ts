import { RsRangeError } from '../errors.js';
/**
 * Noise stream layout of @rs/core: the contract every backend (JS, WASM, and
 * later WGSL / CUDA) must reproduce bit for bit (or, for GPU backends without
 * correctly rounded division / sqrt, to a few float32 ulps).
 *
 * Generator: Philox4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel random
 * numbers: as easy as 1, 2, 3", SC 2011), the counter-based generator used by
 * cuRAND, PyTorch, JAX and numpy. Round constants: multipliers
 * M0 = 0xD2511F53, M1 = 0xCD9E8D57; Weyl key increments W0 = 0x9E3779B9,
 * W1 = 0xBB67AE85; 10 rounds; the first round uses the unmodified key.
 *
 * One round, with (hi, lo) = the high and low 32 bits of a 32x32->64 product:
 *
 *     (hi0, lo0) = M0 * c0;  (hi1, lo1) = M1 * c2
 *     c = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
 *     k = (k0 + W0, k1 + W1)            (mod 2^32)
 *
 * Key and counter of the block that produces features 4b..4b+3 of the noise
 * vector for (seed, stream s, input index i, sample index j):
 *
 *     key     (k0, k1)         = (seed mod 2^32, floor(seed / 2^32)), seed a u64
 *     counter (c0, c1, c2, c3) = (b, j, i, s), all u32
 *
 * Stream ids separate purposes (the callers' table is NOISE_STREAM in
 * src/sampling/noise-streams.ts): 0 certify selection, 1 certify estimation,
 * 2 predict, 3 training augmentation, 4 smoothed gradients; the training
 * methods' noisy copies: 8 MACER, 9 Consistency, 10 SmoothAdv, 11 SmoothMix
 * (sample index epoch * m + copy), 13 SmoothAdv's random attack directions.
 * Four more streams use the raw Philox words, not normals: 5 the per-epoch
 * shuffle of `fit` (counter (word block, 0, epoch, 5)), 6 and 7 the weight
 * re-initialization of `reset()` in @rs/onnx / @rs/tfjs (counter (word block,
 * tensor index, 0, 6 or 7)) and 12 SmoothMix's mixing weights (counter
 * (0, epoch, example id, 12)).
 *
 * From the block's outputs (x0, x1, x2, x3) come 4 standard normals by
 * Box-Muller in cuRAND's curand_normal4 order, evaluated entirely in IEEE
 * binary32 (float32):
 *
 *     u_k   = float32 radius uniform of x_k (below),   v_k = ((x_k >>> 8) + 1/2) 2^-24
 *     r     = sqrt(-2 ln u_0),  z_0 = r cos(2 pi v_1),  z_1 = r sin(2 pi v_1)
 *     r'    = sqrt(-2 ln u_2),  z_2 = r' cos(2 pi v_3), z_3 = r' sin(2 pi v_3)
 *
 * and feature 4b + k of the vector is z_k. The last block of a vector is
 * truncated when dim is not a multiple of 4 (its surplus normals are
 * discarded; they are never shifted into the next vector). A noise vector
 * therefore depends only on (seed, stream, input index, sample index, feature),
 * never on batch size, input order, process split or backend.
 *
 * Exact arithmetic (what the JS and WASM backends both do). Every operation
 * below is one correctly rounded float32 operation (round to nearest even), in
 * exactly this order, with no fused multiply-add; fl(.) marks the roundings.
 * The WASM kernel uses f32x4 lanes; the JS reference emulates each step with
 * Math.fround. Both give bitwise-identical output. Float32 everywhere also makes
 * a GPU (WGSL / CUDA) port straightforward: the same operations in f32 agree
 * to within a few float32 ulps even where the GPU's division, sqrt or rounding
 * are not correctly rounded, and exactly where they are.
 *
 * 1. Radius uniform, exact terms and one rounding, capped below 1:
 *
 *     u = fl(f32(x >>> 8) * 2^-24 + (f32(x & 255) + 0.5) * 2^-32)
 *     u = (1 - 2^-24) < u ? (1 - 2^-24) : u        (f32x4.pmin; bits 0x3F7FFFFF)
 *
 *    so u is the float32 nearest to (x + 1/2) 2^-32 (capped), in [2^-33,
 *    1 - 2^-24]: never 0 or 1, ln u never -Infinity. The radius keeps the full
 *    32-bit resolution where it matters (small u): the largest |z| is
 *    sqrt(-2 ln 2^-33) = 6.764 (P(|Z| > 6.764) = 1.3e-11), the same tail
 *    truncation as a 32-bit uniform. Near u = 1 the float32 grid (spacing
 *    2^-24) quantizes r below ~1e-3: the smallest r is sqrt(2^-23) = 3.5e-4,
 *    with probability 1.5 2^-24 (the cap absorbs the top half-step). The angle
 *    uses the top 24 bits of x_odd (2^24 equally spaced angles, exact).
 *
 * 2. ln u (musl / fdlibm logf, error < 1 float32 ulp), with i32 bit operations:
 *
 *     ix = bits(u) - 0x3F3504F3;  k = ix >> 23 (arithmetic)
 *     f  = from_bits((ix & 0x007FFFFF) + 0x3F3504F3) - 1     (exact; u = 2^k (1 + f))
 *     s  = f / (2 + f);  z = s s;  w = z z
 *     R  = z (LG1 + w LG3) + w (LG2 + w LG4)                 (the sum: t2 + t1)
 *     hf = (0.5 f) f
 *     ln u = ((((s (hf + R)) + k LN2_LO) - hf) + f) + k LN2_HI
 *
 *    LG1 = 0x3F2AAAAA (0.666666627), LG2 = 0x3ECCCE13 (0.400009722),
 *    LG3 = 0x3E91E9EE (0.284987867), LG4 = 0x3E789E26 (0.242790788);
 *    LN2_HI = 0x3F317180 (0.693138123; k LN2_HI is exact), LN2_LO = 0x3717F7D1
 *    (9.05800061e-6); k is converted to float32 exactly.
 *
 * 3. r = sqrt(ln u * -2)   (float32 sqrt, correctly rounded)
 *
 * 4. Angle 2 pi v = q pi/2 + a, with i32 operations on x = x_odd:
 *
 *     n = x + 0x20000000 (mod 2^32);  q = n >>> 30 (quadrant)
 *     a = (f32((x << 2) >> 10) + 0.5) * STEP     ((x << 2) >> 10 is a signed
 *         22-bit integer s; s + 0.5 is exact; |a| < pi/4)
 *     STEP = float32(pi) 2^-23 = 0x34C90FDB (2 pi / 2^24 rounded)
 *     t = a a
 *     sin a ~ Sa = a + (a t) (S1 + t (S2 + t S3))
 *     cos a ~ Ca = 1 + t (-0.5 + t (C1 + t (C2 + t C3)))
 *     S1 = 0xBE2AAAA3 (-0.166666552), S2 = 0x3C08839E (0.00833216123),
 *     S3 = 0xB94CA1F9 (-1.95152956e-4); C1 = 0x3D2AAAA5 (0.0416666456),
 *     C2 = 0xBAB6061A (-0.00138873165), C3 = 0x37CCF5CE (2.44331568e-5)
 *     (the Cephes sinf / cosf coefficients, rounded to float32).
 *     cos 2 pi v = (q odd ? Sa : Ca), negated when q is 1 or 2 (sign bit of n ^ (n << 1))
 *     sin 2 pi v = (q odd ? Ca : Sa), negated when q is 2 or 3 (sign bit of n)
 *
 * 5. z_even = r * cos 2 pi v,  z_odd = r * sin 2 pi v   (one rounding each).
 *
 * Accuracy against Math.log / Math.cos / Math.sin in binary64 on the same
 * uniforms (u, v): ln u < 0.83 ulp; sin / cos < 1.96 ulp (exhaustive over all
 * 2^24 angles; relative everywhere, the quadrant reduction has no absolute
 * error term near zeros); z < 3.4 float32 ulps, i.e. < 2.7e-7 relative
 * (tested < 4 ulps / 3e-7 in test/noise/accuracy.test.ts).
 *
 * Noise families (`family` of a request; src/noise/families.ts). The counter,
 * key and block-to-feature layout above are the same for every family: only
 * the transform of a block's words (x0, x1, x2, x3) into the 4 values of
 * features 4b..4b+3 changes, and every family gives unit variance, so
 * `scale` is the per-coordinate standard deviation (rs4a's sigma) for all.
 * A run uses one family; two runs with the same seed and different families
 * read the same Philox words (common random numbers), never one run's.
 *
 *   id 0  gaussian  the Box-Muller pairs above (the default; unchanged).
 *   id 1  uniform   value k from word x_k alone, uniform on (-sqrt 3, sqrt 3):
 *                     w = (x >> 8) | 1      (x as an i32, arithmetic shift: an
 *                                            odd integer in [-(2^23-1), 2^23-1])
 *                     t = fl(f32(w) * US),  US = float32(sqrt(3) 2^-23)
 *                   (w is exact in float32; one rounding; t = -t' for w = -w').
 *   id 2  laplace   value k from word x_k alone, Laplace with scale 1/sqrt 2:
 *                     u = fl(f32((x << 1) >>> 8) 2^-24 + (f32(x & 127) + 0.5) 2^-31)
 *                     u = (1 - 2^-24) < u ? (1 - 2^-24) : u   (f32x4.pmin)
 *                     m = fl(ln u * LF),    LF = float32(-1/sqrt 2)  (m >= 0)
 *                     t = m with its sign bit set when bit 31 of x is set
 *                   (u is the float32 nearest to (x mod 2^31 + 1/2) 2^-31,
 *                   capped; ln u is step 2's logf; |t| <= 15.68).
 *
 * Sound mode (src/sound/sound-sampler.ts): the discretized Gaussian of
 * Voracek & Hein takes two words per coordinate, U = x0 2^32 + x1 for
 * coordinate 2b and U = x2 2^32 + x3 for 2b + 1 of the block with counter
 * (b, j, i, s), compared against exact integer thresholds.
 *
 * US has bits 0x345DB3D7, LF 0xBF3504F3. The noisy copy is the same for all
 * families: fl(base + fl(f32(scale) * t)), then the optional clamp. Tested
 * bitwise equal across the JS reference, the WASM kernel, the threaded
 * generator and the WGSL kernel of @rs/webgpu-native.
 */

import { noiseFamilyId, type NoiseFamily } from './families.js';
import { philoxKey } from './seed.js';

/** Philox4x32 round multiplier for counter word 0. */
export const PHILOX_M0 = 0xd2511f53;
/** Philox4x32 round multiplier for counter word 2. */
export const PHILOX_M1 = 0xcd9e8d57;
/** Philox Weyl increment for key word 0 (golden ratio). */
export const PHILOX_W0 = 0x9e3779b9;
/** Philox Weyl increment for key word 1 (sqrt(3) - 1). */
export const PHILOX_W1 = 0xbb67ae85;
/** Number of Philox rounds (Philox4x32-10). */
export const PHILOX_ROUNDS = 10;

/**
 * What to generate: `sampleCount` consecutive noise vectors (sample indices
 * `sampleStart .. sampleStart + sampleCount - 1`) of `dim` features each, for
 * one input of one stream of one seed.
 *
 * @example
 * const req: NoiseRequest = { seed: 1234n, stream: 1, inputIndex: 7, sampleStart: 0, sampleCount: 1000, dim: 784 };
 */
export interface NoiseRequest {
  /** Philox key, an integer in [0, 2^64) (k0 = low 32 bits, k1 = high 32 bits). */
  seed: bigint;
  /** Stream id (counter word c3), integer in [0, 2^32). */
  stream: number;
  /** Input index (counter word c2), integer in [0, 2^32). */
  inputIndex: number;
  /** First sample index j (counter word c1), integer >= 0. */
  sampleStart: number;
  /** Number of consecutive sample indices; sampleStart + sampleCount <= 2^32. */
  sampleCount: number;
  /** Features per sample, integer in [1, 2^30]. */
  dim: number;
  /** Noise family (the transform of the Philox words, see "Noise families" above); default 'gaussian'. */
  family?: NoiseFamily | undefined;
}

const U32_LIMIT = 4294967296;
const U64_LIMIT = 1n << 64n;
/** Largest supported `dim` (block index b = floor(f / 4) stays far inside u32). */
export const MAX_NOISE_DIM = 2 ** 30;

function checkUint(name: string, value: unknown, limit: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= limit) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `${name} must be an integer in [0, ${limit === U32_LIMIT ? '2^32' : limit}), got ${String(value)}`);
  }
  return value;
}

/**
 * Validates a {@link NoiseRequest} and splits the seed into Philox key words.
 * Throws a RangeError naming the offending field.
 *
 * @example
 * const { k0, k1 } = validateNoiseRequest({ seed: 2n ** 32n + 5n, stream: 0, inputIndex: 0, sampleStart: 0, sampleCount: 1, dim: 3 });
 * // k0 === 5, k1 === 1, family === 0
 */
export function validateNoiseRequest(req: NoiseRequest): { k0: number; k1: number; family: number } {
  if (req === null || typeof req !== 'object') throw new RsRangeError('RS_INVALID_ARG_VALUE', 'request must be an object');
  const seed = req.seed;
  if (typeof seed !== 'bigint' || seed < 0n || seed >= U64_LIMIT) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `seed must be a bigint in [0, 2^64), got ${String(seed)}`);
  }
  checkUint('stream', req.stream, U32_LIMIT);
  checkUint('inputIndex', req.inputIndex, U32_LIMIT);
  checkUint('sampleStart', req.sampleStart, U32_LIMIT);
  checkUint('sampleCount', req.sampleCount, U32_LIMIT + 1);
  if (req.sampleStart + req.sampleCount > U32_LIMIT) {
    throw new RsRangeError(
      'RS_INVALID_ARG_VALUE',
      `sampleStart + sampleCount must be <= 2^32 (sample index is a u32), got ${req.sampleStart} + ${req.sampleCount}`,
    );
  }
  if (typeof req.dim !== 'number' || !Number.isInteger(req.dim) || req.dim < 1 || req.dim > MAX_NOISE_DIM) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `dim must be an integer in [1, 2^30], got ${String(req.dim)}`);
  }
  const [k0, k1] = philoxKey(seed);
  return { k0, k1, family: noiseFamilyId(req.family) };
}

/**
 * Validates an output range `out[outOffset .. outOffset + count)`.
 */
export function checkOutput(out: Float32Array, outOffset: number, count: number, name = 'out'): void {
  if (!(out instanceof Float32Array)) throw new RsRangeError('RS_INVALID_ARG_VALUE', `${name} must be a Float32Array`);
  if (typeof outOffset !== 'number' || !Number.isInteger(outOffset) || outOffset < 0) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `${name}Offset must be a non-negative integer, got ${String(outOffset)}`);
  }
  if (outOffset + count > out.length) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `${name} is too short: needs ${count} elements from ${name}Offset ${outOffset}, has length ${out.length}`);
  }
}

/**
 * Validates the extra arguments of `fillNoisy` (base slice, scale, clip bounds).
 */
export function checkNoisyArgs(
  base: Float32Array,
  baseOffset: number,
  dim: number,
  scale: number,
  clip: { min: Float32Array; max: Float32Array } | undefined,
): void {
  checkOutput(base, baseOffset, dim, 'base');
  if (typeof scale !== 'number' || !Number.isFinite(scale)) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `scale must be a finite number, got ${String(scale)}`);
  }
  if (clip !== undefined) {
    if (clip === null || typeof clip !== 'object') throw new RsRangeError('RS_INVALID_ARG_VALUE', 'clip must be { min, max }');
    if (!(clip.min instanceof Float32Array) || clip.min.length < dim) {
      throw new RsRangeError('RS_INVALID_ARG_VALUE', `clip.min must be a Float32Array of length >= dim (${dim})`);
    }
    if (!(clip.max instanceof Float32Array) || clip.max.length < dim) {
      throw new RsRangeError('RS_INVALID_ARG_VALUE', `clip.max must be a Float32Array of length >= dim (${dim})`);
    }
  }
}
