import { describe, expect, it } from 'vitest';
import {
  betaBinomialMixtureBound,
  clopperPearsonLower,
  clopperPearsonUpper,
  createSequentialBound,
  DEFAULT_MIXTURE_PRIOR,
  JEFFREYS_PRIOR,
  stagedClopperPearsonBound,
} from '../../src/index.js';
import { compareMixture, type Rational } from './exact-mixture.js';

const half: Rational = { num: 1n, den: 2n };
const tenth: Rational = { num: 1n, den: 10n };

describe('staged Clopper-Pearson bound: Clopper-Pearson at the Bonferroni share of alpha', () => {
  const schedule = [100, 1000, 10_000, 100_000];

  it('equals clopperPearsonLower / Upper at alpha / m (the scipy-checked bounds), for alpha 0.001 and 0.05', () => {
    for (const alpha of [0.001, 0.05]) {
      const b = stagedClopperPearsonBound(alpha, schedule);
      for (const t of schedule)
        for (const k of [0, 1, Math.floor(t / 2), t - 1, t]) {
          expect(b.lower(k, t)).toBe(clopperPearsonLower(k, t, alpha / 4));
          // upper bounds at all checkpoints but the last (alpha / 3 each), 1 at the last
          expect(b.upper(k, t)).toBe(t === 100_000 ? 1 : clopperPearsonUpper(k, t, alpha / 3));
        }
    }
  });

  it('claims lower bounds only from lowerFrom, with firstShare of alpha at the first claim', () => {
    const b = stagedClopperPearsonBound(0.001, schedule, { lowerFrom: 2, firstShare: 0.5 });
    expect(b.lower(100, 100)).toBe(0);
    expect(b.lower(1000, 1000)).toBe(0);
    expect(b.lower(10_000, 10_000)).toBe(clopperPearsonLower(10_000, 10_000, 0.0005));
    expect(b.lower(99_990, 100_000)).toBe(clopperPearsonLower(99_990, 100_000, 0.0005));
    const last = stagedClopperPearsonBound(0.001, schedule, { lowerFrom: 3, firstShare: 0.5 });
    expect(last.lower(100_000, 100_000)).toBe(clopperPearsonLower(100_000, 100_000, 0.001)); // one claim: all of alpha
  });

  it('one checkpoint is plain Clopper-Pearson (n = the minimum: 10 hits of 10 certify at alpha 0.001)', () => {
    const b = stagedClopperPearsonBound(0.001, [10]);
    expect(b.lower(10, 10)).toBe(clopperPearsonLower(10, 10, 0.001));
    expect(b.lower(10, 10)).toBeGreaterThanOrEqual(0.5);
    expect(stagedClopperPearsonBound(0.001, [9]).lower(9, 9)).toBeLessThan(0.5);
    expect(b.upper(3, 10)).toBe(clopperPearsonUpper(3, 10, 0.001));
  });

  it('refuses sample counts outside its schedule and bad settings', () => {
    const b = stagedClopperPearsonBound(0.001, schedule);
    expect(() => b.lower(5, 50)).toThrow(/not a checkpoint/);
    expect(() => b.lower(101, 100)).toThrow(/'k'/);
    expect(() => stagedClopperPearsonBound(0.001, [100, 100])).toThrow(/strictly increasing/);
    expect(() => stagedClopperPearsonBound(0, schedule)).toThrow(/'alpha'/);
    expect(() => stagedClopperPearsonBound(0.001, schedule, { lowerFrom: 4 })).toThrow(/'lowerFrom'/);
    expect(() => stagedClopperPearsonBound(0.001, schedule, { firstShare: 1 })).toThrow(/'firstShare'/);
  });
});

