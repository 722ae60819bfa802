import { RsRangeError } from '../errors.js';
/**
 * The discretized Gaussian of the sound mode (Voracek & Hein, ICLR 2023): a Gaussian N(0, sigma^2)
 * rounded to the grid step h = 1 / levels, P(j) = Phi((j + 1/2) h / sigma) - Phi((j - 1/2) h / sigma)
 * for the integer j, sampled exactly from a 64-bit uniform integer U against integer thresholds.
 *
 * Thresholds: T_k = floor(2^64 Phi((k + 1/2) h / sigma)) for k = -J .. J - 1, computed in exact
 * integer arithmetic (exact-normal-cdf.ts), with J = ceil(9 sigma / h): the sample is
 * j = -J + #{k : T_k <= U}, in [-J, J]. Its law D differs from the discretized Gaussian by at most
 *
 *     tv = (2J + 1) / 2^64 + 2 Phi(-(J + 1/2) h / sigma)
 *
 * in total variation per coordinate (each threshold is within 2^-64 of its exact value; the mass
 * beyond +-J is folded into the end cells). sound-radius.ts turns that into the certificate.
 */
import { floorScaledNormalCdf } from './exact-normal-cdf.js';

/** Bits of the top of U that index the guide table. */
const GUIDE_BITS = 12;

/** A discretized Gaussian's thresholds, ready for sampling. */
export interface DiscreteGaussianTable {
  readonly levels: number;
  readonly sigma: number;
  /** Largest |j| drawn. */
  readonly J: number;
  /** High and low 32-bit words of T_{-J} .. T_{J-1}, increasing. */
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  /** For each value b of the top 12 bits of U: the number of thresholds below b 2^52. */
  readonly guide: Uint32Array;
  /** Upper bound on the total variation between the sampled law and the discretized Gaussian, per coordinate. */
  readonly tv: number;
}

/** sigma = s / 2^e exactly, s and e integers (sigma is a finite binary64 > 0). */
function dyadic(sigma: number): { s: bigint; e: bigint } {
  let v = sigma;
  let e = 0;
  while (!Number.isInteger(v)) {
    v *= 2;
    e++;
  }
  return { s: BigInt(v), e: BigInt(e) };
}

const cache = new Map<string, DiscreteGaussianTable>();

/**
 * The threshold table of the discretized Gaussian with standard deviation `sigma` (input units) on
 * the grid of step 1 / `levels` (cached; building it takes about 1-10 ms per threshold pair on a
 * slow core, e.g. 0.2 s for sigma 0.25 at levels 255).
 *
 * @example
 * const t = discreteGaussianTable(0.25, 255); // t.J === 574, t.tv < 1e-16
 */
export function discreteGaussianTable(sigma: number, levels: number): DiscreteGaussianTable {
  if (!(typeof sigma === 'number' && Number.isFinite(sigma) && sigma > 0))
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'sigma' must be a finite number > 0, got ${sigma}`);
  if (!Number.isInteger(levels) || levels < 1 || levels > 65535)
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'levels' must be an integer in [1, 65535], got ${levels}`);
  const key = `${sigma}:${levels}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const J = Math.ceil(9 * sigma * levels);
  if (J > 1 << 20)
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `sigma ${sigma} spans ${J} grid steps of 1/${levels}: too many for the sound mode's table (at most 2^20)`);
  const { s, e } = dyadic(sigma);
  // x_k = (k + 1/2) h / sigma = (2k + 1) 2^e / (2 levels s)
  const b = 2n * BigInt(levels) * s;
  const Q = 1n << 64n;
  const hi = new Uint32Array(2 * J);
  const lo = new Uint32Array(2 * J);
  for (let k = 0; k < J; k++) {
    const up = floorScaledNormalCdf(BigInt(2 * k + 1) << e, b); // T_k, k >= 0: Phi(x_k)
    const down = Q - up - 1n; // T_{-k-1} = floor(2^64 (1 - Phi(x_k))) (2^64 Phi(x_k) is not an integer)
    hi[J + k] = Number(up >> 32n);
    lo[J + k] = Number(up & 0xffffffffn);
    hi[J - 1 - k] = Number(down >> 32n);
    lo[J - 1 - k] = Number(down & 0xffffffffn);
  }
  const guide = new Uint32Array((1 << GUIDE_BITS) + 1);
  let t = 0;
  for (let g = 0; g <= 1 << GUIDE_BITS; g++) {
    while (t < 2 * J && hi[t]! >>> (32 - GUIDE_BITS) < g) t++;
    guide[g] = t;
  }
  // Phi(-x) <= phi(x) / x for x > 0 (Mills); doubled for the rounding of this bound in binary64.
  const x = (J + 0.5) / levels / sigma;
  const tail = (2 * Math.exp(-(x * x) / 2)) / (x * Math.sqrt(2 * Math.PI));
  const tv = ((2 * J + 1) / 2 ** 64 + 2 * tail) * (1 + 1e-12);
  const table: DiscreteGaussianTable = Object.freeze({ levels, sigma, J, hi, lo, guide, tv });
  cache.set(key, table);
  return table;
}

/**
 * The sample j of a 64-bit uniform U = hi 2^32 + lo: -J + #{k : T_k <= U}.
 *
 * @example
 * discreteGaussianSample(table, 0x80000000, 0); // 0 (U = 2^63, the middle)
 */
export function discreteGaussianSample(table: DiscreteGaussianTable, uHi: number, uLo: number): number {
  const { hi, lo, guide } = table;
  const n = hi.length;
  let k = guide[uHi >>> (32 - GUIDE_BITS)]!;
  while (k < n && (hi[k]! < uHi || (hi[k] === uHi && lo[k]! <= uLo))) k++;
  return k - table.J;
}
