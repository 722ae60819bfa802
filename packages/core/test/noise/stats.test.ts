// Statistical tests of the generated noise. Fixed seeds make them deterministic; the bounds
// are ~5 standard errors (CLT), and each test is shown to reject a slightly wrong distribution.
import { describe, expect, it } from 'vitest';
import { createWasmNoiseGenerator } from '../../src/noise/index.js';
import { correlation, erfc, ksStatistic, moments, normalCdf, req } from './helpers.js';

const gen = createWasmNoiseGenerator();
const N = 1_000_000;

function sample(seed: bigint, stream: number, dim: number, count: number, inputIndex = 0): Float32Array {
  const out = new Float32Array(dim * count);
  gen.fillStandardNormal(out, 0, req({ seed, stream, inputIndex, dim, sampleCount: count }));
  return out;
}

// Sampling standard errors of the moments of N iid standard normals.
const SE = { mean: 1 / Math.sqrt(N), variance: Math.sqrt(2 / N), skew: Math.sqrt(6 / N), kurt: Math.sqrt(24 / N) };
const Z = 5;
function momentsOk(x: ArrayLike<number>): boolean {
  const m = moments(x);
  return Math.abs(m.mean) < Z * SE.mean && Math.abs(m.variance - 1) < Z * SE.variance && Math.abs(m.skew) < Z * SE.skew && Math.abs(m.exKurtosis) < Z * SE.kurt;
}
// KS critical value at alpha = 1e-4: sqrt(-ln(alpha/2) / 2) / sqrt(N)
const KS_CRIT = Math.sqrt(-Math.log(1e-4 / 2) / 2) / Math.sqrt(N);

describe('normal CDF of the tests', () => {
  it('matches known values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 15);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 13);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 15);
    expect(normalCdf(-6)).toBeCloseTo(9.865876450377e-10, 20);
    expect(erfc(3) / 2.209049699858544e-5).toBeCloseTo(1, 12);
    expect(erfc(1) / 0.15729920705028513).toBeCloseTo(1, 12);
  });
});

describe('noise statistics (1e6 draws)', () => {
  const x = sample(20240501n, 1, 1000, N / 1000);

  it('mean, variance, skewness, excess kurtosis within 5 standard errors of N(0, 1)', () => {
    const m = moments(x);
    expect(Math.abs(m.mean)).toBeLessThan(Z * SE.mean);
    expect(Math.abs(m.variance - 1)).toBeLessThan(Z * SE.variance);
    expect(Math.abs(m.skew)).toBeLessThan(Z * SE.skew);
    expect(Math.abs(m.exKurtosis)).toBeLessThan(Z * SE.kurt);
  });

  it('moment checks reject a 1% variance error, a 0.01 shift and a uniform/t-like shape', () => {
    expect(momentsOk(x.map((v) => v * 1.005))).toBe(false); // variance 1.010
    expect(momentsOk(x.map((v) => v + 0.01))).toBe(false);
    // heavier tails: scale mixture (kurtosis > 0) with unit variance
    const mix = x.map((v, i) => v * (i % 2 ? 0.9 : Math.sqrt(2 - 0.81)));
    expect(momentsOk(mix)).toBe(false);
  });

  it('Kolmogorov-Smirnov against the normal CDF', () => {
    const d = ksStatistic(x, normalCdf);
    expect(d).toBeLessThan(KS_CRIT);
  });

  it('the KS test rejects a 2% scale error and a shifted sample', () => {
    expect(
      ksStatistic(
        x.map((v) => v * 1.02),
        normalCdf,
      ),
    ).toBeGreaterThan(KS_CRIT);
    expect(
      ksStatistic(
        x.map((v) => v + 0.01),
        normalCdf,
      ),
    ).toBeGreaterThan(KS_CRIT);
  });

  it('each of the 4 lanes of a block (z0..z3, cos and sin halves) is N(0, 1)', () => {
    const lanes = [0, 1, 2, 3].map((k) => x.filter((_, i) => i % 4 === k));
    const crit = KS_CRIT * 2; // N/4 draws each
    for (const lane of lanes) expect(ksStatistic(lane, normalCdf)).toBeLessThan(crit);
  });

  it('tails: P(|z| > 3) and P(|z| > 4) match 2(1 - Phi)', () => {
    for (const t of [3, 4]) {
      const p = 2 * normalCdf(-t);
      let c = 0;
      for (let i = 0; i < N; i++) if (Math.abs(x[i]!) > t) c++;
      const sd = Math.sqrt(N * p * (1 - p));
      expect(Math.abs(c - N * p)).toBeLessThan(Z * sd);
    }
  });
});

describe('independence', () => {
  const dim = 1000;
  const count = 500;
  const n = dim * count; // correlation standard error ~ 1/sqrt(n)
  const bound = Z / Math.sqrt(n);
  const a = sample(77n, 1, dim, count, 0);

  it('vectors of different inputs, streams, samples and seeds are uncorrelated', () => {
    const others = [
      sample(77n, 1, dim, count, 1), // next input
      sample(77n, 0, dim, count, 0), // other stream (selection vs estimation)
      sample(78n, 1, dim, count, 0), // next seed
      sample(77n + (1n << 32n), 1, dim, count, 0), // differs only in k1
    ];
    for (const b of others) expect(Math.abs(correlation(a, b))).toBeLessThan(bound);
    // consecutive sample indices: row j vs row j + 1
    expect(Math.abs(correlation(a.subarray(0, n - dim), a.subarray(dim)))).toBeLessThan(bound);
  });

  it('neighbouring features are uncorrelated (within a pair, across pairs and blocks)', () => {
    for (const lag of [1, 2, 3, 4, 5]) {
      expect(Math.abs(correlation(a.subarray(0, n - lag), a.subarray(lag)))).toBeLessThan(bound);
    }
    // Box-Muller partners share r: uncorrelated but |z0| and |z1| are dependent in magnitude only
    const z0 = a.filter((_, i) => i % 4 === 0);
    const z1 = a.filter((_, i) => i % 4 === 1);
    expect(Math.abs(correlation(z0, z1))).toBeLessThan(Z / Math.sqrt(z0.length));
  });

  it('the correlation check detects a planted dependence', () => {
    const b = sample(78n, 1, dim, count, 0);
    const mixed = a.map((v, i) => 0.99 * b[i]! + 0.14 * v); // corr ~ 0.14
    expect(Math.abs(correlation(a, mixed))).toBeGreaterThan(bound);
  });
});
