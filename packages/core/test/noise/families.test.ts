// The uniform and Laplace noise families: the layout (philox4x32 + the per-word transforms),
// bitwise equality of the JS, WASM and threaded generators, and their distributions.
import { afterAll, describe, expect, it } from 'vitest';
import { createThreadedNoiseGenerator } from '../../src/node/index.js';
import {
  createJsNoiseGenerator,
  createWasmNoiseGenerator,
  laplaceUnitFromU32,
  NOISE_FAMILIES,
  NOISE_FAMILY_ID,
  philox4x32,
  uniformUnitFromU32,
  unitsFromBlock,
  type NoiseFamily,
  type NoiseGenerator,
  type NoiseRequest,
} from '../../src/noise/index.js';
import { ksStatistic, moments, normalCdf, req } from './helpers.js';

const threaded = createThreadedNoiseGenerator({ threads: 2, minFloatsPerThread: 256 });
afterAll(() => threaded.dispose());
const backends: NoiseGenerator[] = [createJsNoiseGenerator(), createWasmNoiseGenerator(), threaded];

function draw(g: NoiseGenerator, r: NoiseRequest): Float32Array {
  const out = new Float32Array(r.sampleCount * r.dim);
  g.fillStandard!(out, 0, r);
  return out;
}

/** The layout computed directly from philox4x32 + unitsFromBlock. */
function layoutReference(r: NoiseRequest): Float32Array {
  const k0 = Number(r.seed & 0xffffffffn);
  const k1 = Number(r.seed >> 32n);
  const out = new Float32Array(r.sampleCount * r.dim);
  const z = new Float32Array(4);
  for (let row = 0; row < r.sampleCount; row++) {
    for (let f = 0; f < r.dim; f += 4) {
      unitsFromBlock(NOISE_FAMILY_ID[r.family ?? 'gaussian'], philox4x32([f / 4, r.sampleStart + row, r.inputIndex, r.stream], [k0, k1]), z, 0);
      for (let k = 0; k < 4 && f + k < r.dim; k++) out[row * r.dim + f + k] = z[k]!;
    }
  }
  return out;
}

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && bits(a).every((v, i) => v === bits(b)[i]);
}

describe('per-word transforms', () => {
  it('uniform: 2^23 odd steps of float32(sqrt(3) 2^-23), symmetric, inside (-sqrt 3, sqrt 3)', () => {
    const step = Math.fround(Math.sqrt(3) * 2 ** -23);
    expect(uniformUnitFromU32(0)).toBe(Math.fround(step)); // w = 0 | 1
    expect(uniformUnitFromU32(0xffffffff)).toBe(Math.fround(-step)); // w = -1 | 1 = -1
    expect(uniformUnitFromU32(0x7fffffff)).toBe(Math.fround((2 ** 23 - 1) * step));
    expect(uniformUnitFromU32(0x80000000)).toBe(Math.fround(-(2 ** 23 - 1) * step));
    for (const x of [0x12345678, 0xdeadbeef, 0x00000100, 0x7ffffe00]) {
      // the word whose top 24 bits are negated (two's complement) gives the negated value
      const w = (x >> 8) | 1;
      const mirror = ((-w << 8) >>> 0) | (x & 0xff);
      expect(uniformUnitFromU32(mirror)).toBe(-uniformUnitFromU32(x));
      expect(Math.abs(uniformUnitFromU32(x))).toBeLessThan(Math.sqrt(3));
    }
  });

  it('laplace: sign from bit 31, magnitude -ln(u) / sqrt 2 with u from the low 31 bits', () => {
    for (const x of [0, 1, 0x12345678, 0x7fffffff, 0x3fffffff]) {
      const t = laplaceUnitFromU32(x);
      expect(t).toBeGreaterThanOrEqual(0);
      expect(laplaceUnitFromU32((x | 0x80000000) >>> 0)).toBe(-t);
      const u = Math.min((x + 0.5) * 2 ** -31, 1 - 2 ** -24);
      expect(Math.abs(t - -Math.log(u) / Math.SQRT2)).toBeLessThanOrEqual(4e-7 * Math.max(1, t));
    }
    expect(laplaceUnitFromU32(0)).toBeCloseTo(-Math.log(2 ** -32) / Math.SQRT2, 5); // the largest magnitude, 15.68
  });
});

