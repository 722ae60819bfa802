/**
 * Noise stream layout of @rs/core: the contract every backend (JS, WASM, and
 * later WGSL / CUDA) must reproduce bit for bit (or, for GPU backends, to float32
 * rounding).
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
 * 2 predict, 3 training augmentation, 4 smoothed gradients.
 *
 * From the block's outputs (x0, x1, x2, x3) come 4 standard normals by
 * Box-Muller in cuRAND's curand_normal4 order:
 *
 *     u_k      = x_k * 2^-32 + 2^-33               (exact in f64; u in (0, 1))
 *     r        = sqrt(-2 ln u_0),  z_0 = r cos(2 pi u_1),  z_1 = r sin(2 pi u_1)
 *     r'       = sqrt(-2 ln u_2),  z_2 = r' cos(2 pi u_3), z_3 = r' sin(2 pi u_3)
 *
 * and feature 4b + k of the vector is float32(z_k). The last block of a vector
 * is truncated when dim is not a multiple of 4 (its surplus normals are
 * discarded; they are never shifted into the next vector). A noise vector
 * therefore depends only on (seed, stream, input index, sample index, feature),
 * never on batch size, input order, process split or backend.
 *
 * Exact arithmetic of the reference (what the JS and WASM backends both do, in
 * IEEE binary64, no fused multiply-add, so their float32 outputs are bitwise
 * identical). ln u uses the musl/fdlibm argument reduction and an atanh series:
 *
 *     ix = bits(u); t = ix - 0x3FE6955500000000; k = t >> 52 (arithmetic)
 *     z = from_bits(ix - (k << 52))        (z in [0.70573, 1.41146), u = z 2^k)
 *     f = z - 1; s = f / (2 + f); w = s s
 *     ln u = k ln2 + ((s + s) + s (w (L1 + w (L2 + ... + w L8))))
 *     with L_n = 2 / (2n + 1), ln2 = 0.6931471805599453 (Math.LN2)
 *
 * The angle uses phi = (u_odd - 0.5) pi in (-pi/2, pi/2) so that
 * 2 pi u_odd = 2 phi + pi, with Taylor polynomials (t = phi^2)
 *
 *     S = phi + (phi t) (S1 + t (S2 + ... + t S8)),  S_n = (-1)^n / (2n+1)!
 *     C = 1 + t (C1 + t (C2 + ... + t C9)),          C_n = (-1)^n / (2n)!
 *     cos(2 pi u) = 2 S^2 - 1,  sin(2 pi u) = -2 S C
 *
 * z_even = r (((S S) 2) - 1), z_odd = r ((S C) (-2)); r = sqrt(ln u * -2);
 * phi = ((x_odd 2^-32 + 2^-33) - 0.5) pi with pi = Math.PI. Every constant is
 * the correctly rounded double of the written fraction (e.g. 2/3, -1/5040).
 * Deviation from the Math.log / Math.cos / Math.sin formula: < 1e-11 max(1, r)
 * in binary64; after float32 rounding the two agree exactly except in rare
 * rounding-boundary cases, which differ by one float32 ulp (tested), so a GPU
 * backend using native log / sin / cos agrees to within float32 rounding.
 */

/** Philox4x32 round multiplier for counter word 0. @example PHILOX_M0 === 0xd2511f53 */
export const PHILOX_M0 = 0xd2511f53;
/** Philox4x32 round multiplier for counter word 2. @example PHILOX_M1 === 0xcd9e8d57 */
export const PHILOX_M1 = 0xcd9e8d57;
/** Philox Weyl increment for key word 0 (golden ratio). @example PHILOX_W0 === 0x9e3779b9 */
export const PHILOX_W0 = 0x9e3779b9;
/** Philox Weyl increment for key word 1 (sqrt(3) - 1). @example PHILOX_W1 === 0xbb67ae85 */
export const PHILOX_W1 = 0xbb67ae85;
/** Number of Philox rounds (Philox4x32-10). @example PHILOX_ROUNDS === 10 */
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
}

