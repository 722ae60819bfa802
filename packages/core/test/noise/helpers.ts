// Shared helpers of the noise tests (not part of the library).
import type { NoiseRequest } from '../../src/noise/index.js';
import { angleUniformFromU32, uniformFromU32 } from '../../src/noise/box-muller.js';

export function req(partial: Partial<NoiseRequest> = {}): NoiseRequest {
  return { seed: 0x0123456789abcdefn, stream: 1, inputIndex: 0, sampleStart: 0, sampleCount: 1, dim: 16, ...partial };
}

/**
 * Box-Muller with Math.log / Math.cos / Math.sin in binary64 on the same uniforms as the
 * float32 kernel: u_even = the float32 radius uniform (uniformFromU32), u_odd = the 24-bit
 * angle uniform ((x >>> 8) + 1/2) 2^-24 (exact).
 */
export function mathBoxMuller(xEven: number, xOdd: number): [number, number] {
  const u0 = uniformFromU32(xEven);
  const u1 = angleUniformFromU32(xOdd);
  const r = Math.sqrt(-2 * Math.log(u0));
  return [r * Math.cos(2 * Math.PI * u1), r * Math.sin(2 * Math.PI * u1)];
}

/** Complementary error function: Taylor series of erf for |x| < 2, Lentz continued fraction beyond (rel. error ~1e-14). */
export function erfc(x: number): number {
  const ax = Math.abs(x);
  let r: number;
  if (ax < 2) {
    // erf by Taylor series, erfc = 1 - erf
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    r = 1 - (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    // Lentz continued fraction: erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
    const tiny = 1e-300;
    let f = ax;
    let C = ax;
    let D = 0;
    for (let n = 1; n < 500; n++) {
      const a = n / 2;
      D = ax + a * D;
      D = D === 0 ? tiny : 1 / D;
      C = ax + a / C;
      if (C === 0) C = tiny;
      const delta = C * D;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    r = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  }
  return x >= 0 ? r : 2 - r;
}

/** Standard normal CDF. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** Kolmogorov-Smirnov statistic D of a sample against a continuous CDF. */
export function ksStatistic(sample: ArrayLike<number>, cdf: (x: number) => number): number {
  const s = Float64Array.from(sample).sort();
  const n = s.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const F = cdf(s[i]!);
    d = Math.max(d, (i + 1) / n - F, F - i / n);
  }
  return d;
}

/** Sample mean, variance, skewness and excess kurtosis. */
export function moments(x: ArrayLike<number>): { mean: number; variance: number; skew: number; exKurtosis: number } {
  const n = x.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i]!;
  m /= n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - m;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { mean: m, variance: m2, skew: m3 / m2 ** 1.5, exKurtosis: m4 / (m2 * m2) - 3 };
}

/** Pearson correlation of two equally long arrays. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}
