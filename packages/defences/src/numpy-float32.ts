/**
 * numpy's float32 arithmetic, reproduced bit for bit, so that the defences compute what ART
 * computes: ART runs them in float32 numpy (1.24 on x86-64 with AVX2+FMA3 or AVX-512F, where
 * `np.exp` / `np.log` are numpy's own vectorized float32 routines, not the C library's), rounds
 * half to even (`np.rint`, `np.around`) and sums with numpy's pairwise summation.
 */

const f32 = Math.fround;
const view = new DataView(new ArrayBuffer(4));

function bits(v: number): number {
  view.setFloat32(0, v);
  return view.getUint32(0);
}

function fromBits(b: number): number {
  view.setUint32(0, b >>> 0);
  return view.getFloat32(0);
}

/** The float32 next to finite float32 `v` in the direction of `toward`. */
function nextFloat32(v: number, toward: number): number {
  if (v === toward) return v;
  if (v === 0) return toward > 0 ? fromBits(1) : fromBits(0x80000001);
  const b = bits(v);
  return fromBits(v < toward === v > 0 ? b + 1 : b - 1);
}

/**
 * Single-precision fused multiply-add `round32(a * b + c)` of float32 values, exactly (the
 * product is exact in float64; the one rounding of the sum that float64 can get wrong, a tie
 * between two float32 values, is settled by the sum's exact error term).
 *
 * @example
 * fmaf(Math.fround(0.1), Math.fround(3), Math.fround(-0.3));
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  if (!Number.isFinite(s)) return f32(s);
  const bb = s - p;
  const err = p - (s - bb) + (c - bb);
  const r = f32(s);
  if (err === 0 || r === s) return r;
  const other = nextFloat32(r, s);
  if ((r + other) / 2 !== s) return r; // not a tie: float64's rounding kept the side
  return err > 0 === other > r ? other : r;
}

/**
 * `np.rint` (and the rounding of `np.around`): round half to even.
 *
 * @example
 * rintEven(2.5); // 2
 */
export function rintEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r === 0 && v < 0 ? -0 : r; // np.rint(-0.4) is -0.0
}

const EXP_XMAX = 88.72283935546875;
const EXP_XMIN = -103.97208404541015625;
const LOG2E = f32(Math.LOG2E); // 1.4426950408889634 (numpy: 1.442695040888963407359924681001892137)
const MAGIC = 12582912; // 1.5 * 2^23 (NPY_RINT_CVT_MAGICf)
const CW_HIGH = f32(-6.93145752e-1);
const CW_LOW = f32(-1.42860677e-6);
const EXP_P = [
  9.999999999980870924916e-1, 7.257664613233124478488e-1, 2.473615434895520810817e-1, 5.114512081637298353406e-2, 6.757896990527504603057e-3,
  5.082762527590693718096e-4,
].map(f32);
const EXP_Q = [1, -2.742335390411667452936e-1, 2.159509375685829852307e-2].map(f32);
const LOG_P = [0, 9.999999999999998702752e-1, 2.112677543073053063722, 1.480000633576506585156, 3.808837741388407920751e-1, 2.589979117907922693523e-2].map(
  f32,
);
const LOG_Q = [1, 2.612677543073109236779, 2.453006071784736363091, 9.864942958519418960339e-1, 1.546476374983906719538e-1, 5.87509540312457434295e-3].map(f32);
const LOGE2 = f32(Math.LN2);
const SQRT1_2 = f32(Math.SQRT1_2);

function horner(coeffs: readonly number[], x: number): number {
  let acc = coeffs[coeffs.length - 1]!;
  for (let i = coeffs.length - 2; i >= 0; i--) acc = fmaf(acc, x, coeffs[i]!);
  return acc;
}

/**
 * `np.exp` on a float32 value as numpy 1.24 computes it with AVX2+FMA3 / AVX-512F: Cody-Waite
 * range reduction, a (5, 2) rational minimax polynomial, scaling by 2^k (max error 2.52 ULP).
 *
 * @example
 * expf(Math.fround(1)); // 2.7182817459106445
 */
export function expf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x >= EXP_XMAX) return Number.POSITIVE_INFINITY;
  if (x <= EXP_XMIN) return 0;
  const q = f32(f32(f32(x * LOG2E) + MAGIC) - MAGIC);
  let r = fmaf(q, CW_HIGH, x);
  r = fmaf(q, CW_LOW, r);
  const poly = f32(horner(EXP_P, r) / horner(EXP_Q, r));
  return f32(poly * 2 ** q); // _mm512_scalef_ps: one rounding (only matters for subnormal results)
}

/**
 * `np.log` on a float32 value as numpy 1.24 computes it with AVX2+FMA3 / AVX-512F: mantissa in
 * [sqrt(1/2), sqrt(2)), a (5, 5) rational minimax polynomial for log(1 + t) (max error 3.83 ULP).
 *
 * @example
 * logf(Math.fround(2)); // 0.6931471824645996
 */
export function logf(x: number): number {
  if (Number.isNaN(x) || x < 0) return Number.NaN;
  if (x === 0) return Number.NEGATIVE_INFINITY;
  if (x === Number.POSITIVE_INFINITY) return x;
  let e = Math.floor(Math.log2(x));
  // Math.log2 may round across a power of two: settle the exponent exactly.
  if (2 ** e > x) e--;
  else if (2 ** (e + 1) <= x) e++;
  let m = x / 2 ** (e + 1); // in [0.5, 1), exact
  let exponent = e + 1;
  if (m <= SQRT1_2) {
    m += m;
    exponent -= 1;
  }
  const t = f32(m - 1);
  const poly = f32(horner(LOG_P, t) / horner(LOG_Q, t));
  return fmaf(exponent, LOGE2, poly);
}

/**
 * numpy's pairwise float32 sum (`np.sum` along a contiguous axis): blocks of 8 accumulators up to
 * 128 values, halves beyond.
 *
 * @example
 * pairwiseSum(new Float32Array([0.1, 0.2, 0.3]), 0, 3);
 */
export function pairwiseSum(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = f32(res + a[start + i]!);
    return res;
  }
  if (n <= 128) {
    const r = new Array<number>(8);
    for (let j = 0; j < 8; j++) r[j] = a[start + j]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] = f32(r[j]! + a[start + i + j]!);
    let res = f32(f32(f32(r[0]! + r[1]!) + f32(r[2]! + r[3]!)) + f32(f32(r[4]! + r[5]!) + f32(r[6]! + r[7]!)));
    for (; i < n; i++) res = f32(res + a[start + i]!);
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return f32(pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2));
}
