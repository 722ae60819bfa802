// The top-two certificate: its alpha split (the theorem in src/stats/top-two-radius.ts), checked
// by simulation against known class probabilities, and its radius.
import { describe, expect, it } from 'vitest';
import { clopperPearsonLower, clopperPearsonUpper, normalPpf, topTwoBounds, topTwoRadius } from '../../src/stats/index.js';
import { uniforms } from '../smoothing/helpers.js';

/** Multinomial(n, p) counts from the uniforms u[offset..offset + n). */
function multinomial(p: number[], n: number, u: Float64Array, offset: number): Int32Array {
  const cdf = p.map((_, k) => p.slice(0, k + 1).reduce((a, b) => a + b, 0));
  const counts = new Int32Array(p.length);
  for (let i = 0; i < n; i++) {
    const v = u[offset + i]!;
    let k = 0;
    while (k < p.length - 1 && v >= cdf[k]!) k++;
    counts[k]!++;
  }
  return counts;
}

describe('topTwoBounds: the alpha split', () => {
  it('is CP_lower(c_A, alpha/2) and min(1 - L_A, CP_upper(max other count, alpha/2))', () => {
    const counts = Int32Array.of(10, 5200, 3100, 1690);
    const b = topTwoBounds(counts, 0, 4, 1, 10_000, 0.001);
    expect(b.runnerUp).toBe(2);
    expect(b.pALower).toBe(clopperPearsonLower(5200, 10_000, 0.0005));
    expect(b.pBUpper).toBe(clopperPearsonUpper(3100, 10_000, 0.0005));
    // the runner-up bound is capped by the mass the others can share
    const tight = topTwoBounds(Int32Array.of(990, 10), 0, 2, 0, 1000, 0.001);
    expect(tight.pBUpper).toBe(Math.min(1 - tight.pALower, clopperPearsonUpper(10, 1000, 0.0005)));
    // k = 0 and k = n
    const all = topTwoBounds(Int32Array.of(0, 50, 0), 0, 3, 1, 50, 0.01);
    expect(all.pALower).toBe(clopperPearsonLower(50, 50, 0.005));
    expect(all.pBUpper).toBe(Math.min(1 - all.pALower, clopperPearsonUpper(0, 50, 0.005)));
    const none = topTwoBounds(Int32Array.of(0, 50, 0), 0, 3, 0, 50, 0.01);
    expect(none.pALower).toBe(0);
    expect(none.runnerUp).toBe(1);
  });

  // p_A = p_B = 0.45: both bounds are binding, and their failures are different events.
  const p = [0.45, 0.45, 0.05, 0.05];
  const n = 400;
  const trials = 6000;
  const u = uniforms(n * trials, 4242);
  function failureRate(bounds: (c: Int32Array) => { pALower: number; pBUpper: number }): number {
    let fail = 0;
    for (let t = 0; t < trials; t++) {
      const c = multinomial(p, n, u, t * n);
      const b = bounds(c);
      if (p[0]! < b.pALower || Math.max(p[1]!, p[2]!, p[3]!) > b.pBUpper) fail++;
    }
    return fail / trials;
  }
  const alpha = 0.1;
  const se = Math.sqrt((alpha * (1 - alpha)) / trials);

  it(`holds both bounds together with probability >= 1 - alpha (simulation, ${trials} multinomial draws)`, () => {
    const rate = failureRate((c) => topTwoBounds(c, 0, 4, 0, n, alpha));
    console.log(`top-two bounds, alpha ${alpha}: joint failure rate ${rate.toFixed(4)} (bound ${alpha} + 3 SE ${(3 * se).toFixed(4)})`);
    expect(rate).toBeLessThanOrEqual(alpha + 3 * se);
  });

  it('the simulation detects the unsplit version (both bounds at alpha)', () => {
    const unsplit = (c: Int32Array) => {
      const pALower = clopperPearsonLower(c[0]!, n, alpha);
      return { pALower, pBUpper: Math.min(1 - pALower, clopperPearsonUpper(Math.max(c[1]!, c[2]!, c[3]!), n, alpha)) };
    };
    const rate = failureRate(unsplit);
    console.log(`unsplit bounds, alpha ${alpha}: joint failure rate ${rate.toFixed(4)}`);
    expect(rate).toBeGreaterThan(alpha + 3 * se);
  });

  it('validates its arguments', () => {
    expect(() => topTwoBounds(Int32Array.of(5, 5), 0, 2, 0, 11, 0.01)).toThrow(/sum to 10, not n = 11/);
    expect(() => topTwoBounds(Int32Array.of(5, 5), 0, 2, 2, 10, 0.01)).toThrow(/'selected'/);
    expect(() => topTwoBounds(Int32Array.of(5, 5), 0, 2, 0, 10, 0)).toThrow(/'alpha'/);
  });
});

describe('topTwoRadius', () => {
  it('is sigma / 2 (Phi^-1(pA) - Phi^-1(pB)), never above it, 0 when pA <= pB', () => {
    for (const [a, b] of [
      [0.6, 0.3],
      [0.45, 0.2],
      [0.999, 0.0005],
      [0.5, 0.4999],
    ] as const) {
      const exact = 0.125 * (normalPpf(a) - normalPpf(b));
      const r = topTwoRadius(a, b, 0.25);
      expect(r).toBeLessThanOrEqual(exact);
      expect(r).toBeGreaterThan(exact * (1 - 1e-12) - 1e-15);
    }
    expect(topTwoRadius(0.4, 0.4, 1)).toBe(0);
    expect(topTwoRadius(0.3, 0.4, 1)).toBe(0);
    expect(topTwoRadius(1, 0, 1)).toBe(Infinity);
    expect(topTwoRadius(0.6, 0.3, 0.25, { norm: 'linf', dim: 16 })).toBeLessThanOrEqual(topTwoRadius(0.6, 0.3, 0.25) / 4);
    expect(() => topTwoRadius(0.6, 0.3, 0.25, { norm: 'linf' })).toThrow(/'dim'/);
  });

  it('with pB_upper = 1 - pA_lower it is the one-sided radius', () => {
    for (const a of [0.6, 0.9, 0.999]) expect(Math.abs(topTwoRadius(a, 1 - a, 1) / normalPpf(a) - 1)).toBeLessThan(1e-13);
  });
});
