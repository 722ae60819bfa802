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
 *
 * @example
 * twoSum(1, 1e-20); // { hi: 1, lo: 1e-20 }
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
 *
 * @example
 * const { hi, lo } = twoProduct(0.1, 3); // hi = 0.30000000000000004, lo = -2.7755575615628914e-17
 */
export function twoProduct(a: number, b: number): DoubleDouble {
  const hi = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  const lo = al * bl - (hi - ah * bh - al * bh - ah * bl);
  return { hi, lo };
}
