import { describe, expect, it } from 'vitest';
import { certifiedRadius, type NoiseFamily, type RadiusNorm, sequentialCertificateFromCounts, smooth } from '../../src/index.js';
import { binaryLinear, uniforms } from '../smoothing/helpers.js';

// Sequential certification with the other noise families, norms and the sound mode: the radius
// goes through the same functions as fixed-n certify (one checkpoint at n gives fixed-n certify's
// result exactly), the certificate is sound on an exact oracle, every result replays from its
// recorded checkpoint hits, and the top-two certificate is refused.

const line = binaryLinear([1, 0], 0);
const fr = Math.fround;

describe('sequential certify with every noise family, norm and the sound mode', () => {
  const x = Float32Array.from([-0.9, 0.1, -0.2, 0.1, 0.05, 0.1, 0.3, 0.1, 0.6, 0.1, 1.5, 0.1]);
  const cases: { noise: NoiseFamily; norm: RadiusNorm }[] = [
    { noise: 'gaussian', norm: 'linf' },
    { noise: 'uniform', norm: 'l1' },
    { noise: 'uniform', norm: 'l2' },
    { noise: 'laplace', norm: 'l1' },
    { noise: 'laplace', norm: 'linf' },
  ];
  for (const { noise, norm } of cases) {
    it(`${noise} noise, ${norm} radius: one checkpoint at n is fixed-n certify`, async () => {
      const g = smooth(line, { scale: 0.5, alpha: 0.001, seed: 21, noise });
      const fixed = await g.certify(x, { n: 3000, norm });
      const seq = await g.certify(x, { n: 3000, norm, sequential: { tolerance: 0.01, checkpoints: [3000] } });
      expect(Array.from(seq.estimationCounts)).toEqual(Array.from(fixed.estimationCounts));
      expect(Array.from(seq.pALower)).toEqual(Array.from(fixed.pALower));
      expect(Array.from(seq.radius)).toEqual(Array.from(fixed.radius));
      expect(Array.from(seq.prediction)).toEqual(Array.from(fixed.prediction));
      expect([seq.noise, seq.norm]).toEqual([noise, norm]);
      expect(fixed.radius.some((r) => r > 0)).toBe(true);
    });
  }

  it('sound mode: one checkpoint at n is fixed-n certify (pALower lowered by the same total-variation bound)', async () => {
    const grid = Float32Array.from([0, 0.2, 1, 0.5, 0.4, 0.1, 0.7, 0.3], (v) => fr(Math.round(v * 255) / 255));
    const g = smooth(binaryLinear([1, 0], -0.3), { scale: 0.25, alpha: 0.001, seed: 5, sound: true });
    const fixed = await g.certify(grid, { n: 3000 });
    const seq = await g.certify(grid, { n: 3000, sequential: { tolerance: 0.01, checkpoints: [3000] } });
    expect(seq.sound).toEqual(fixed.sound);
    expect(fixed.sound!.tvBound).toBeGreaterThan(0);
    expect(Array.from(seq.pALower)).toEqual(Array.from(fixed.pALower));
    expect(Array.from(seq.radius)).toEqual(Array.from(fixed.radius));
  });

  it('uniform noise, l1 radius: sound on the exact oracle (pA = 1/2 + |x0| / (2 sqrt(3) sigma), exact l1 radius |x0|), alpha 0.05', async () => {
    // Uniform noise on [-sqrt(3) sigma, sqrt(3) sigma] per coordinate: for f(x) = [x0 > 0],
    // pA = 1/2 + |x0| / (2 sqrt 3 sigma), and certifiedRadius(pA) = |x0| (Yang et al.), so a certificate
    // is wrong exactly when its radius exceeds |x0|. Inputs around the radius r decided.
    const sigma = 0.5;
    const r = 0.4;
    const trials = 1500;
    const alpha = 0.05;
    const u = uniforms(trials, 31);
    const xs = new Float32Array(trials * 2);
    for (let i = 0; i < trials; i++) xs[2 * i] = (i % 2 === 0 ? 1 : -1) * (r + (i % 4 < 2 ? -1 : 1) * 0.03 * u[i]!);
    const g = smooth(line, { scale: sigma, alpha, sampleSize: 32, seed: 32, noise: 'uniform' });
    const res = await g.certify(xs, { n: 2000, norm: 'l1', batchSize: 16_384, sequential: { radius: r } });
    let wrong = 0;
    let certified = 0;
    for (let i = 0; i < trials; i++) {
      if (res.prediction[i] === -1) continue;
      certified++;
      const exact = Math.abs(xs[2 * i]!);
      expect(certifiedRadius(0.5 + exact / (2 * Math.sqrt(3) * sigma), sigma, { noise: 'uniform', norm: 'l1' })).toBeCloseTo(exact, 12);
      if (res.prediction[i] !== (xs[2 * i]! > 0 ? 1 : 0) || res.radius[i]! > exact) wrong++;
    }
    const L = Math.log(1e6); // Bernstein at delta 1e-6, as the Gaussian soundness test
    const allowed = trials * alpha + L / 3 + Math.sqrt((L / 3) ** 2 + 2 * trials * alpha * (1 - alpha) * L);
    const used = res.sequential!.samplesUsed.reduce((s, t) => s + t, 0) / trials;
    console.log(
      `soundness uniform l1 alpha ${alpha}: ${wrong} wrong of ${trials} (${certified} certificates; allowed ${allowed.toFixed(1)}); mean samples ${used.toFixed(0)} of 2000`,
    );
    expect(certified).toBeGreaterThan(trials / 4);
    expect(wrong).toBeLessThanOrEqual(allowed);
  });

  it('every result replays from its checkpoint hits; edited hits are refused', async () => {
    const g = smooth(line, { scale: 0.5, alpha: 0.001, seed: 7, noise: 'laplace' });
    const sequential = { radius: 0.2, bound: 'beta-binomial-mixture' as const };
    const r = await g.certify(x, { n: 5000, norm: 'l1', sequential });
    const s = r.sequential!;
    for (let i = 0; i < x.length / 2; i++) {
      const replay = sequentialCertificateFromCounts({
        selected: r.selected[i]!,
        checkpointHits: s.checkpointHits[i]!,
        n: 5000,
        alpha: 0.001,
        sequential,
        radius: { sigma: 0.5, noise: 'laplace', norm: 'l1', dim: 2 },
      });
      expect(replay).toMatchObject({ radius: r.radius[i], pALower: r.pALower[i], samplesUsed: s.samplesUsed[i], stopReason: s.stopReason[i] });
      expect(s.checkpointHits[i]!.at(-1)).toBe(r.countSelected[i]);
    }
    const evidence = { selected: 1, n: 5000, alpha: 0.001, sequential, radius: { sigma: 0.5, noise: 'laplace' as const, norm: 'l1' as const } };
    const stopped = s.checkpointHits.find((h) => h.length === 1 && s.stopReason[s.checkpointHits.indexOf(h)] === 'certified');
    if (stopped)
      expect(() => sequentialCertificateFromCounts({ ...evidence, checkpointHits: [...stopped, stopped[0]!] })).toThrow(/later checkpoints are recorded/);
    expect(() => sequentialCertificateFromCounts({ ...evidence, checkpointHits: [100_000] })).toThrow(/do not follow/);
    expect(() => sequentialCertificateFromCounts({ ...evidence, checkpointHits: [] })).toThrow(/0 checkpoints recorded/);
  });

  it("refuses radius 'top-two' with an error whose code names the combination", async () => {
    const g = smooth(line, { scale: 0.5 });
    await expect(g.certify(x, { n: 1000, radius: 'top-two', sequential: { radius: 0.1 } })).rejects.toMatchObject({
      code: 'RS_SEQUENTIAL_UNSUPPORTED',
      message: expect.stringMatching(/'sequential' cannot be combined with 'radius' 'top-two'/),
    });
  });
});
