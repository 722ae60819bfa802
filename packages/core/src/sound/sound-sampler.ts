/**
 * Noisy copies of the sound mode: inputs are integer grid coordinates m (x = m / levels), the noise
 * is the discretized Gaussian's integer j (discrete-gaussian.ts), their sum m + j is exact, and the
 * classifier receives float32((m + j) / levels): a fixed function of the integer m + j.
 *
 * Philox layout of the sound mode (the key and counter words of stream-layout.ts): the block with
 * counter (b, sample index, input id, stream) gives coordinates 2b and 2b + 1, U = x0 2^32 + x1 for
 * coordinate 2b and U = x2 2^32 + x3 for 2b + 1 (a truncated last block drops its second
 * coordinate). Streams are those of the float mode (selection 0, estimation 1, predict 2).
 */
import { PHILOX_M0, PHILOX_M1, PHILOX_W0, PHILOX_W1, type NoiseRequest } from '../noise/stream-layout.js';
import { type DiscreteGaussianTable, discreteGaussianSample } from './discrete-gaussian.js';

const M0_HI = PHILOX_M0 >>> 16;
const M0_LO = PHILOX_M0 & 0xffff;
const M1_HI = PHILOX_M1 >>> 16;
const M1_LO = PHILOX_M1 & 0xffff;
const M0_I32 = PHILOX_M0 | 0;
const M1_I32 = PHILOX_M1 | 0;
const INV_2_16 = 1 / 65536;

/**
 * Writes `req.sampleCount` noisy copies of the grid point `grid[gridOffset .. gridOffset + dim)` to
 * `out[outOffset ..]`: float32((m_f + j_f) / levels), clamped to `clip` when given (the clamp is a
 * function of m + j as well). Arguments are trusted (validated by the caller).
 *
 * @example
 * fillSoundNoisy(out, 0, { seed: 1n, stream: 1, inputIndex: 0, sampleStart: 0, sampleCount: 100, dim: 784 }, grid, 0, discreteGaussianTable(0.25, 255));
 */
export function fillSoundNoisy(
  out: Float32Array,
  outOffset: number,
  req: NoiseRequest,
  grid: Int32Array,
  gridOffset: number,
  table: DiscreteGaussianTable,
  clip?: { min: Float32Array; max: Float32Array },
): void {
  const { dim, sampleCount, stream, inputIndex } = req;
  const levels = table.levels;
  const k0 = Number(req.seed & 0xffffffffn);
  const k1 = Number(req.seed >> 32n);
  const rk = new Int32Array(20);
  for (let r = 0; r < 10; r++) {
    rk[2 * r] = (k0 + r * PHILOX_W0) | 0;
    rk[2 * r + 1] = (k1 + r * PHILOX_W1) | 0;
  }
  const nb = (dim + 1) >>> 1;
  for (let row = 0; row < sampleCount; row++) {
    const j = req.sampleStart + row;
    const o = outOffset + row * dim;
    for (let b = 0; b < nb; b++) {
      let c0 = b;
      let c1 = j;
      let c2 = inputIndex;
      let c3 = stream;
      for (let r = 0; r < 20; r += 2) {
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
      const f = 2 * b;
      out[o + f] = gridValue(grid[gridOffset + f]! + discreteGaussianSample(table, c0, c1), levels, clip, f);
      if (f + 1 < dim) out[o + f + 1] = gridValue(grid[gridOffset + f + 1]! + discreteGaussianSample(table, c2, c3), levels, clip, f + 1);
    }
  }
}

function gridValue(m: number, levels: number, clip: { min: Float32Array; max: Float32Array } | undefined, f: number): number {
  let v = Math.fround(m / levels);
  if (clip) {
    const lo = clip.min[f]!;
    const hi = clip.max[f]!;
    v = v < lo ? lo : v;
    v = hi < v ? hi : v;
  }
  return v;
}