describe('beta-binomial mixture bound: checked exactly against its defining martingale', () => {
  // The lower bound L must be rejected (M_t(L) >= 1/alpha, so every p <= L is: the true
  // lower end is >= L) and tight (M_t at L + 1e-6 (1 - L) is below 1/alpha).
  const cases: [number, number][] = [
    [1, 1],
    [1, 2],
    [7, 10],
    [10, 10],
    [50, 100],
    [99, 100],
    [100, 100],
    [420, 500],
    [997, 1000],
    [1000, 1000],
    [1990, 2000],
  ];
  for (const [prior, a, b] of [
    ['Jeffreys Beta(1/2, 1/2)', half, half],
    ['default Beta(1/2, 1/10)', half, tenth],
  ] as const) {
    it(`${prior}: lower and upper are conservative and tight, at alpha 0.001 and 0.05`, () => {
      const p = { a: Number(a.num) / Number(a.den), b: Number(b.num) / Number(b.den) };
      for (const alpha of [0.001, 0.05]) {
        const bound = betaBinomialMixtureBound(alpha, [1], p);
        for (const [k, t] of cases) {
          const lo = bound.lower(k, t);
          expect(lo).toBeLessThan(k / t);
          expect(compareMixture(k, t, lo, alpha, a, b), `M at lower(${k}, ${t})`).toBeGreaterThanOrEqual(0);
          const above = lo + 1e-6 * (1 - lo);
          if (above < k / t) expect(compareMixture(k, t, above, alpha, a, b), `M just above lower(${k}, ${t})`).toBeLessThan(0);
          const up = bound.upper(k, t);
          if (k === t) expect(up).toBe(1);
          else {
            expect(up).toBeGreaterThan(k / t);
            expect(compareMixture(k, t, up, alpha, a, b), `M at upper(${k}, ${t})`).toBeGreaterThanOrEqual(0);
            const below = up - 1e-6 * up;
            if (below > k / t) expect(compareMixture(k, t, below, alpha, a, b), `M just below upper(${k}, ${t})`).toBeLessThan(0);
          }
        }
      }
    });
  }

  it('edge cases: k = 0 gives lower 0, k = t gives upper 1; t = 1', () => {
    const b = betaBinomialMixtureBound(0.001, [1]);
    expect(b.lower(0, 1)).toBe(0);
    expect(b.lower(0, 100_000)).toBe(0);
    expect(b.upper(100_000, 100_000)).toBe(1);
    expect(b.upper(1, 1)).toBe(1);
    expect(b.lower(1, 1)).toBeGreaterThan(0);
    expect(b.lower(1, 1)).toBeLessThan(0.01);
    expect(() => b.lower(2, 1)).toThrow(/'k'/);
    expect(() => b.lower(0, 0)).toThrow(/'t'/);
  });

  it('the lower bound grows with k and (at k = t) with t, and is below the fixed-n Clopper-Pearson bound', () => {
    const b = betaBinomialMixtureBound(0.001, [1]);
    let previous = -1;
    for (let k = 0; k <= 1000; k += 50) {
      const lo = b.lower(k, 1000);
      expect(lo).toBeGreaterThan(previous);
      expect(lo).toBeLessThanOrEqual(clopperPearsonLower(k, 1000, 0.001));
      previous = lo;
    }
    previous = 0;
    for (const t of [10, 100, 1000, 10_000, 100_000]) {
      expect(b.lower(t, t)).toBeGreaterThan(previous);
      previous = b.lower(t, t);
    }
  });

  it('the default prior is Beta(1/2, 1/10); the factory builds both bounds', () => {
    expect(DEFAULT_MIXTURE_PRIOR).toEqual({ a: 0.5, b: 0.1 });
    expect(JEFFREYS_PRIOR).toEqual({ a: 0.5, b: 0.5 });
    expect(createSequentialBound('beta-binomial-mixture', 0.01, [5, 10]).name).toBe('beta-binomial-mixture');
    expect(createSequentialBound('clopper-pearson', 0.01, [5, 10]).lower(10, 10)).toBe(clopperPearsonLower(10, 10, 0.005));
    expect(() => createSequentialBound('hoeffding' as never, 0.01, [10])).toThrow(/'sequential.bound'/);
    expect(() => betaBinomialMixtureBound(0.01, [1], { a: 0, b: 1 })).toThrow(/prior/);
  });
});
