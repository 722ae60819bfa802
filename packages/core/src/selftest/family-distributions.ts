/**
 * The exact distributions the noise families target (unit variance; see src/noise/families.ts):
 * their CDFs and raw moments E[x^k], k = 1..8, for the self-test.
 */
import type { NoiseFamily } from '../noise/families.js';
import { normalCdf } from '../stats/normal.js';

const SQRT3 = Math.sqrt(3);

/**
 * CDF of the unit-variance distribution of `family`.
 *
 * @example
 * familyCdf('uniform')(0); // 0.5
 */
export function familyCdf(family: NoiseFamily): (x: number) => number {
  if (family === 'uniform') return (x) => (x <= -SQRT3 ? 0 : x >= SQRT3 ? 1 : (x + SQRT3) / (2 * SQRT3));
  if (family === 'laplace') return (x) => (x < 0 ? 0.5 * Math.exp(x * Math.SQRT2) : 1 - 0.5 * Math.exp(-x * Math.SQRT2));
  return normalCdf;
}

/**
 * Raw moments E[x^k] of the unit-variance distribution of `family`, k = 0..8 (index k).
 * Normal: (k-1)!! for even k; uniform on [-sqrt 3, sqrt 3]: 3^(k/2) / (k + 1); Laplace with scale
 * 1/sqrt 2: k! / 2^(k/2); odd moments 0.
 *
 * @example
 * familyMoments('laplace')[4]; // 6
 */
export function familyMoments(family: NoiseFamily): readonly number[] {
  const m = [1, 0, 1, 0, 0, 0, 0, 0, 0];
  for (const k of [4, 6, 8]) {
    if (family === 'uniform') m[k] = 3 ** (k / 2) / (k + 1);
    else if (family === 'laplace') m[k] = factorial(k) / 2 ** (k / 2);
    else m[k] = doubleFactorial(k - 1);
  }
  return m;
}

function factorial(k: number): number {
  let f = 1;
  for (let i = 2; i <= k; i++) f *= i;
  return f;
}

function doubleFactorial(k: number): number {
  let f = 1;
  for (let i = k; i > 1; i -= 2) f *= i;
  return f;
}
