/**
 * Catherine Loader's saddle-point expansion ("Fast and accurate computation of
 * binomial probabilities", 2000): the binomial-type term
 *
 *   Gamma(a+b+1) / (Gamma(a+1) Gamma(b+1)) * x^a * (1-x)^b
 *
 * is evaluated as exp(stirlerr(a+b) - stirlerr(a) - stirlerr(b) - bd0(a, (a+b)x)
 * - bd0(b, (a+b)(1-x))) / sqrt(2 pi a b / (a+b)), which has no cancellation even
 * for a + b ~ 1e9 (plain lgamma differences lose ~1e-9 there). The deviances
 * `a - (a+b)x` are formed with error-free transformations, so `x` (or `1 - x`,
 * whichever is exactly representable) enters without rounding.
 */

import { twoProduct, twoSum } from './error-free.js';

const LOG_SQRT_2PI = 0.918938533204672741780329736406;
const EULER_GAMMA = 0.577215664901532860606512090082;

/** stirlerr(n) for n = 0.5, 1, ..., 15 (computed with mpmath at 50 digits). */
const STIRLERR_HALVES = [
  0, 0.1534264097200273452914, 0.08106146679532725821967, 0.05481412105191765389614, 0.04134069595540929409382, 0.03316287351993628748511,
  0.02767792568499833914879, 0.02374616365629749597133, 0.02079067210376509311152, 0.01848845053267318523078, 0.01664469118982119216319,
  0.01513497322191737887351, 0.01387612882307074799875, 0.01281046524292022692425, 0.01189670994589177009506, 0.01110455975820691732663,
  0.01041126526197209649748, 0.00979941612615880329839, 0.009255462182712732917729, 0.008768700134139385462955, 0.008330563433362871256469,
  0.00793411456431402054725, 0.007573675487951840794972, 0.007244554301320383179546, 0.006942840107209529865664, 0.006665247032707682442356,
  0.00640899418800420706844, 0.006171712263039457647535, 0.005951370112758847735624, 0.005746216513010115682026, 0.005554733551962801371039,
];

function stirlingSeries(n: number): number {
  // Stirling series: 1/(12n) - 1/(360n^3) + 1/(1260n^5) - 1/(1680n^7) + 1/(1188n^9); n > 15.
  const nn = n * n;
  if (n > 500) return (1 / 12 - 1 / 360 / nn) / n;
  if (n > 80) return (1 / 12 - (1 / 360 - 1 / 1260 / nn) / nn) / n;
  if (n > 35) return (1 / 12 - (1 / 360 - (1 / 1260 - 1 / 1680 / nn) / nn) / nn) / n;
  return (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / 1188 / nn) / nn) / nn) / nn) / n;
}

/**
 * Error of Stirling's formula: `stirlerr(n) = log Gamma(n+1) - (n + 1/2) log n + n - log sqrt(2 pi)`,
 * for real n > 0, to an absolute accuracy of a few 1e-16.
 *
 * @example
 * stirlerr(1); // 0.08106146679532726 (= 1 - log sqrt(2 pi))
 */
export function stirlerr(n: number): number {
  if (n > 15) return stirlingSeries(n);
  const twice = 2 * n;
  if (twice === Math.floor(twice)) return STIRLERR_HALVES[twice]!;
  if (n < 1e-10) {
    // log Gamma(1+n) = -gamma n + O(n^2)
    return -(n + 0.5) * Math.log(n) + n * (1 - EULER_GAMMA) - LOG_SQRT_2PI;
  }
  // stirlerr(n) = stirlerr(n+1) + (n + 1/2) log(1 + 1/n) - 1
  let sum = 0;
  let m = n;
  while (m <= 15) {
    sum += (m + 0.5) * Math.log1p(1 / m) - 1;
    m += 1;
  }
  return sum + stirlingSeries(m);
}

/**
 * Deviance term `bd0(x, M) = x log(x/M) + M - x >= 0`, given `d = x - M`
 * computed accurately by the caller. Uses the series in `v = d / (x + M)` when
 * |v| < 1/2, so it has full relative accuracy when x ~ M.
 */
export function bd0(x: number, M: number, d: number): number {
  if (x === 0) return M;
  const v = d / (x + M);
  if (Math.abs(v) < 0.5) {
    let s = d * v;
    let ej = 2 * x * v;
    const v2 = v * v;
    for (let j = 1; j < 200; j++) {
      ej *= v2;
      const s1 = s + ej / (2 * j + 1);
      if (s1 === s) return s1;
      s = s1;
    }
    return s;
  }
  return x * Math.log(x / M) - d;
}

