import { describe, expect, it } from 'vitest';
import { NOISE_STREAM } from '../../src/sampling/index.js';
import { philox4x32, philoxUniformSource } from '../../src/noise/index.js';

describe('philoxUniformSource', () => {
  const seed = 0x1234_5678_9abc_def0n;
  const key = [0x9abc_def0, 0x1234_5678];

  it('number i of tensor t is word i % 4 of Philox at counter (i / 4, t, 0, stream) over 2^32', () => {
    const u = philoxUniformSource(seed, NOISE_STREAM.onnxWeightInit).uniform(3, 10);
    expect(u.length).toBe(10);
    for (let i = 0; i < 10; i++) {
      const words = philox4x32([Math.floor(i / 4), 3, 0, 6], key);
      expect(u[i]).toBe(words[i % 4]! / 2 ** 32);
    }
  });

  it('is counter-based: the same tensor gives the same numbers whatever was drawn before; streams and tensors differ', () => {
    const a = philoxUniformSource(seed, NOISE_STREAM.layersWeightInit);
    const first = a.uniform(1, 7);
    a.uniform(0, 100);
    expect(Array.from(a.uniform(1, 7))).toEqual(Array.from(first));
    expect(Array.from(a.uniform(1, 9).subarray(0, 7))).toEqual(Array.from(first));
    expect(Array.from(a.uniform(2, 7))).not.toEqual(Array.from(first));
    expect(Array.from(philoxUniformSource(seed, NOISE_STREAM.onnxWeightInit).uniform(1, 7))).not.toEqual(Array.from(first));
    expect(a.uniform(0, 0).length).toBe(0);
  });

  it('draws in [0, 1) with the mean of a uniform', () => {
    const u = philoxUniformSource(7n, NOISE_STREAM.onnxWeightInit).uniform(0, 40_000);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const mean = u.reduce((s, v) => s + v, 0) / u.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / u.length));
  });
});
