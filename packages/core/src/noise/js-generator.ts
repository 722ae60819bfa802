/**
 * Plain-JS noise generator: reference and fallback. Same float32 operations
 * (emulated with Math.fround) as the WASM kernel, hence bitwise-identical output.
 */
import { boxMullerPair } from './box-muller.js';
import { laplaceUnitFromU32, uniformUnitFromU32 } from './families.js';
import { checkedFills } from './checked-fills.js';
import { PHILOX_M0, PHILOX_M1, PHILOX_W0, PHILOX_W1, type NoiseRequest } from './stream-layout.js';
import type { ClipBounds, NoiseGenerator } from './types.js';

const M0_HI = PHILOX_M0 >>> 16;
const M0_LO = PHILOX_M0 & 0xffff;
const M1_HI = PHILOX_M1 >>> 16;
const M1_LO = PHILOX_M1 & 0xffff;
const INV_2_16 = 1 / 65536;
// Module-local copies: V8 does not constant-fold imported bindings in hot loops (~25% slower).
const M0_I32 = PHILOX_M0 | 0;
const M1_I32 = PHILOX_M1 | 0;

/**
 * Unit-variance values of family `family` (0 Gaussian, 1 uniform, 2 Laplace) of `rows` consecutive
 * samples into out[outOffset ..] (arguments already validated). Kept small so that V8 inlines the
 * Box-Muller.
 */
function fillNormalsJs(
  out: Float32Array,
  outOffset: number,
  k0: number,
  k1: number,
  stream: number,
  input: number,
  sampleStart: number,
  rows: number,
  dim: number,
  family: number,
): void {
  const z = new Float32Array(4);
  const unit = family === 1 ? uniformUnitFromU32 : laplaceUnitFromU32;
  const nb = (dim + 3) >>> 2;
  const full = dim >>> 2; // blocks with all 4 normals used
  // round keys (k0 at 2r, k1 at 2r + 1) as int32 bit patterns
  const rk = new Int32Array(20);
  for (let r = 0; r < 10; r++) {
    rk[2 * r] = (k0 + r * PHILOX_W0) | 0;
    rk[2 * r + 1] = (k1 + r * PHILOX_W1) | 0;
  }
  let o = outOffset;
  for (let row = 0; row < rows; row++) {
    const j = sampleStart + row;
    for (let b = 0; b < nb; b++) {
      let c0 = b;
      let c1 = j;
      let c2 = input;
      let c3 = stream;
      for (let r = 0; r < 20; r += 2) {
        // mulhi32 inlined: exact 16-bit split products, all below 2^53
        const t0 = c0 * M0_LO;
        const hi0 = ((c0 * M0_HI + ((t0 * INV_2_16) >>> 0)) * INV_2_16) >>> 0;
        const lo0 = Math.imul(c0, M0_I32);
        const t1 = c2 * M1_LO;
        const hi1 = ((c2 * M1_HI + ((t1 * INV_2_16) >>> 0)) * INV_2_16) >>> 0;
        const lo1 = Math.imul(c2, M1_I32);
        c0 = (hi1 ^ c1 ^ rk[r]!) >>> 0;
        c1 = lo1 >>> 0;
        c2 = (hi0 ^ c3 ^ rk[r + 1]!) >>> 0;
        c3 = lo0 >>> 0;
      }
      if (family !== 0) {
        // one value per word (uniform, Laplace)
        z[0] = unit(c0);
        z[1] = unit(c1);
        z[2] = unit(c2);
        z[3] = unit(c3);
        const take = b < full ? 4 : dim - 4 * full;
        for (let k = 0; k < take; k++) out[o++] = z[k]!;
      } else if (b < full) {
        boxMullerPair(c0, c1, out, o);
        boxMullerPair(c2, c3, out, o + 2);
        o += 4;
      } else {
        // truncated last block
        boxMullerPair(c0, c1, z, 0);
        boxMullerPair(c2, c3, z, 2);
        for (let k = 0; k < dim - 4 * full; k++) out[o++] = z[k]!;
      }
    }
  }
}

/** Fused noisy copies, row by row: unit values into a scratch row, then base + scale*z (+ clip). */
function fillNoisyJs(
  out: Float32Array,
  outOffset: number,
  k0: number,
  k1: number,
  req: NoiseRequest,
  base: Float32Array,
  baseOffset: number,
  scale: number,
  clip: ClipBounds | undefined,
  family: number,
): void {
  const { dim, sampleCount } = req;
  const zrow = new Float32Array(dim);
  const sc = Math.fround(scale);
  const lo = clip ? clip.min : null;
  const hi = clip ? clip.max : null;
  for (let row = 0; row < sampleCount; row++) {
    fillNormalsJs(zrow, 0, k0, k1, req.stream, req.inputIndex, req.sampleStart + row, 1, dim, family);
    const o = outOffset + row * dim;
    if (lo && hi) {
      for (let f = 0; f < dim; f++) {
        let v = Math.fround(base[baseOffset + f]! + Math.fround(sc * zrow[f]!));
        const mn = lo[f]!;
        const mx = hi[f]!;
        v = v < mn ? mn : v;
        v = mx < v ? mx : v;
        out[o + f] = v;
      }
    } else {
      for (let f = 0; f < dim; f++) out[o + f] = base[baseOffset + f]! + Math.fround(sc * zrow[f]!);
    }
  }
}

/**
 * Plain-JavaScript {@link NoiseGenerator} (about 15 M normals/s on one core:
 * the float32 emulation costs a Math.fround per operation). Reference for the WASM backend and fallback where WebAssembly SIMD is
 * unavailable.
 *
 * @example
 * const gen = createJsNoiseGenerator();
 * const out = new Float32Array(10);
 * gen.fillStandardNormal(out, 0, { seed: 7n, stream: 2, inputIndex: 0, sampleStart: 0, sampleCount: 1, dim: 10 });
 */
export function createJsNoiseGenerator(): NoiseGenerator {
  return {
    name: 'js',
    ...checkedFills((out, outOffset, req, k0, k1, base, baseOffset, scale, clip, family) => {
      if (base) fillNoisyJs(out, outOffset, k0, k1, req, base, baseOffset, scale, clip, family);
      else fillNormalsJs(out, outOffset, k0, k1, req.stream, req.inputIndex, req.sampleStart, req.sampleCount, req.dim, family);
    }),
  };
}
