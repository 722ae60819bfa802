/**
 * Exact rational arithmetic on doubles (BigInt) for test oracles: every finite
 * double is m * 2^e exactly, so binomial tail probabilities at a double p are
 * exact rationals with a power-of-two denominator.
 */

/** x = num / 2^shift exactly, for finite x >= 0. */
export interface Dyadic {
  readonly num: bigint;
  readonly shift: bigint;
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

export function toDyadic(x: number): Dyadic {
  if (!(x >= 0) || !Number.isFinite(x)) throw new RangeError(`toDyadic: ${x}`);
  if (x === 0) return { num: 0n, shift: 0n };
  f64[0] = x;
  const bits = u64[0];
  const expBits = (bits! >> 52n) & 0x7ffn;
  const frac = bits! & ((1n << 52n) - 1n);
  // normal: (2^52 + frac) * 2^(exp - 1075); subnormal: frac * 2^-1074
  const mant = expBits === 0n ? frac : frac | (1n << 52n);
  const e = expBits === 0n ? -1074n : expBits - 1075n;
  return e >= 0n ? { num: mant << e, shift: 0n } : { num: mant, shift: -e };
}

function binomialRow(n: number): bigint[] {
  const row: bigint[] = [1n];
  for (let j = 1; j <= n; j++) row.push((row[j - 1]! * BigInt(n - j + 1)) / BigInt(j));
  return row;
}

/**
 * Compares P(Bin(n, p) in [lo, hi]) with the double `alpha` exactly.
 * Returns -1, 0 or 1 as the probability is <, = or > alpha.
 */
export function compareBinomialMass(n: number, p: number, lo: number, hi: number, alpha: number): number {
  const P = toDyadic(p);
  const A = toDyadic(alpha);
  const one = 1n << P.shift;
  const q = one - P.num;
  const row = binomialRow(n);
  let sum = 0n; // probability * 2^(shift * n)
  for (let j = Math.max(0, lo); j <= Math.min(n, hi); j++) {
    sum += row[j]! * P.num ** BigInt(j) * q ** BigInt(n - j);
  }
  // sum / 2^(P.shift n)  vs  A.num / 2^A.shift
  const left = sum << A.shift;
  const right = A.num << (P.shift * BigInt(n));
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Exact P(Bin(n, p) = k) as a double (correctly rounded up to the final division). */
export function exactPmf(k: number, n: number, p: number): number {
  return exactMass(n, p, k, k);
}

/** P(Bin(n, p) in [lo, hi]) rounded to a double (relative error ~1e-16). */
export function exactMass(n: number, p: number, lo: number, hi: number): number {
  const P = toDyadic(p);
  const one = 1n << P.shift;
  const q = one - P.num;
  const row = binomialRow(n);
  let sum = 0n;
  for (let j = Math.max(0, lo); j <= Math.min(n, hi); j++) sum += row[j]! * P.num ** BigInt(j) * q ** BigInt(n - j);
  return ratioToNumber(sum, P.shift * BigInt(n));
}

/** num / 2^shift as a double, keeping ~60 significant bits before the conversion. */
export function ratioToNumber(num: bigint, shift: bigint): number {
  if (num === 0n) return 0;
  const bits = BigInt(num.toString(2).length);
  const drop = bits > 64n ? bits - 64n : 0n;
  const top = Number(num >> drop); // 64 bits -> rounded once to 53
  const e = Number(drop - shift);
  const e1 = Math.max(e, -1000); // two exact scalings so 2^e itself never goes subnormal
  return top * 2 ** e1 * 2 ** (e - e1);
}