const U32_LIMIT = 4294967296;
const U64_LIMIT = 1n << 64n;
/** Largest supported `dim` (block index b = floor(f / 4) stays far inside u32). @example MAX_NOISE_DIM === 2 ** 30 */
export const MAX_NOISE_DIM = 2 ** 30;

function checkUint(name: string, value: unknown, limit: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= limit) {
    throw new RangeError(
      `${name} must be an integer in [0, ${limit === U32_LIMIT ? '2^32' : limit}), got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Validates a {@link NoiseRequest} and splits the seed into Philox key words.
 * Throws a RangeError naming the offending field.
 *
 * @example
 * const { k0, k1 } = validateNoiseRequest({ seed: 2n ** 32n + 5n, stream: 0, inputIndex: 0, sampleStart: 0, sampleCount: 1, dim: 3 });
 * // k0 === 5, k1 === 1
 */
export function validateNoiseRequest(req: NoiseRequest): { k0: number; k1: number } {
  if (req === null || typeof req !== 'object') throw new RangeError('request must be an object');
  const seed = req.seed;
  if (typeof seed !== 'bigint' || seed < 0n || seed >= U64_LIMIT) {
    throw new RangeError(`seed must be a bigint in [0, 2^64), got ${String(seed)}`);
  }
  checkUint('stream', req.stream, U32_LIMIT);
  checkUint('inputIndex', req.inputIndex, U32_LIMIT);
  checkUint('sampleStart', req.sampleStart, U32_LIMIT);
  checkUint('sampleCount', req.sampleCount, U32_LIMIT + 1);
  if (req.sampleStart + req.sampleCount > U32_LIMIT) {
    throw new RangeError(
      `sampleStart + sampleCount must be <= 2^32 (sample index is a u32), got ${req.sampleStart} + ${req.sampleCount}`,
    );
  }
  if (typeof req.dim !== 'number' || !Number.isInteger(req.dim) || req.dim < 1 || req.dim > MAX_NOISE_DIM) {
    throw new RangeError(`dim must be an integer in [1, 2^30], got ${String(req.dim)}`);
  }
  return { k0: Number(seed & 0xffffffffn), k1: Number(seed >> 32n) };
}

/**
 * Validates an output range `out[outOffset .. outOffset + count)`.
 *
 * @example
 * checkOutput(new Float32Array(10), 2, 8); // ok; checkOutput(new Float32Array(10), 3, 8) throws RangeError
 */
export function checkOutput(out: Float32Array, outOffset: number, count: number, name = 'out'): void {
  if (!(out instanceof Float32Array)) throw new RangeError(`${name} must be a Float32Array`);
  if (typeof outOffset !== 'number' || !Number.isInteger(outOffset) || outOffset < 0) {
    throw new RangeError(`${name}Offset must be a non-negative integer, got ${String(outOffset)}`);
  }
  if (outOffset + count > out.length) {
    throw new RangeError(
      `${name} is too short: needs ${count} elements from ${name}Offset ${outOffset}, has length ${out.length}`,
    );
  }
}

/**
 * Validates the extra arguments of `fillNoisy` (base slice, scale, clip bounds).
 *
 * @example
 * checkNoisyArgs(new Float32Array(4), 0, 4, 0.5, undefined); // ok
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
    throw new RangeError(`scale must be a finite number, got ${String(scale)}`);
  }
  if (clip !== undefined) {
    if (clip === null || typeof clip !== 'object') throw new RangeError('clip must be { min, max }');
    if (!(clip.min instanceof Float32Array) || clip.min.length < dim) {
      throw new RangeError(`clip.min must be a Float32Array of length >= dim (${dim})`);
    }
    if (!(clip.max instanceof Float32Array) || clip.max.length < dim) {
      throw new RangeError(`clip.max must be a Float32Array of length >= dim (${dim})`);
    }
  }
}
