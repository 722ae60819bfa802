// certifiedRadius for every noise family and norm against rs4a's own radii (test/fixtures/rs4a:
// rs4a's code run for d = 784, sigma = 0.5), plus the edge cases of each closed form.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NOISE_FAMILIES, type NoiseFamily } from '../../src/noise/index.js';
import { certifiedRadius, normalPpf, RADIUS_NORMS, type RadiusNorm } from '../../src/stats/index.js';

interface Rs4aFixture {
  dim: number;
  sigma: number;
  pA_lower: number[];
  radius: Record<NoiseFamily, { lambda: number } & Record<RadiusNorm, number[]>>;
}
const fx = JSON.parse(readFileSync(new URL('../fixtures/rs4a/radii_d784_s0.5.json', import.meta.url), 'utf8')) as Rs4aFixture;
const { dim, sigma } = fx;

/** Where rs4a does not use a proven closed form: Laplace L-infinity is its 'approx' mode, and its L2 takes the max with it. */
const approximate = (noise: NoiseFamily, norm: RadiusNorm) => noise === 'laplace' && norm !== 'l1';

describe('certifiedRadius vs rs4a (d = 784, sigma = 0.5, 40 values of pA_lower in (0.5, 0.9999])', () => {
  const rows: string[] = [];
  for (const noise of NOISE_FAMILIES) {
    for (const norm of RADIUS_NORMS) {
      it(`${noise}, ${norm}`, () => {
        let worst = 0;
        let differ = 0;
        fx.pA_lower.forEach((p, i) => {
          const ours = certifiedRadius(p, sigma, { noise, norm, dim });
          const theirs = fx.radius[noise][norm][i]!;
          const rel = Math.abs(ours / theirs - 1);
          if (approximate(noise, norm)) {
            // ours: the proven conversion from L1; never above rs4a's approximation-based value
            const l1 = certifiedRadius(p, sigma, { noise, norm: 'l1' });
            expect(ours).toBeLessThanOrEqual(theirs);
            expect(Math.abs(ours / (norm === 'linf' ? l1 / dim : l1 / Math.sqrt(dim)) - 1)).toBeLessThan(1e-14);
            if (rel > 1e-9) differ++;
          } else {
            expect(rel, `pA_lower ${p}`).toBeLessThan(1e-9);
            worst = Math.max(worst, rel);
          }
        });
        rows.push(
          approximate(noise, norm)
            ? `| ${noise} | ${norm} | differs at ${differ} of 40 (rs4a: ${norm === 'linf' ? "'approx' mode lambda Phi^-1(p) / sqrt d" : "max(l1 / sqrt d, 'approx' linf)"}; ours: l1 / ${norm === 'linf' ? 'd' : 'sqrt d'}, proven) |`
            : `| ${noise} | ${norm} | max relative difference ${worst.toExponential(2)} |`,
        );
      });
    }
  }
  it('prints the agreement table', () => {
    console.log(`certifiedRadius vs rs4a, d = ${dim}, sigma = ${sigma}:\n| noise | norm | agreement |\n| --- | --- | --- |\n${rows.join('\n')}`);
    expect(rows).toHaveLength(9);
  });
});

describe('certifiedRadius closed forms', () => {
  it('is unchanged for the Gaussian L2 default, with or without options', () => {
    for (const p of [0.51, 0.9, 0.999]) {
      expect(certifiedRadius(p, 0.25, { noise: 'gaussian', norm: 'l2' })).toBe(0.25 * normalPpf(p));
      expect(certifiedRadius(p, 0.25, {})).toBe(certifiedRadius(p, 0.25));
      expect(certifiedRadius(p, 0.25, { norm: 'l1' })).toBe(certifiedRadius(p, 0.25));
    }
  });

  it('uniform L1 is 2 lambda (p - 1/2) and laplace L1 is -lambda ln(2 (1 - p)), never above the formula', () => {
    const lu = 0.5 * Math.sqrt(3);
    const ll = 0.5 / Math.SQRT2;
    for (const p of [0.500001, 0.6, 0.75, 0.99, 0.999999]) {
      const u = certifiedRadius(p, 0.5, { noise: 'uniform', norm: 'l1' });
      const l = certifiedRadius(p, 0.5, { noise: 'laplace', norm: 'l1' });
      expect(u).toBeLessThanOrEqual(2 * lu * (p - 0.5));
      expect(u / (2 * lu * (p - 0.5))).toBeGreaterThan(1 - 4e-15);
      expect(l).toBeLessThanOrEqual(-ll * Math.log(2 * (1 - p)));
      expect(l / (-ll * Math.log(2 * (1 - p)))).toBeGreaterThan(1 - 4e-15);
    }
  });

  it('abstains at pALower <= 1/2 and handles pALower = 1', () => {
    for (const noise of NOISE_FAMILIES)
      for (const norm of RADIUS_NORMS) {
        expect(certifiedRadius(0.5, 1, { noise, norm, dim: 10 })).toBe(0);
        expect(certifiedRadius(0.1, 1, { noise, norm, dim: 10 })).toBe(0);
        expect(certifiedRadius(0.5000001, 1, { noise, norm, dim: 10 })).toBeGreaterThan(0);
      }
    expect(certifiedRadius(1, 1, { noise: 'laplace', norm: 'l1' })).toBe(Infinity);
    expect(certifiedRadius(1, 1, { noise: 'gaussian', norm: 'linf', dim: 4 })).toBe(Infinity);
    // uniform noise has bounded support: finite radii at p = 1 (lambda in L1; 2 lambda (1 - 2^(-1/d)) in L-infinity)
    expect(certifiedRadius(1, 1, { noise: 'uniform', norm: 'l1' })).toBeCloseTo(Math.sqrt(3), 14);
    expect(certifiedRadius(1, 1, { noise: 'uniform', norm: 'linf', dim: 1 })).toBeCloseTo(Math.sqrt(3), 14);
  });

  it('is increasing in pALower for every family and norm', () => {
    for (const noise of NOISE_FAMILIES)
      for (const norm of RADIUS_NORMS) {
        let prev = 0;
        for (let p = 0.501; p < 1; p += 0.007) {
          const r = certifiedRadius(p, 0.3, { noise, norm, dim: 100 });
          expect(r).toBeGreaterThan(prev);
          prev = r;
        }
      }
  });

  it('validates the options, naming them', () => {
    expect(() => certifiedRadius(0.9, 1, { norm: 'linf' })).toThrow(/'dim' must be a positive integer \(the linf radius of gaussian noise/);
    expect(() => certifiedRadius(0.9, 1, { noise: 'uniform', norm: 'l2', dim: 0 })).toThrow(/'dim'/);
    expect(() => certifiedRadius(0.9, 1, { noise: 'laplace', norm: 'l1' })).not.toThrow();
    expect(() => certifiedRadius(0.9, 1, { norm: 'l3' as RadiusNorm })).toThrow(/'norm' must be 'l1', 'l2' or 'linf', got l3/);
    expect(() => certifiedRadius(0.9, 1, { noise: 'cauchy' as NoiseFamily })).toThrow(/'noise' must be/);
  });
});
