import { RsRangeError } from '../errors.js';
/**
 * p-values of the noise self-test's statistics: Kolmogorov-Smirnov (Kolmogorov's limiting
 * distribution with Stephens' small-sample correction), chi-square (the regularized upper incomplete
 * gamma function) and two-sided normal z-scores. Accurate to well beyond what a pass/fail threshold
 * of 1e-5 needs (chi-square: ~1e-13 relative; KS: the series is summed to 1e-16).
 */
import { normalSf } from '../stats/normal.js';

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

/**
 * ln Gamma(x) for x > 0 (Lanczos, g = 7; relative error ~1e-15).
 *
 * @example
 * logGamma(5); // ln 24 = 3.1780538303479458
 */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'x' must be > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * The regularized upper incomplete gamma function Q(a, x) = Gamma(a, x) / Gamma(a): its series
 * below x = a + 1, Lentz's continued fraction above (Numerical Recipes' gammq).
 *
 * @example
 * gammaQ(1, 2); // e^-2 = 0.1353352832366127
 */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) throw new RsRangeError('RS_INVALID_ARG_VALUE', `gammaQ needs a > 0 and x >= 0, got a = ${a}, x = ${x}`);
  if (x === 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return Math.max(0, 1 - front * sum);
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return front * h;
}

/**
 * Upper tail P(chi^2_df >= stat) of the chi-square distribution.
 *
 * @example
 * chiSquarePValue(1023, 1023); // ~0.49
 */
export function chiSquarePValue(stat: number, df: number): number {
  return gammaQ(df / 2, Math.max(0, stat) / 2);
}

/**
 * P(D_n >= d) for the one-sample Kolmogorov-Smirnov statistic of n draws: Kolmogorov's limiting
 * distribution Q(lambda) = 2 sum_j (-1)^(j-1) exp(-2 j^2 lambda^2) at lambda = (sqrt n + 0.12 + 0.11 / sqrt n) d
 * (Stephens 1970).
 *
 * @example
 * kolmogorovPValue(0.00043, 1e7); // ~0.05
 */
export function kolmogorovPValue(d: number, n: number): number {
  const s = Math.sqrt(n);
  const lambda = (s + 0.12 + 0.11 / s) * d;
  if (lambda < 0.2) return 1;
  let sum = 0;
  for (let j = 1; j < 200; j++) {
    const term = Math.exp(-2 * j * j * lambda * lambda);
    sum += j % 2 ? term : -term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/**
 * Two-sided p-value of a standard normal z-score.
 *
 * @example
 * normalTwoSidedPValue(1.959963984540054); // 0.05
 */
export function normalTwoSidedPValue(z: number): number {
  return Math.min(1, 2 * normalSf(Math.abs(z)));
}
