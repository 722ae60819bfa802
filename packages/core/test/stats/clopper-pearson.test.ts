import { describe, expect, it } from 'vitest';
import { betaPpf, clopperPearsonLower, clopperPearsonUpper, nextUp } from '../../src/stats/index.js';
import { compareBinomialMass } from './exact-binomial.js';

const EPS = Number.EPSILON;

function upBy(x: number, steps: number): number {
  let y = x;
  for (let i = 0; i < steps; i++) y = nextUp(y);
  return y;
}

describe('clopperPearsonLower / Upper: analytic cases', () => {
  it('k = 0 gives lower 0, k = n gives upper 1', () => {
    for (const n of [1, 2, 10, 1e7, 1e9]) {
      expect(clopperPearsonLower(0, n, 0.05)).toBe(0);
      expect(clopperPearsonUpper(n, n, 0.05)).toBe(1);
    }
  });

  it('n = 1, k = 1: lower = alpha (rounded down by the documented margin); n = 1, k = 0: upper = 1 - alpha', () => {
    for (const alpha of [1e-12, 1e-6, 0.001, 0.05, 0.25, 0.5, 0.75]) {
      const lo = clopperPearsonLower(1, 1, alpha);
      expect(lo).toBeLessThan(alpha);
      // margin: max(6 ulps, 2^-44 * min(x, 1 - x))
      expect(Math.max(upBy(lo, 6), lo + 2 ** -44 * Math.min(alpha, 1 - alpha) * (1 + 1e-9))).toBeGreaterThanOrEqual(alpha);
      const up = clopperPearsonUpper(0, 1, alpha);
      expect(up).toBeGreaterThanOrEqual(1 - alpha);
      expect(up - (1 - alpha)).toBeLessThanOrEqual(2 ** -44 * Math.min(alpha, 1 - alpha) + 8 * EPS);
    }
  });

  it('k = n: lower = alpha^(1/n), conservative and tight (exact BigInt check of x^n vs alpha)', () => {
    for (const n of [2, 3, 7, 10, 50, 200]) {
      for (const alpha of [1e-12, 1e-6, 0.05, 0.4999]) {
        const lo = clopperPearsonLower(n, n, alpha);
        expect(lo).toBeCloseTo(alpha ** (1 / n), 12);
        // P(Bin(n, lo) >= n) = lo^n must be <= alpha ...
        expect(compareBinomialMass(n, lo, n, n, alpha), `n=${n} alpha=${alpha}`).toBeLessThanOrEqual(0);
        // ... and a slightly larger value (6 ulps + 2^-44 relative) must exceed alpha.
        const tight = Math.max(upBy(lo, 7), lo * (1 + 2 ** -44) + 4 * EPS * lo);
        expect(compareBinomialMass(n, tight, n, n, alpha)).toBe(1);
      }
    }
  });

  it('k = n, huge n: lower = alpha^(1/n) to 1e-15 relative', () => {
    for (const n of [1e7, 1e9, 2 ** 53 - 1]) {
      for (const alpha of [1e-12, 0.05]) {
        const lo = clopperPearsonLower(n, n, alpha);
        const expected = Math.exp(Math.log(alpha) / n);
        expect(Math.abs(lo - expected) / expected).toBeLessThan(1e-15);
        expect(lo).toBeLessThan(1);
      }
    }
  });

  it('k = 0: upper = 1 - alpha^(1/n) without cancellation', () => {
    // -expm1(log(0.05) / 1e6) = 2.995727955...e-6 (mpmath: 2.99572795499...e-6)
    const up = clopperPearsonUpper(0, 1e6, 0.05);
    expect(up).toBeGreaterThanOrEqual(-Math.expm1(Math.log(0.05) / 1e6));
    expect(Math.abs(up / -Math.expm1(Math.log(0.05) / 1e6) - 1)).toBeLessThan(1e-13);
  });
});

