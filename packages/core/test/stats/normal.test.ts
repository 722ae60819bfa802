import { describe, expect, it } from 'vitest';
import { logNormalCdf, normalCdf, normalPdf, normalPpf, normalSf } from '../../src/stats/index.js';

const EPS = Number.EPSILON;
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

// 20-digit values from mpmath (mp.ncdf at 30 digits)
const CDF: [number, number][] = [
  [-38, 2.8854283600687843084e-316],
  [-37, 5.7255712225245768227e-300],
  [-20, 2.7536241186062336951e-89],
  [-10, 7.619853024160526066e-24],
  [-5, 2.8665157187919391167e-7],
  [-1.5, 0.066807201268858066004],
  [-0.5, 0.30853753872598689636],
  [0.3, 0.61791142218895263307],
  [1, 0.84134474606854294859],
  [3, 0.99865010196836990547],
];

describe('normalCdf', () => {
  it('matches mpmath to ~1e-15 relative in both tails', () => {
    let worst = 0;
    for (const [x, ref] of CDF) {
      const e = rel(normalCdf(x), ref);
      worst = Math.max(worst, x === -38 ? 0 : e);
      // x = -38 is subnormal (only ~8 significant digits left)
      expect(e, `x=${x}`).toBeLessThan(x === -38 ? 1e-7 : 2e-15);
    }
    console.log(`normalCdf: max rel err vs mpmath ${worst.toExponential(3)}`);
    expect(rel(normalSf(8.2), 1.2019351542735858152e-16)).toBeLessThan(2e-15);
    expect(rel(normalSf(3), 0.0013498980316300945267)).toBeLessThan(2e-15);
  });

  it('limits, symmetry and the 0.5 point', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(-40)).toBe(0); // true value 3.7e-350 underflows
    expect(normalCdf(9)).toBe(1);
    for (const x of [0.1, 0.6744, 0.7, 2, 5.6, 5.7, 12, 30]) {
      expect(normalSf(x)).toBe(normalCdf(-x));
      expect(Math.abs(normalCdf(x) + normalCdf(-x) - 1)).toBeLessThanOrEqual(EPS);
    }
  });

  it("finite differences: normalCdf' = normalPdf (relative 1e-8 on [-8, 8])", () => {
    let worst = 0;
    for (let x = -8; x <= 8; x += 0.0625) {
      const h = 1e-5;
      const fd = (normalCdf(x + h) - normalCdf(x - h)) / (2 * h);
      // for x < 0 differences of the (accurate) lower tail; for x > 0 of the upper tail
      const fdTail = x > 0 ? (normalSf(x - h) - normalSf(x + h)) / (2 * h) : fd;
      const e = rel(fdTail, normalPdf(x));
      worst = Math.max(worst, e);
      expect(e, `x=${x}`).toBeLessThan(1e-8);
    }
    console.log(`finite-difference check: max rel err ${worst.toExponential(3)}`);
  });

  it("finite differences in the far tail: (log Phi)' = pdf / Phi at x = -37", () => {
    const x = -37;
    const h = 1e-6;
    const fd = (logNormalCdf(x + h) - logNormalCdf(x - h)) / (2 * h);
    expect(rel(fd, normalPdf(x) / normalCdf(x))).toBeLessThan(1e-8);
  });

  it('normalPdf and logNormalCdf values', () => {
    expect(normalPdf(0)).toBe(0.3989422804014327);
    expect(rel(normalPdf(37), Math.exp(-684.5) / Math.sqrt(2 * Math.PI))).toBeLessThan(1e-12);
    expect(rel(logNormalCdf(-40), -804.60844201375378817)).toBeLessThan(1e-15);
    expect(normalPdf(Infinity)).toBe(0);
  });

  it('rejects NaN and non-numbers, naming x', () => {
    expect(() => normalCdf(NaN)).toThrow(RangeError);
    expect(() => normalCdf(NaN)).toThrow(/'x'/);
    expect(() => normalCdf('1' as unknown as number)).toThrow(TypeError);
    expect(() => normalPdf(undefined as unknown as number)).toThrow(/'x' must be a number/);
  });
});

describe('normalPpf', () => {
  it('p = 0.5 gives exactly +0; p = 0 and 1 give -/+Infinity', () => {
    expect(Object.is(normalPpf(0.5), 0)).toBe(true);
    expect(normalPpf(0)).toBe(-Infinity);
    expect(normalPpf(1)).toBe(Infinity);
  });

  it('known quantiles (mpmath)', () => {
    expect(rel(normalPpf(0.975), 1.9599639845400538556)).toBeLessThan(2 * EPS);
    expect(rel(normalPpf(0.99), 2.3263478740408407676)).toBeLessThan(2 * EPS);
    expect(rel(normalPpf(1e-12), -7.0344838253011319326)).toBeLessThan(2 * EPS);
    expect(rel(normalPpf(Number.MIN_VALUE), -38.467405617144346251)).toBeLessThan(1e-13);
    expect(rel(normalPpf(1e-300), -37.0470962993612)).toBeLessThan(1e-15);
  });

  it('is the inverse of normalCdf to ~1e-15 relative in p, over 1e-300 .. 0.1', () => {
    let worst = 0;
    for (let e = -300; e <= -1; e += 0.5) {
      const p = 10 ** e;
      const z = normalPpf(p);
      const back = normalCdf(z);
      // the cdf's slope limits how well any double z can reproduce p
      const slack = (normalPdf(z) * Math.abs(z) * EPS) / p;
      const err = rel(back, p);
      worst = Math.max(worst, err / (4 * EPS + slack));
      expect(err, `p=${p}`).toBeLessThanOrEqual(4 * EPS + slack);
    }
    console.log(`normalPpf round trip: worst error / allowance ${worst.toFixed(3)}`);
  });

  it('is strictly increasing and antisymmetric', () => {
    let prev = -Infinity;
    for (let p = 0.001; p < 1; p += 0.001) {
      const z = normalPpf(p);
      expect(z).toBeGreaterThan(prev);
      prev = z;
    }
    for (const p of [0.01, 0.2, 0.4, 0.4999999]) {
      const q = 1 - p; // a double in (0.5, 1); 1 - q is then exact
      expect(normalPpf(q)).toBe(-normalPpf(1 - q));
    }
  });

  it('rejects p outside [0, 1], NaN and non-numbers, naming p', () => {
    for (const p of [-0.1, 1.5, NaN, Infinity, -Infinity]) {
      expect(() => normalPpf(p)).toThrow(RangeError);
      expect(() => normalPpf(p)).toThrow(/'p' must be in \[0, 1\]/);
    }
    expect(() => normalPpf('0.5' as unknown as number)).toThrow(TypeError);
    expect(() => normalPpf('0.5' as unknown as number)).toThrow(/'p'/);
  });
});
