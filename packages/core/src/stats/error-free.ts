/**
 * Error-free transformations (Knuth's two-sum, Dekker's two-product) used to
 * compute differences such as `k - n*p` without cancellation.
 */

/** A value represented as the unevaluated sum `hi + lo` with `|lo| <= ulp(hi)/2`. */
export interface DoubleDouble {
  readonly hi: number;
  readonly lo: number;
}

/**
 * Exact sum: `a + b === hi + lo` exactly (Knuth's TwoSum).
 */
export function twoSum(a: number, b: number): DoubleDouble {
  const hi = a + b;
  const bb = hi - a;
  const lo = a - (hi - bb) + (b - bb);
  return { hi, lo };
}

const SPLITTER = 134217729; // 2^27 + 1

function split(a: number): [number, number] {
  const t = SPLITTER * a;
  const hi = t - (t - a);
  return [hi, a - hi];
}

/**
 * Exact product: `a * b === hi + lo` exactly (Dekker's TwoProduct), barring
 * overflow/underflow.
 */
export function twoProduct(a: number, b: number): DoubleDouble {
  const hi = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  const lo = al * bl - (hi - ah * bh - al * bh - ah * bl);
  return { hi, lo };
}