describe('clopperPearsonLower / Upper: exact conservativeness (BigInt binomial sums)', () => {
  const cases: [number, number][] = [];
  for (const n of [2, 5, 13, 30]) for (let k = 1; k < n; k += Math.max(1, Math.floor(n / 6))) cases.push([k, n]);
  const alphas = [1e-12, 1e-6, 0.001, 0.05, 0.25, 0.5, 0.7];

  it('lower: P(Bin(n, L) >= k) <= alpha < P(Bin(n, L(1 + 2^-43)) >= k)', () => {
    for (const [k, n] of cases) {
      for (const alpha of alphas) {
        const L = clopperPearsonLower(k, n, alpha);
        const msg = `k=${k} n=${n} alpha=${alpha} L=${L}`;
        expect(compareBinomialMass(n, L, k, n, alpha), msg).toBeLessThanOrEqual(0);
        expect(compareBinomialMass(n, Math.max(upBy(L, 8), L * (1 + 2 ** -43)), k, n, alpha), msg).toBe(1);
      }
    }
  });

  it('upper: P(Bin(n, U) <= k) <= alpha < P(Bin(n, U(1 - 2^-43)) <= k)', () => {
    for (const [k, n] of cases) {
      for (const alpha of alphas) {
        const U = clopperPearsonUpper(k, n, alpha);
        const msg = `k=${k} n=${n} alpha=${alpha} U=${U}`;
        expect(compareBinomialMass(n, U, 0, k, alpha), msg).toBeLessThanOrEqual(0);
        const below = Math.min(U - 8 * EPS * U, U * (1 - 2 ** -43));
        expect(compareBinomialMass(n, below, 0, k, alpha), msg).toBe(1);
      }
    }
  });
});

describe('clopperPearsonLower / Upper: structure', () => {
  it('upper(k, n, a) = 1 - lower(n - k, n, a) up to the rounding of 1 - x', () => {
    let maxDiff = 0;
    for (const n of [1, 2, 3, 10, 57, 1000, 12345, 1e6, 1e7]) {
      for (const k of [0, 1, 2, Math.floor(n / 3), Math.floor(n / 2), n - 2, n - 1, n]) {
        if (k < 0 || k > n) continue;
        for (const alpha of [1e-12, 1e-6, 0.01, 0.05, 0.25, 0.5]) {
          const up = clopperPearsonUpper(k, n, alpha);
          const mirrored = 1 - clopperPearsonLower(n - k, n, alpha);
          const diff = Math.abs(up - mirrored);
          maxDiff = Math.max(maxDiff, diff);
          expect(diff, `k=${k} n=${n} alpha=${alpha}`).toBeLessThanOrEqual(8 * EPS);
          expect(up).toBeGreaterThanOrEqual(clopperPearsonLower(k, n, alpha));
        }
      }
    }
    console.log(`max |upper(k) - (1 - lower(n-k))| = ${maxDiff.toExponential(3)}`);
  });

  it('lower increases with k and decreases as alpha decreases; upper the mirror image', () => {
    for (const n of [1, 7, 100, 10007]) {
      const ks = n <= 100 ? Array.from({ length: n + 1 }, (_, i) => i) : [0, 1, 2, 50, 5000, 10005, 10006, 10007];
      const alphas = [0.9, 0.5, 0.25, 0.05, 1e-3, 1e-6, 1e-12];
      for (const alpha of alphas) {
        let prevL = -1;
        let prevU = -1;
        for (const k of ks) {
          const L = clopperPearsonLower(k, n, alpha);
          const U = clopperPearsonUpper(k, n, alpha);
          expect(L).toBeGreaterThan(prevL);
          // strictly increasing, except that upper bounds within 1 ulp of 1 round up to 1
          if (U < 1) expect(U).toBeGreaterThan(prevU);
          else expect(U).toBeGreaterThanOrEqual(prevU);
          if (alpha < 0.5) expect(U).toBeGreaterThan(L);
          else if (alpha > 0.5 && k > 0 && k < n) expect(U).toBeLessThan(L); // one-sided levels below 50%
          prevL = L;
          prevU = U;
        }
      }
      for (const k of ks.filter((k) => k > 0)) {
        let prevL = 2;
        for (const alpha of alphas) {
          const L = clopperPearsonLower(k, n, alpha);
          expect(L, `k=${k} n=${n} alpha=${alpha}`).toBeLessThan(prevL);
          prevL = L;
        }
      }
    }
  });

  it('agrees with betaPpf (lower = betaPpf(alpha, k, n-k+1) rounded down)', () => {
    for (const [k, n, alpha] of [
      [5, 10, 0.05],
      [990, 1000, 0.001],
      [123, 4567, 1e-6],
      [4999999, 10000000, 0.01],
    ] as const) {
      const q = betaPpf(alpha, k, n - k + 1);
      const L = clopperPearsonLower(k, n, alpha);
      expect(L).toBeLessThan(q);
      expect((q - L) / q).toBeLessThanOrEqual(2 ** -44 + 8 * EPS);
    }
  });
});

