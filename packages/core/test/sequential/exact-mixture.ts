/**
 * The beta-binomial mixture martingale evaluated exactly (BigInt rationals), straight from its
 * definition, as the oracle of `betaBinomialMixtureBound`: for a prior Beta(a, b) with rational a, b
 *
 *   C_t(k) = integral of q^k (1 - q)^(t - k) dBeta(q; a, b)
 *          = prod_{j<k} (a + j) * prod_{j<t-k} (b + j) / prod_{i<t} (a + b + i)
 *
 * (the Polya-urn / sequential-prediction form of B(a + k, b + t - k) / B(a, b)), and
 * M_t(p) = C_t(k) / (p^k (1 - p)^(t - k)), p a double (an exact dyadic rational).
 */
import { toDyadic } from '../stats/exact-binomial.js';

/** A positive rational a = num / den. */
export interface Rational {
  num: bigint;
  den: bigint;
}

/** C_t(k) as num / den for the prior Beta(a, b). */
export function mixtureEvidence(k: number, t: number, a: Rational, b: Rational): Rational {
  let num = 1n;
  let den = 1n;
  for (let j = 0; j < k; j++) {
    num *= a.num + BigInt(j) * a.den;
    den *= a.den;
  }
  for (let j = 0; j < t - k; j++) {
    num *= b.num + BigInt(j) * b.den;
    den *= b.den;
  }
  // a + b + i = (a.num b.den + b.num a.den + i a.den b.den) / (a.den b.den)
  const ab = a.den * b.den;
  const s = a.num * b.den + b.num * a.den;
  for (let i = 0; i < t; i++) {
    num *= ab;
    den *= s + BigInt(i) * ab;
  }
  return { num, den };
}

/**
 * Compares M_t(p) with 1 / alpha exactly: returns -1, 0 or 1 as M_t(p) is <, = or > 1 / alpha
 * (p, alpha doubles in (0, 1)).
 */
export function compareMixture(k: number, t: number, p: number, alpha: number, a: Rational, b: Rational): number {
  const C = mixtureEvidence(k, t, a, b);
  const P = toDyadic(p);
  const A = toDyadic(alpha);
  const one = 1n << P.shift;
  // C alpha  vs  p^k (1-p)^(t-k):  C.num A.num 2^(P.shift t)  vs  C.den 2^(A.shift) P.num^k (one - P.num)^(t-k)
  const left = C.num * A.num * (1n << (P.shift * BigInt(t)));
  const right = C.den * (1n << A.shift) * P.num ** BigInt(k) * (one - P.num) ** BigInt(t - k);
  return left < right ? -1 : left > right ? 1 : 0;
}
