// certify(x, { radius: 'top-two' }): the runner-up's upper bound in the certificate.
import { describe, expect, it } from 'vitest';
import { certifiedRadius, clopperPearsonLower, fromFunction, smooth, topTwoBounds, topTwoRadius } from '../../src/index.js';
import { binaryLinear, uniforms } from './helpers.js';

/** 5 classes by the band x0 falls in (edges -1, -0.35, 0.35, 1): noise spreads the mass over neighbouring bands. */
const bands = fromFunction({
  inputShape: [2],
  nbClasses: 5,
  predict: (x, batch) => {
    const out = new Float32Array(batch * 5);
    for (let i = 0; i < batch; i++) {
      const v = x[2 * i]!;
      const k = v < -1 ? 0 : v < -0.35 ? 1 : v < 0.35 ? 2 : v < 1 ? 3 : 4;
      out[i * 5 + k] = 1;
    }
    return out;
  },
});

describe("certify with radius: 'top-two'", () => {
  it('uses topTwoBounds / topTwoRadius on the estimation counts, and beats the one-sided radius when mass is spread', async () => {
    const g = smooth(bands, { scale: 0.5, alpha: 0.001, sampleSize: 100, seed: 5 });
    const x = Float32Array.of(0, 0, 0.1, 0, 0.6, 0);
    const one = await g.certify(x, { n: 20_000 });
    const two = await g.certify(x, { n: 20_000, radius: 'top-two' });
    expect(two.radiusMethod).toBe('top-two');
    expect(one.radiusMethod).toBe('one-sided');
    expect(one.pBUpper).toBeUndefined();
    expect(Array.from(two.estimationCounts)).toEqual(Array.from(one.estimationCounts)); // same noise
    for (let i = 0; i < 3; i++) {
      const b = topTwoBounds(two.estimationCounts, i * 5, 5, two.selected[i]!, 20_000, 0.001);
      expect(two.pALower[i]).toBe(b.pALower);
      expect(two.pBUpper![i]).toBe(b.pBUpper);
      expect(two.radius[i]).toBe(b.pALower > b.pBUpper ? topTwoRadius(b.pALower, b.pBUpper, 0.5) : 0);
      expect(one.pALower[i]).toBe(clopperPearsonLower(one.countSelected[i]!, 20_000, 0.001));
    }
    // x0 = 0: p(class 2) = P(|z| < 0.7) = 0.516, classes 1 and 3 get 0.219 each: one-sided barely certifies
    expect(one.prediction[0]).toBe(2);
    expect(two.radius[0]).toBeGreaterThan(one.radius[0]! * 1.5);
    console.log(
      `bands: one-sided radii ${Array.from(one.radius, (r) => r.toFixed(3)).join(', ')}; top-two ${Array.from(two.radius, (r) => r.toFixed(3)).join(', ')}`,
    );
  });

  it('is sound on the binary linear classifier (K = 2: the one-sided radius at alpha / 2)', async () => {
    const d = 8;
    const w = Array.from(uniforms(d, 1), (v) => v * 2 - 1);
    const norm = Math.hypot(...w);
    const count = 300;
    const u = uniforms(count * d, 2);
    const x = Float32Array.from(u, (v) => v * 2 - 1);
    const g = smooth(binaryLinear(w, 0.1), { scale: 0.5, alpha: 0.05, sampleSize: 64, seed: 3 });
    const r = await g.certify(x, { n: 2000, radius: 'top-two' });
    let certified = 0;
    let violations = 0;
    for (let i = 0; i < count; i++) {
      if (r.prediction[i] === -1) continue;
      certified++;
      const margin = x.subarray(i * d, (i + 1) * d).reduce((a, v, f) => a + v * w[f]!, 0) + 0.1;
      if (r.prediction[i] !== (margin > 0 ? 1 : 0) || r.radius[i]! > Math.abs(margin) / norm) violations++;
      expect(Math.abs(r.radius[i]! / certifiedRadius(r.pALower[i]!, 0.5) - 1)).toBeLessThan(1e-12);
    }
    expect(certified).toBeGreaterThan(count / 2);
    expect(violations).toBeLessThanOrEqual(0.05 * certified + 3 * Math.sqrt(certified * 0.05 * 0.95));
  });

  it('refuses non-Gaussian noise, naming the option', async () => {
    const g = smooth(bands, { scale: 0.5, noise: 'uniform' });
    await expect(g.certify(Float32Array.of(0, 0), { n: 100, radius: 'top-two' })).rejects.toThrow(/'radius' 'top-two' holds for Gaussian noise/);
    await expect(g.certify(Float32Array.of(0, 0), { n: 100, radius: 'two' as 'top-two' })).rejects.toThrow(/'radius' must be 'one-sided' or 'top-two'/);
  });
});
