import { describe, expect, it } from 'vitest';
import { binomialCdf, binomialPmf, binomialSf, binomialTestPValue } from '../../src/stats/index.js';
import { exactMass, ratioToNumber, toDyadic } from './exact-binomial.js';

const rel = (a: number, b: number) => (b === 0 ? Math.abs(a) : Math.abs(a - b) / Math.abs(b));
const PS = [0.5, 0.1, 0.3, 0.37, 0.9, 0.999, 1e-3, 0.123456789];

describe('binomialPmf / Cdf / Sf against exact rational sums', () => {
  it('pmf, cdf and sf to 1e-14 relative for n <= 60 (including tiny tails)', () => {
    let worst = 0;
    for (const n of [1, 2, 5, 17, 60]) {
      for (const p of PS) {
        for (let k = 0; k <= n; k++) {
          const checks: [number, number][] = [
            [binomialPmf(k, n, p), exactMass(n, p, k, k)],
            [binomialCdf(k, n, p), exactMass(n, p, 0, k)],
            [binomialSf(k, n, p), exactMass(n, p, k + 1, n)],
          ];
          for (const [got, want] of checks) {
            if (want < 1e-290) continue;
            const e = rel(got, want);
            worst = Math.max(worst, e);
            // exp() of a log-domain value of size L costs ~L ulps
            const tol = 5e-15 + 2 * Number.EPSILON * Math.abs(Math.log(want));
            expect(e, `k=${k} n=${n} p=${p} got=${got} want=${want}`).toBeLessThan(tol);
          }
        }
      }
    }
    console.log(`binomial pmf/cdf/sf vs exact: max rel err ${worst.toExponential(3)}`);
  });

  it('huge n (mpmath values)', () => {
    expect(rel(binomialPmf(5e8, 1e9, 0.5), 0.000025231325213893769178)).toBeLessThan(1e-14);
    expect(rel(binomialPmf(123456, 1e7, 0.0123), 0.00048600087334768937019)).toBeLessThan(1e-13);
  });

  it('edge cases: p = 0, p = 1, k outside [0, n], n = 0', () => {
    expect(binomialPmf(0, 10, 0)).toBe(1);
    expect(binomialPmf(1, 10, 0)).toBe(0);
    expect(binomialPmf(10, 10, 1)).toBe(1);
    expect(binomialPmf(9, 10, 1)).toBe(0);
    expect(binomialCdf(0, 10, 0)).toBe(1);
    expect(binomialCdf(9, 10, 1)).toBe(0);
    expect(binomialSf(9, 10, 1)).toBe(1);
    expect(binomialPmf(-1, 10, 0.5)).toBe(0);
    expect(binomialPmf(11, 10, 0.5)).toBe(0);
    expect(binomialCdf(-1, 10, 0.5)).toBe(0);
    expect(binomialCdf(10, 10, 0.5)).toBe(1);
    expect(binomialSf(10, 10, 0.5)).toBe(0);
    expect(binomialSf(-1, 10, 0.5)).toBe(1);
    expect(binomialPmf(0, 0, 0.3)).toBe(1);
  });

  it('pmf sums to 1 and cdf + sf = 1', () => {
    for (const p of [0.5, 0.01, 0.77]) {
      let s = 0;
      for (let k = 0; k <= 1000; k++) s += binomialPmf(k, 1000, p);
      expect(Math.abs(s - 1)).toBeLessThan(1e-13);
      for (const k of [0, 3, 10, 500, 770, 999]) {
        expect(Math.abs(binomialCdf(k, 1000, p) + binomialSf(k, 1000, p) - 1)).toBeLessThan(4e-16);
      }
    }
  });

  it('validates arguments, naming them', () => {
    expect(() => binomialPmf(1.5, 10, 0.5)).toThrow(/'k'/);
    expect(() => binomialCdf(1, -1, 0.5)).toThrow(/'n'/);
    expect(() => binomialSf(1, 10, 1.5)).toThrow(/'p' must be in \[0, 1\], got 1.5/);
    expect(() => binomialSf(1, 10, NaN)).toThrow(RangeError);
    expect(() => binomialPmf(1, 10, '0.5' as unknown as number)).toThrow(TypeError);
  });
});

/**
 * scipy's two-sided rule evaluated exactly: pmf values as BigInt numerators over
 * the common denominator 2^(shift n); "pmf(i) <= pmf(k) * (1 + 1e-7)" compared
 * exactly as rationals (1 + 1e-7 taken as 10000001 / 10^7).
 */