describe('every generator draws every family in the layout, bitwise equal', () => {
  for (const family of NOISE_FAMILIES) {
    for (const g of backends) {
      it(`${g.name}, ${family}: philox4x32 + the family's transform, block b -> features 4b..4b+3 (truncated last block)`, () => {
        expect(g.families).toContain(family);
        for (const dim of [1, 3, 4, 5, 13, 787]) {
          const r = req({ dim, sampleStart: 11, sampleCount: dim > 100 ? 40 : 5, inputIndex: 3, stream: 2, seed: 0xfedcba9876543210n, family });
          expect(bitsEqual(draw(g, r), layoutReference(r))).toBe(true);
        }
      });
    }

    it(`${family}: fillNoisy = fl(base + fl(scale * z)), clamped, equal on every generator`, () => {
      const dim = 301;
      const r = req({ dim, sampleCount: 64, family });
      const base = Float32Array.from({ length: dim }, (_, f) => (f % 17) / 16);
      const clip = { min: new Float32Array(dim).fill(0.1), max: new Float32Array(dim).fill(0.9) };
      const z = layoutReference(r);
      const expected = new Float32Array(z.length);
      for (let i = 0; i < z.length; i++) {
        let v = Math.fround(base[i % dim]! + Math.fround(Math.fround(0.3) * z[i]!));
        v = v < 0.1 ? clip.min[0]! : v;
        v = clip.max[0]! < v ? clip.max[0]! : v;
        expected[i] = v;
      }
      for (const g of backends) {
        const out = new Float32Array(z.length);
        g.fillNoisy(out, 0, r, base, 0, 0.3, clip);
        expect(bitsEqual(out, expected), g.name).toBe(true);
      }
    });
  }

  it('the Gaussian family is the default and fillStandardNormal draws only it', () => {
    const g = backends[1]!;
    const a = draw(g, req({ dim: 9, sampleCount: 3 }));
    const b = draw(g, req({ dim: 9, sampleCount: 3, family: 'gaussian' }));
    const c = new Float32Array(27);
    g.fillStandardNormal(c, 0, req({ dim: 9, sampleCount: 3 }));
    expect(bitsEqual(a, b) && bitsEqual(a, c)).toBe(true);
    expect(() => g.fillStandardNormal(c, 0, req({ dim: 9, sampleCount: 3, family: 'uniform' }))).toThrow(/fillStandard/);
    for (const bad of ['cauchy', 3, null]) {
      expect(() => g.fillStandard!(c, 0, req({ dim: 9, sampleCount: 3, family: bad as NoiseFamily }))).toThrow(
        /family must be one of 'gaussian', 'uniform', 'laplace'/,
      );
    }
  });
});

// Exact CDFs of the unit-variance families (uniform on [-sqrt 3, sqrt 3], Laplace with scale 1/sqrt 2).
const CDF: Record<NoiseFamily, (x: number) => number> = {
  gaussian: normalCdf,
  uniform: (x) => Math.min(1, Math.max(0, (x + Math.sqrt(3)) / (2 * Math.sqrt(3)))),
  laplace: (x) => (x < 0 ? 0.5 * Math.exp(x * Math.SQRT2) : 1 - 0.5 * Math.exp(-x * Math.SQRT2)),
};

describe('distributions (10^6 draws per family; the 10^7-draw tests are `rsmooth selftest`)', () => {
  const N = 1_000_000;
  const ksCrit = Math.sqrt(-Math.log(1e-4 / 2) / 2) / Math.sqrt(N);
  for (const family of ['uniform', 'laplace'] as const) {
    const x = draw(backends[1]!, req({ seed: 99n, dim: 1000, sampleCount: N / 1000, family }));
    it(`${family}: KS against the exact CDF, moments, and the KS test rejects the other families`, () => {
      expect(ksStatistic(x, CDF[family])).toBeLessThan(ksCrit);
      const m = moments(x);
      expect(Math.abs(m.mean)).toBeLessThan(5 / Math.sqrt(N));
      expect(Math.abs(m.variance - 1)).toBeLessThan(family === 'uniform' ? 0.003 : 0.012);
      expect(m.exKurtosis).toBeCloseTo(family === 'uniform' ? -1.2 : 3, 1);
      for (const other of NOISE_FAMILIES) if (other !== family) expect(ksStatistic(x, CDF[other])).toBeGreaterThan(ksCrit);
    });
  }
});