/** Loader's kernel in parts: kernel = exp(lc) / sqrt(f). */
export interface KernelParts {
  /** Exponent: kernel = exp(lc) / sqrt(f). */
  readonly lc: number;
  readonly f: number;
}

/**
 * The saddle-point decomposition of the binomial-type kernel (see
 * `binomialKernel`); |lc| (in ulps) bounds the rounding error of exp(lc).
 */
export function kernelParts(a: number, b: number, x: number): KernelParts {
  if (x <= 0) return { lc: a === 0 ? 0 : -Infinity, f: 1 };
  if (x >= 1) return { lc: b === 0 ? 0 : -Infinity, f: 1 };
  const xExact = x <= 0.5;
  const y = 1 - x; // exact when x >= 0.5
  if (a === 0) return { lc: xExact ? b * Math.log1p(-x) : b * Math.log(y), f: 1 };
  if (b === 0) return { lc: xExact ? a * Math.log(x) : a * Math.log1p(-y), f: 1 };
  const n = twoSum(a, b);
  let M1: number;
  let M2: number;
  let d1: number;
  if (xExact) {
    // M1 = (a + b) x in double-double; d1 = a - M1.
    const p = twoProduct(n.hi, x);
    const pLo = p.lo + n.lo * x;
    const s = twoSum(a, -p.hi);
    d1 = s.hi + (s.lo - pLo);
    M1 = p.hi + pLo;
    M2 = n.hi - p.hi + (n.lo - pLo);
  } else {
    const p = twoProduct(n.hi, y);
    const pLo = p.lo + n.lo * y;
    const s = twoSum(b, -p.hi);
    d1 = -(s.hi + (s.lo - pLo));
    M2 = p.hi + pLo;
    M1 = n.hi - p.hi + (n.lo - pLo);
  }
  const lc = stirlerr(n.hi) - stirlerr(a) - stirlerr(b) - bd0(a, M1, d1) - bd0(b, M2, -d1);
  return { lc, f: 2 * Math.PI * a * (b / n.hi) };
}

/**
 * log of `Gamma(a+b+1) / (Gamma(a+1) Gamma(b+1)) * x^a * (1-x)^b` for real
 * a, b >= 0 and x in [0, 1] (the log binomial pmf when a, b are integers).
 * Finite where the value itself underflows.
 */
export function logBinomialKernel(a: number, b: number, x: number): number {
  const { lc, f } = kernelParts(a, b, x);
  return lc - 0.5 * Math.log(f);
}

/**
 * `Gamma(a+b+1) / (Gamma(a+1) Gamma(b+1)) * x^a * (1-x)^b` for real a, b >= 0
 * and x in [0, 1] (the binomial pmf when a, b are integers), with relative
 * error ~(2 + |log value|) ulps.
 */
export function binomialKernel(a: number, b: number, x: number): number {
  const { lc, f } = kernelParts(a, b, x);
  if (lc > -700) return Math.exp(lc) / Math.sqrt(f);
  return Math.exp(lc - 0.5 * Math.log(f));
}

/** A positive quantity given both as a value (possibly underflowed to 0) and as its log. */
export interface ValueAndLog {
  readonly value: number;
  readonly log: number;
}

/**
 * The incomplete-beta prefactor `x^a (1-x)^b / B(a, b)` for a, b > 0 and
 * 0 < x < 1, as Loader's kernel times a b / (a + b).
 */
export function betaPowerTerms(a: number, b: number, x: number, parts: KernelParts = kernelParts(a, b, x)): ValueAndLog {
  const { lc, f } = parts;
  // (ab/(a+b)) / sqrt(2 pi ab/(a+b)) = sqrt(ab/(a+b) / (2 pi))
  const g = f / (4 * Math.PI * Math.PI);
  const log = lc + 0.5 * Math.log(g);
  const value = lc > -700 ? Math.exp(lc) * Math.sqrt(g) : Math.exp(log);
  return { value, log };
}

/**
 * log of the Beta function B(a, b) for a, b > 0, via the saddle-point kernel
 * evaluated at x = a / (a + b) (no lgamma cancellation for large arguments).
 * Accurate to ~1e-14 relative in B; used for starting values.
 *
 * @example
 * Math.exp(logBeta(2, 3)); // 0.08333333333333333 = 1/12
 */
export function logBeta(a: number, b: number): number {
  const x = a / (a + b);
  const y = b / (a + b);
  return a * Math.log(x) + b * Math.log(y) - betaPowerTerms(a, b, x).log;
}