describe('clopperPearsonLower / Upper: extreme inputs', () => {
  it('tiny and large alpha, huge n: finite, ordered, within [0, 1]', () => {
    for (const n of [1, 2, 1e3, 1e7, 1e9]) {
      for (const k of [0, 1, Math.floor(n / 2), n - 1, n]) {
        if (k < 0) continue;
        for (const alpha of [Number.MIN_VALUE, 1e-300, 1e-12, 0.4999999, 0.5, 0.5000001, 1 - 1e-12]) {
          const L = clopperPearsonLower(k, n, alpha);
          const U = clopperPearsonUpper(k, n, alpha);
          const msg = `k=${k} n=${n} alpha=${alpha}`;
          expect(Number.isNaN(L), msg).toBe(false);
          expect(Number.isNaN(U), msg).toBe(false);
          expect(L, msg).toBeGreaterThanOrEqual(0);
          expect(U, msg).toBeLessThanOrEqual(1);
          if (alpha < 0.5) expect(L, msg).toBeLessThan(U);
        }
      }
    }
  });

  it('huge n, mid k: close to the normal approximation', () => {
    // k = n/2, n = 1e9, alpha = 0.05: L ~ 0.5 - 1.6449 * sqrt(0.25 / n)
    const L = clopperPearsonLower(5e8, 1e9, 0.05);
    const approx = 0.5 - 1.6448536269514722 * Math.sqrt(0.25 / 1e9);
    expect(Math.abs(L - approx)).toBeLessThan(1e-9);
  });

  it('alpha = 1e-12 at moderate n: exact (BigInt) conservativeness and tightness', () => {
    const L = clopperPearsonLower(90, 100, 1e-12);
    expect(compareBinomialMass(100, L, 90, 100, 1e-12)).toBeLessThanOrEqual(0);
    expect(compareBinomialMass(100, L * (1 + 2 ** -43), 90, 100, 1e-12)).toBe(1);
  });
});

describe('clopperPearsonLower / Upper: input validation', () => {
  const fns = [clopperPearsonLower, clopperPearsonUpper];
  it.each([
    [[1.5, 10, 0.05], /'k'/, RangeError],
    [[-1, 10, 0.05], /'k'/, RangeError],
    [[11, 10, 0.05], /'k' must be an integer in \[0, n\] = \[0, 10\], got 11/, RangeError],
    [[NaN, 10, 0.05], /'k'/, RangeError],
    [[0, 0, 0.05], /'n' must be an integer in \[1, /, RangeError],
    [[0, 2.5, 0.05], /'n'/, RangeError],
    [[0, Infinity, 0.05], /'n'/, RangeError],
    [[0, 2 ** 53, 0.05], /'n'/, RangeError],
    [[1, 10, 1.5], /'alpha' must be in \(0, 1\), got 1.5/, RangeError],
    [[1, 10, 0], /'alpha' must be in \(0, 1\), got 0/, RangeError],
    [[1, 10, 1], /'alpha'/, RangeError],
    [[1, 10, NaN], /'alpha' must be in \(0, 1\), got NaN/, RangeError],
    [[1, 10, -Infinity], /'alpha'/, RangeError],
    [['1', 10, 0.05], /'k' must be a number/, TypeError],
    [[1, null, 0.05], /'n' must be a number/, TypeError],
    [[1, 10, undefined], /'alpha' must be a number/, TypeError],
  ] as const)('rejects %j', (args, message, type) => {
    for (const fn of fns) {
      const call = () => (fn as (...a: unknown[]) => number)(...args);
      expect(call).toThrow(type);
      expect(call).toThrow(message);
    }
  });
});
