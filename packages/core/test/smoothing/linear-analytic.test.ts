import { describe, expect, it } from 'vitest';
import { smooth } from '../../src/index.js';
import { binaryLinear, uniforms } from './helpers.js';

// f(x) = [w.x + b > 0] under N(0, sigma^2 I): pA = Phi(|w.x + b| / (sigma ||w||)), so the smoothed
// classifier's exact certified radius is the distance |w.x + b| / ||w|| to the hyperplane.
const d = 16;
const w = Array.from(uniforms(d, 3), (u) => u * 2 - 1);
const norm = Math.hypot(...w);
const b = 0.3;
const sigma = 0.5;

function inputsAtDistances(distances: number[], seed: number): { x: Float32Array; signed: number[] } {
  const x = new Float32Array(distances.length * d);
  const signed: number[] = [];
  const u = uniforms(distances.length * d, seed);
  distances.forEach((dist, i) => {
    // random point, then moved along w so that its signed distance is `dist`
    const p = Array.from({ length: d }, (_, f) => u[i * d + f]! * 2 - 1);
    const s = (p.reduce((acc, v, f) => acc + v * w[f]!, 0) + b) / norm;
    for (let f = 0; f < d; f++) x[i * d + f] = p[f]! + ((dist - s) * w[f]!) / norm;
    // exact signed distance of the float32 point
    const row = x.subarray(i * d, (i + 1) * d);
    signed.push((row.reduce((acc, v, f) => acc + v * w[f]!, 0) + b) / norm);
  });
  return { x, signed };
}

describe('certify on a linear classifier, where the exact radius is known', () => {
  it('certifies a radius above the exact one in at most about an alpha fraction of inputs', async () => {
    const alpha = 0.05;
    const count = 400;
    const distances = Array.from(uniforms(count, 9), (u) => (u * 2 - 1) * 1.5);
    const { x, signed } = inputsAtDistances(distances, 10);
    const g = smooth(binaryLinear(w, b), { scale: sigma, alpha, sampleSize: 64, seed: 2024 });
    const { prediction, radius } = await g.certify(x, { n: 2000, batchSize: 4096 });
    let violations = 0;
    let certified = 0;
    for (let i = 0; i < count; i++) {
      if (prediction[i] === -1) continue;
      certified++;
      const truth = signed[i]! > 0 ? 1 : 0;
      if (prediction[i] !== truth || radius[i]! > Math.abs(signed[i]!)) violations++;
    }
    // Binomial(certified, alpha) upper tail: mean alpha*certified, allow 3 standard deviations.
    const bound = alpha * certified + 3 * Math.sqrt(certified * alpha * (1 - alpha));
    console.log(`linear analytic: ${violations} of ${certified} certificates exceed the exact radius (alpha ${alpha}, bound ${bound.toFixed(1)})`);
    expect(certified).toBeGreaterThan(count / 2);
    expect(violations).toBeLessThanOrEqual(bound);
  });

  it('comes close to the exact radius with large n', async () => {
    const distances = [0.1, 0.25, 0.5, 0.8, -0.4];
    const { x, signed } = inputsAtDistances(distances, 11);
    const g = smooth(binaryLinear(w, b), { scale: sigma, alpha: 0.001, sampleSize: 100, seed: 7 });
    const n = 200_000;
    const { prediction, radius, pALower } = await g.certify(x, { n, batchSize: 10_000 });
    const rows: string[] = [];
    for (let i = 0; i < distances.length; i++) {
      const exact = Math.abs(signed[i]!);
      expect(prediction[i]).toBe(signed[i]! > 0 ? 1 : 0);
      expect(radius[i]).toBeLessThanOrEqual(exact);
      // The Clopper-Pearson gap at n = 2e5, alpha = 1e-3 costs at most ~0.02 sigma of radius here.
      expect(exact - radius[i]!).toBeLessThan(0.02);
      rows.push(`exact ${exact.toFixed(4)} certified ${radius[i]!.toFixed(4)} gap ${(exact - radius[i]!).toFixed(4)} pA_lower ${pALower[i]!.toFixed(6)}`);
    }
    console.log(`linear analytic, n = ${n}:\n  ${rows.join('\n  ')}`);
  });
});
