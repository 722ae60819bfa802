/**
 * Box-Muller transform of Philox outputs, plain JS reference. The exact
 * sequence of binary64 operations is specified in `stream-layout.ts`; the WASM
 * kernel (scripts/gen-noise-wasm.mjs) performs the same operations in the same
 * order, so both backends give bitwise-identical float32 noise.
 */

/** 2^-32: scale from u32 to [0, 1). @example TWO_POW_M32 === 2 ** -32 */
export const TWO_POW_M32 = 2.3283064365386963e-10;
/** 2^-33: half step, so that u = x 2^-32 + 2^-33 lies in (0, 1). @example 0xffffffff * TWO_POW_M32 + TWO_POW_M33 < 1 */
export const TWO_POW_M33 = 1.1641532182693481e-10;
/** Split point of the log argument reduction: the double with bits 0x3FF6955500000000. @example LOG_SPLIT === 1.4114580154418945 */
export const LOG_SPLIT = 1 + 431445 / 1048576;

const POW2_NEG: Float64Array = (() => {
  // POW2_NEG[n] = 2^n for n = 0..40 (used as 2^-e, e in [-33, -1])
  const t = new Float64Array(41);
  for (let n = 0; n <= 40; n++) t[n] = 2 ** n;
  return t;
})();

/**
 * u = x * 2^-32 + 2^-33 for a u32 `x` (exact in binary64).
 *
 * @example
 * uniformFromU32(0) === 2 ** -33
 */
export function uniformFromU32(x: number): number {
  return x * TWO_POW_M32 + TWO_POW_M33;
}

/**
 * ln(u) with u = x 2^-32 + 2^-33, by the polynomial of the stream layout
 * (relative error < 1e-15; no Math.log, so WASM can reproduce it exactly).
 *
 * @example
 * Math.abs(logUniform(0x80000000) - Math.log(0.5 + 2 ** -33)) < 1e-15
 */
export function logUniform(x: number): number {
  const u = x * TWO_POW_M32 + TWO_POW_M33;
  // floor(log2 u) = bitlength(x) - 33 (x = 0 -> -33)
  let e = -1 - Math.clz32(x);
  let m = u * POW2_NEG[-e]!; // exact, in [1, 2)
  if (m >= LOG_SPLIT) {
    m = m * 0.5;
    e = e + 1;
  }
  const f = m - 1;
  const s = f / (2 + f);
  const w = s * s;
  const R =
    w *
    (2 / 3 +
      w * (2 / 5 + w * (2 / 7 + w * (2 / 9 + w * (2 / 11 + w * (2 / 13 + w * (2 / 15 + w * (2 / 17))))))));
  return e * 0.6931471805599453 + (s + s + s * R);
}

/**
 * The two binary64 normals (before float32 rounding) of one Box-Muller pair:
 * r = sqrt(-2 ln u_even), (r cos 2 pi u_odd, r sin 2 pi u_odd), using the
 * polynomial log and sin/cos of the stream layout. Writes them to
 * `res[idx]`, `res[idx + 1]`.
 *
 * @example
 * const res = new Float64Array(2); boxMullerPair(0x12345678, 0x9abcdef0, res, 0);
 */
export function boxMullerPair(xEven: number, xOdd: number, res: Float64Array | Float32Array, idx: number): void {
  const r = Math.sqrt(logUniform(xEven) * -2);
  const phi = (xOdd * TWO_POW_M32 + TWO_POW_M33 - 0.5) * 3.141592653589793;
  const t = phi * phi;
  const S =
    phi +
    phi *
      t *
      (-1 / 6 +
        t *
          (1 / 120 +
            t *
              (-1 / 5040 +
                t * (1 / 362880 + t * (-1 / 39916800 + t * (1 / 6227020800 + t * (-1 / 1307674368000 + t * (1 / 355687428096000))))))));
  const C =
    1 +
    t *
      (-1 / 2 +
        t *
          (1 / 24 +
            t *
              (-1 / 720 +
                t *
                  (1 / 40320 +
                    t *
                      (-1 / 3628800 +
                        t * (1 / 479001600 + t * (-1 / 87178291200 + t * (1 / 20922789888000 + t * (-1 / 6402373705728000)))))))));
  res[idx] = r * (S * S * 2 - 1);
  res[idx + 1] = r * (S * C * -2);
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
