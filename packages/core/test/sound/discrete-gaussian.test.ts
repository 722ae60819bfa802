// The sound mode's discretized Gaussian: exact thresholds (against mpmath), the sampled law (against
// the exact cell probabilities), and the total-variation bound.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { discreteGaussianSample, discreteGaussianTable, fillSoundNoisy, floorScaledNormalCdf, normalCdf } from '../../src/index.js';

const ref = JSON.parse(readFileSync(new URL('./thresholds.json', import.meta.url), 'utf8')) as {
  cases: { sigma: number; levels: number; thresholds: [number, string][] }[];
};
const threshold = (t: ReturnType<typeof discreteGaussianTable>, i: number) => (BigInt(t.hi[i]!) << 32n) | BigInt(t.lo[i]!);

describe('discreteGaussianTable', () => {
  it('has the thresholds floor(2^64 Phi((k + 1/2) h / sigma)) of mpmath at 80 digits, symmetric', () => {
    let checked = 0;
    for (const c of ref.cases) {
      const t = discreteGaussianTable(c.sigma, c.levels);
      expect(t.J).toBe(Math.ceil(9 * c.sigma * c.levels));
      for (const [k, v] of c.thresholds) {
        if (k >= t.J) continue;
        expect(threshold(t, t.J + k), `sigma ${c.sigma}, levels ${c.levels}, k ${k}`).toBe(BigInt(v));
        expect(threshold(t, t.J - 1 - k)).toBe((1n << 64n) - 1n - BigInt(v)); // 1 - Phi(x), floored
        checked++;
      }
      for (let i = 1; i < 2 * t.J; i++) expect(threshold(t, i) >= threshold(t, i - 1)).toBe(true);
    }
    expect(checked).toBeGreaterThan(25);
    expect(floorScaledNormalCdf(0n, 1n)).toBe(1n << 63n);
  });

  it('samples j = -J + #{k : T_k <= U}: the cells switch exactly at the thresholds', () => {
    const t = discreteGaussianTable(0.25, 255);
    const all = Array.from({ length: 2 * t.J }, (_, i) => threshold(t, i));
    const expected = (u: bigint) => all.filter((T) => T <= u).length - t.J;
    const sample = (u: bigint) => discreteGaussianSample(t, Number(u >> 32n), Number(u & 0xffffffffn));
    for (const i of [0, 1, 2, 40, t.J - 1, t.J, t.J + 7, 2 * t.J - 2, 2 * t.J - 1]) {
      for (const u of [all[i]!, all[i]! - 1n, all[i]! + 1n]) if (u >= 0n && u < 1n << 64n) expect(sample(u), `U = ${u}`).toBe(expected(u));
    }
    expect(sample(0n)).toBe(expected(0n));
    expect(sample((1n << 64n) - 1n)).toBe(t.J);
    expect(sample(1n << 63n)).toBe(0);
    expect(t.tv).toBeLessThan(1e-16);
  });

  it('draws the discretized Gaussian: chi-square of 10^6 draws against the exact cell probabilities', () => {
    const sigma = 0.05;
    const levels = 100; // sigma = 5 grid steps
    const t = discreteGaussianTable(sigma, levels);
    const dim = 1000;
    const rows = 1000;
    const out = new Float32Array(dim * rows);
    fillSoundNoisy(out, 0, { seed: 99n, stream: 1, inputIndex: 3, sampleStart: 0, sampleCount: rows, dim }, new Int32Array(dim), 0, t);
    const counts = new Map<number, number>();
    let offGrid = 0;
    for (const v of out) {
      const j = Math.round(v * levels);
      if (Math.fround(j / levels) !== v) offGrid++; // on the grid: x + noise is exact
      counts.set(j, (counts.get(j) ?? 0) + 1);
    }
    expect(offGrid).toBe(0);
    let chi = 0;
    let df = -1;
    for (let j = -20; j <= 20; j++) {
      const p = normalCdf((j + 0.5) / levels / sigma) - normalCdf((j - 0.5) / levels / sigma);
      const e = p * out.length;
      chi += ((counts.get(j) ?? 0) - e) ** 2 / e;
      df++;
    }
    // chi-square with 40 df: P(> 80) = 1.7e-4
    expect(chi).toBeLessThan(80);
    // the KS-like check that a 2% wider discretized Gaussian is rejected
    let chiWide = 0;
    for (let j = -20; j <= 20; j++) {
      const p = normalCdf((j + 0.5) / levels / (sigma * 1.02)) - normalCdf((j - 0.5) / levels / (sigma * 1.02));
      chiWide += ((counts.get(j) ?? 0) - p * out.length) ** 2 / (p * out.length);
    }
    expect(chiWide).toBeGreaterThan(80);
    expect(df).toBe(40);
  });

  it('validates sigma and levels', () => {
    expect(() => discreteGaussianTable(0, 255)).toThrow(/'sigma'/);
    expect(() => discreteGaussianTable(0.25, 0)).toThrow(/'levels'/);
    expect(() => discreteGaussianTable(1e6, 255)).toThrow(/too many/);
  });
});