function exactBinomTest(k: number, n: number, p: number): number {
  const P = toDyadic(p);
  const q = (1n << P.shift) - P.num;
  const row: bigint[] = [1n];
  for (let j = 1; j <= n; j++) row.push((row[j - 1]! * BigInt(n - j + 1)) / BigInt(j));
  const pmf = row.map((c, j) => c * P.num ** BigInt(j) * q ** BigInt(n - j));
  if (k === n * p) return 1;
  const bound = pmf[k]! * 10000001n;
  let total = 0n;
  for (let i = 0; i <= n; i++) {
    const sameSide = k < n * p ? i <= k : i >= k;
    const otherSide = k < n * p ? i >= Math.ceil(n * p) : i <= Math.floor(n * p);
    if (sameSide || (otherSide && pmf[i]! * 10000000n <= bound)) total += pmf[i]!;
  }
  return Math.min(1, ratioToNumber(total, P.shift * BigInt(n)));
}

describe('binomialTestPValue', () => {
  it("matches the exact evaluation of scipy's rule for many (k, n, p), to 1e-13", () => {
    let worst = 0;
    for (const n of [1, 2, 3, 10, 31, 60]) {
      for (const p of [0.5, 0.1, 0.3, 0.37, 0.9, 0.999, 0.25, 0.75]) {
        for (let k = 0; k <= n; k++) {
          const want = exactBinomTest(k, n, p);
          const got = binomialTestPValue(k, n, p);
          const e = rel(got, want);
          worst = Math.max(worst, e);
          expect(e, `k=${k} n=${n} p=${p} got=${got} want=${want}`).toBeLessThan(1e-13);
        }
      }
    }
    console.log(`binomialTestPValue vs exact scipy rule: max rel err ${worst.toExponential(3)}`);
  });

  it('known values', () => {
    expect(rel(binomialTestPValue(7, 10), 0.34375)).toBeLessThanOrEqual(4 * Number.EPSILON);
    expect(binomialTestPValue(5, 10)).toBe(1);
    expect(binomialTestPValue(0, 1)).toBe(1);
    expect(binomialTestPValue(1, 1)).toBe(1);
    expect(rel(binomialTestPValue(0, 10), 2 / 1024)).toBeLessThanOrEqual(4 * Number.EPSILON);
    expect(rel(binomialTestPValue(3, 10, 0.1), 0.0701908264)).toBeLessThan(1e-13); // scipy 1.17 binomtest(3, 10, 0.1)
  });

  it('p = 0 and p = 1', () => {
    expect(binomialTestPValue(0, 10, 0)).toBe(1);
    expect(binomialTestPValue(3, 10, 0)).toBe(0);
    expect(binomialTestPValue(10, 10, 1)).toBe(1);
    expect(binomialTestPValue(9, 10, 1)).toBe(0);
  });

  it('huge n: finite, in [0, 1], symmetric for p = 1/2, underflows to 0 far out', () => {
    for (const n of [1e7, 1e9]) {
      const mid = n / 2;
      for (const d of [1, 10, 1000, 30000, 100000]) {
        const lo = binomialTestPValue(Math.round(mid - d), n);
        const hi = binomialTestPValue(Math.round(mid + d), n);
        expect(lo).toBeGreaterThanOrEqual(0);
        expect(lo).toBeLessThanOrEqual(1);
        expect(rel(hi, lo)).toBeLessThan(1e-12);
      }
      expect(binomialTestPValue(1, n)).toBe(0);
    }
    // normal approximation sanity: z = 3 at n = 1e9 -> p ~ 2 * Phi(-3) ~ 0.0027
    const z3 = binomialTestPValue(Math.round(5e8 - 3 * Math.sqrt(2.5e8)), 1e9);
    expect(Math.abs(z3 - 0.0027)).toBeLessThan(0.0001);
  });

  it('validates arguments, naming them', () => {
    expect(() => binomialTestPValue(11, 10)).toThrow(/'k' must be an integer in \[0, n\] = \[0, 10\], got 11/);
    expect(() => binomialTestPValue(0, 0)).toThrow(/'n'/);
    expect(() => binomialTestPValue(1, 10, 1.5)).toThrow(/'p' must be in \[0, 1\], got 1.5/);
    expect(() => binomialTestPValue(1, 10, NaN)).toThrow(RangeError);
    expect(() => binomialTestPValue('1' as unknown as number, 10)).toThrow(TypeError);
  });
});
