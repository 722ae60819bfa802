import { describe, expect, it } from 'vitest';
import { certifiedRadius, clopperPearsonLower, normalPpf } from '../../src/stats/index.js';

describe('certifiedRadius', () => {
  it('is sigma * Phi^-1(pALower) above 1/2', () => {
    // mpmath: 0.25 * ncdf^-1(0.99) = 0.58158696851021019191
    expect(Math.abs(certifiedRadius(0.99, 0.25) / 0.58158696851021019191 - 1)).toBeLessThan(4e-16);
    const pA = clopperPearsonLower(990, 1000, 0.001);
    expect(certifiedRadius(pA, 0.5)).toBe(0.5 * normalPpf(pA));
  });

  it('returns 0 (no certificate: abstain) for pALower <= 1/2, Infinity for pALower = 1', () => {
    expect(certifiedRadius(0.5, 1)).toBe(0);
    expect(certifiedRadius(0.2, 1)).toBe(0);
    expect(certifiedRadius(0, 1)).toBe(0);
    expect(certifiedRadius(0.5000000000000001, 1)).toBeGreaterThan(0);
    expect(certifiedRadius(1, 1)).toBe(Infinity);
  });

  it('is increasing in pALower and proportional to sigma', () => {
    let prev = 0;
    for (let p = 0.51; p < 1; p += 0.01) {
      const r = certifiedRadius(p, 1);
      expect(r).toBeGreaterThan(prev);
      expect(certifiedRadius(p, 0.25)).toBe(0.25 * r);
      prev = r;
    }
  });

  it('validates arguments, naming them', () => {
    expect(() => certifiedRadius(1.5, 1)).toThrow(/'pALower' must be in \[0, 1\], got 1.5/);
    expect(() => certifiedRadius(NaN, 1)).toThrow(RangeError);
    expect(() => certifiedRadius(0.9, 0)).toThrow(/'sigma' must be a finite number > 0, got 0/);
    expect(() => certifiedRadius(0.9, -1)).toThrow(/'sigma'/);
    expect(() => certifiedRadius(0.9, Infinity)).toThrow(/'sigma'/);
    expect(() => certifiedRadius(0.9, NaN)).toThrow(/'sigma'/);
    expect(() => certifiedRadius(0.9, '1' as unknown as number)).toThrow(TypeError);
  });
});
