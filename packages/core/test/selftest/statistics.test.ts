// The self-test's p-values against scipy (statistics.json, made by generate-statistics.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chiSquarePValue, gammaQ, kolmogorovPValue, logGamma } from '../../src/selftest/index.js';

const ref = JSON.parse(readFileSync(new URL('./statistics.json', import.meta.url), 'utf8')) as {
  gammaQ: [number, number, number][];
  chi2_sf: [number, number, number][];
  kolmogorov_sf: [number, number][];
  log_gamma: [number, number][];
};
const rel = (a: number, b: number) => (b === 0 ? Math.abs(a) : Math.abs(a / b - 1));

describe('self-test statistics vs scipy', () => {
  it('logGamma', () => {
    for (const [x, v] of ref.log_gamma) expect(Math.abs(logGamma(x) - v), `x = ${x}`).toBeLessThan(1e-12 * Math.max(1, Math.abs(v)));
  });
  it('gammaQ (regularized upper incomplete gamma)', () => {
    for (const [a, x, v] of ref.gammaQ) expect(rel(gammaQ(a, x), v), `a = ${a}, x = ${x}`).toBeLessThan(1e-10);
  });
  it('chi-square upper tail', () => {
    for (const [s, df, v] of ref.chi2_sf) expect(rel(chiSquarePValue(s, df), v), `stat ${s}, df ${df}`).toBeLessThan(1e-10);
  });
  it("Kolmogorov-Smirnov: Kolmogorov's limit for large n", () => {
    const n = 1e12;
    for (const [t, v] of ref.kolmogorov_sf) expect(rel(kolmogorovPValue(t / Math.sqrt(n), n), v), `t = ${t}`).toBeLessThan(1e-5);
    expect(kolmogorovPValue(0, 100)).toBe(1);
  });
});
