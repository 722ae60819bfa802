/**
 * Every row of test/fixtures/oracle.json (scipy 1.10 / statsmodels 0.13).
 * Each table prints its error figures, then asserts them.
 *
 * Note: the oracle itself is not exact. Against 40-digit mpmath values
 * (cp-exact.json, see generate-cp-exact.py) scipy's beta.ppf is off by up to
 * 4.9e-14 relative (~390 ulps); ours is within ~4 ulps before the
 * conservative rounding. The Clopper-Pearson test therefore checks both: the
 * 1e-12 / "at most 4 ulps above the oracle" goals, and "never above the exact
 * value".
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { binomialTestPValue, clopperPearsonLower, normalPpf, ulpDistance } from '../../src/stats/index.js';

interface Oracle {
  clopper_pearson_lower: [number, number, number, number][];
  binomtest_two_sided_p05: [number, number, number][];
  norm_ppf: [number, number | string][];
}

const oracle = JSON.parse(fs.readFileSync(new URL('../fixtures/oracle.json', import.meta.url), 'utf8')) as Oracle;
/** [k, n, alpha, exact lower bound as a 30-digit decimal string] */
const exact = JSON.parse(fs.readFileSync(new URL('./cp-exact.json', import.meta.url), 'utf8')) as [number, number, number, string][];

const EPS = Number.EPSILON;

describe('oracle: clopper_pearson_lower', () => {
  it('matches every row to 1e-12, never > 4 ulps above scipy, never above the exact value', () => {
    expect(oracle.clopper_pearson_lower.length).toBeGreaterThan(400);
    expect(exact.length).toBe(oracle.clopper_pearson_lower.length);
    let maxRel = 0;
    let worstRow: unknown[] = [];
    let maxUlpsAbove = -Infinity;
    let worstUlpRow: unknown[] = [];
    let maxRelAboveExact = -Infinity;
    let maxRelBelowExact = 0;
    const t0 = performance.now();
    oracle.clopper_pearson_lower.forEach(([k, n, alpha, ref], i) => {
      const got = clopperPearsonLower(k, n, alpha);
      const [ek, en, ea, exactStr] = exact[i]!;
      expect([ek, en, ea]).toEqual([k, n, alpha]);
      if (ref === 0) {
        expect(got).toBe(0);
        return;
      }
      const rel = Math.abs(got - ref) / ref;
      if (rel > maxRel) {
        maxRel = rel;
        worstRow = [k, n, alpha, got, ref];
      }
      const ulps = ulpDistance(got, ref);
      if (ulps > maxUlpsAbove) {
        maxUlpsAbove = ulps;
        worstUlpRow = [k, n, alpha, got, ref];
      }
      const exactValue = Number(exactStr); // nearest double to the exact bound
      // got < round(exact) implies got < exact
      expect(got, `row ${i}: ${k}/${n} alpha=${alpha}`).toBeLessThan(exactValue);
      const relToExact = (got - exactValue) / exactValue;
      maxRelAboveExact = Math.max(maxRelAboveExact, relToExact);
      maxRelBelowExact = Math.max(maxRelBelowExact, -relToExact);
    });
    const ms = performance.now() - t0;
    console.log(
      `clopper_pearson_lower: ${oracle.clopper_pearson_lower.length} rows in ${ms.toFixed(1)} ms; ` +
        `max rel err vs scipy ${maxRel.toExponential(3)} at [k, n, alpha, ours, scipy] = ${JSON.stringify(worstRow)}; ` +
        `max ulps above scipy ${maxUlpsAbove} at ${JSON.stringify(worstUlpRow)}; ` +
        `vs exact (mpmath): max rel above ${maxRelAboveExact.toExponential(3)}, max rel below ${maxRelBelowExact.toExponential(3)}`,
    );
    expect(maxRel).toBeLessThanOrEqual(1e-12);
    expect(maxUlpsAbove).toBeLessThanOrEqual(4);
    expect(maxRelAboveExact).toBeLessThan(0);
    // conservative, but not by more than the documented margin (2^-44 relative + a few ulps)
    expect(maxRelBelowExact).toBeLessThan(2 ** -44 + 8 * EPS);
  });
});

describe('oracle: binomtest_two_sided_p05', () => {
  it('matches every row to 1e-12 (rows scipy reports as 0 are <= 1e-300)', () => {
    let maxRel = 0;
    let worstRow: unknown[] = [];
    let maxZeroRow = 0;
    const t0 = performance.now();
    for (const [k, n, ref] of oracle.binomtest_two_sided_p05) {
      const got = binomialTestPValue(k, n);
      expect(Number.isNaN(got)).toBe(false);
      if (ref === 0) {
        maxZeroRow = Math.max(maxZeroRow, got);
        expect(got, `${k}/${n}`).toBeLessThanOrEqual(1e-300);
        continue;
      }
      const rel = Math.abs(got - ref) / ref;
      if (rel > maxRel) {
        maxRel = rel;
        worstRow = [k, n, got, ref];
      }
    }
    const ms = performance.now() - t0;
    console.log(
      `binomtest_two_sided_p05: ${oracle.binomtest_two_sided_p05.length} rows in ${ms.toFixed(1)} ms; ` +
        `max rel err ${maxRel.toExponential(3)} at [k, n, ours, scipy] = ${JSON.stringify(worstRow)}; ` +
        `largest value on scipy-underflow rows ${maxZeroRow}`,
    );
    expect(maxRel).toBeLessThanOrEqual(1e-12);
  });
});

describe('oracle: norm_ppf', () => {
  it('matches every row to 1e-12 relative (1e-15 absolute near p = 0.5)', () => {
    let maxRel = 0;
    let maxAbs = 0;
    let worstRow: unknown[] = [];
    for (const [p, refRaw] of oracle.norm_ppf) {
      const ref = typeof refRaw === 'string' ? Number(refRaw) : refRaw;
      const got = normalPpf(p);
      if (!Number.isFinite(ref)) {
        expect(got).toBe(ref);
        continue;
      }
      const abs = Math.abs(got - ref);
      maxAbs = Math.max(maxAbs, abs);
      if (Math.abs(ref) < 1e-3) {
        expect(abs, `p=${p}`).toBeLessThanOrEqual(1e-15);
        continue;
      }
      const rel = abs / Math.abs(ref);
      if (rel > maxRel) {
        maxRel = rel;
        worstRow = [p, got, ref];
      }
    }
    console.log(
      `norm_ppf: ${oracle.norm_ppf.length} rows; max rel err ${maxRel.toExponential(3)} at [p, ours, scipy] = ` +
        `${JSON.stringify(worstRow)}; max abs err ${maxAbs.toExponential(3)}`,
    );
    expect(maxRel).toBeLessThanOrEqual(1e-12);
  });
});
