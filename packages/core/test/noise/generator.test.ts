import { describe, expect, it } from 'vitest';
import {
  createJsNoiseGenerator,
  createNoiseGenerator,
  createWasmNoiseGenerator,
  isWasmSimdSupported,
  normalsFromBlock,
  philox4x32,
  type NoiseGenerator,
  type NoiseRequest,
} from '../../src/noise/index.js';
import { req } from './helpers.js';

const js = createJsNoiseGenerator();
const wasm = createWasmNoiseGenerator();
const backends: NoiseGenerator[] = [js, wasm];

function draw(g: NoiseGenerator, r: NoiseRequest): Float32Array {
  const out = new Float32Array(r.sampleCount * r.dim);
  g.fillStandardNormal(out, 0, r);
  return out;
}

/** The stream layout computed directly from philox4x32 + normalsFromBlock. */
function layoutReference(r: NoiseRequest): Float32Array {
  const k0 = Number(r.seed & 0xffffffffn);
  const k1 = Number(r.seed >> 32n);
  const out = new Float32Array(r.sampleCount * r.dim);
  const z = new Float32Array(4);
  for (let row = 0; row < r.sampleCount; row++) {
    for (let f = 0; f < r.dim; f += 4) {
      normalsFromBlock(philox4x32([f / 4, r.sampleStart + row, r.inputIndex, r.stream], [k0, k1]), z, 0);
      for (let k = 0; k < 4 && f + k < r.dim; k++) out[row * r.dim + f + k] = z[k]!;
    }
  }
  return out;
}

function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

describe('createNoiseGenerator', () => {
  it('picks WASM SIMD on Node 20+ and JS on request', () => {
    expect(isWasmSimdSupported()).toBe(true);
    expect(createNoiseGenerator().name).toBe('wasm-simd');
    expect(createNoiseGenerator({ prefer: 'wasm' }).name).toBe('wasm-simd');
    expect(createNoiseGenerator({ prefer: 'js' }).name).toBe('js');
    expect(() => createNoiseGenerator({ prefer: 'gpu' as 'js' })).toThrow(RangeError);
  });
});

describe('stream layout', () => {
  for (const g of backends) {
    it(`${g.name}: equals philox4x32 + curand_normal4 Box-Muller, block b -> features 4b..4b+3`, () => {
      for (const dim of [1, 2, 3, 4, 5, 8, 13]) {
        const r = req({ dim, sampleStart: 11, sampleCount: 5, inputIndex: 3, stream: 2, seed: 0xfedcba9876543210n });
        expect(bitsEqual(draw(g, r), layoutReference(r))).toBe(true);
      }
    });

    it(`${g.name}: dim not a multiple of 4 truncates the last block (prefix of the dim rounded up)`, () => {
      for (const dim of [1, 2, 3, 5, 6, 7, 785, 1023]) {
        const up = Math.ceil(dim / 4) * 4;
        const a = draw(g, req({ dim, sampleCount: 3 }));
        const b = draw(g, req({ dim: up, sampleCount: 3 }));
        for (let row = 0; row < 3; row++) {
          expect(bitsEqual(a.subarray(row * dim, (row + 1) * dim), b.subarray(row * up, row * up + dim))).toBe(true);
        }
      }
    });

    it(`${g.name}: samples [0,1000) at once equal [0,300) + [300,1000)`, () => {
      const dim = 37;
      const all = draw(g, req({ dim, sampleCount: 1000 }));
      const parts = new Float32Array(1000 * dim);
      g.fillStandardNormal(parts, 0, req({ dim, sampleStart: 0, sampleCount: 300 }));
      g.fillStandardNormal(parts, 300 * dim, req({ dim, sampleStart: 300, sampleCount: 700 }));
      expect(bitsEqual(all, parts)).toBe(true);
      // and one sample at a time, in reverse order
      const one = new Float32Array(1000 * dim);
      for (let j = 999; j >= 0; j -= 97) g.fillStandardNormal(one, j * dim, req({ dim, sampleStart: j, sampleCount: 1 }));
      for (let j = 999; j >= 0; j -= 97) {
        expect(bitsEqual(one.subarray(j * dim, (j + 1) * dim), all.subarray(j * dim, (j + 1) * dim))).toBe(true);
      }
    });

    it(`${g.name}: same seed same output, different seed / stream / input differ`, () => {
      const r = req({ dim: 100, sampleCount: 10 });
      const a = draw(g, r);
      expect(bitsEqual(a, draw(g, { ...r }))).toBe(true);
      for (const other of [
        { ...r, seed: r.seed + 1n },
        { ...r, seed: r.seed ^ (1n << 63n) },
        { ...r, stream: 2 },
        { ...r, inputIndex: 1 },
        { ...r, sampleStart: 1 },
      ]) {
        const b = draw(g, other);
        let same = 0;
        for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
        expect(same).toBeLessThan(3);
      }
    });

    it(`${g.name}: writes exactly [outOffset, outOffset + sampleCount*dim)`, () => {
      const out = new Float32Array(200).fill(123);
      g.fillStandardNormal(out, 17, req({ dim: 7, sampleCount: 5 }));
      expect(Array.from(out.subarray(0, 17)).every((v) => v === 123)).toBe(true);
      expect(Array.from(out.subarray(17 + 35)).every((v) => v === 123)).toBe(true);
      expect(bitsEqual(out.subarray(17, 17 + 35), draw(g, req({ dim: 7, sampleCount: 5 })))).toBe(true);
    });

    it(`${g.name}: sampleCount 0 is a no-op; extreme indices and seeds work`, () => {
      const out = new Float32Array(4).fill(5);
      g.fillStandardNormal(out, 4, req({ sampleCount: 0 }));
      expect(Array.from(out)).toEqual([5, 5, 5, 5]);
      const r = req({ seed: 2n ** 64n - 1n, stream: 2 ** 32 - 1, inputIndex: 2 ** 32 - 1, sampleStart: 2 ** 32 - 3, sampleCount: 3, dim: 6 });
      expect(bitsEqual(draw(g, r), layoutReference(r))).toBe(true);
    });
  }
});

describe('WASM and JS backends are bitwise identical', () => {
  it('standard normals for many seeds, streams, dims, offsets (incl. chunk boundaries)', () => {
    const shapes: [number, number][] = [
      [1, 40000], // many rows per chunk, several chunks
      [3, 7001],
      [784, 50],
      [785, 23],
      [20001, 2], // one row larger than a chunk
      [16384, 3], // exactly one chunk per row
    ];
    let seed = 1n;
    for (const [dim, count] of shapes) {
      for (const stream of [0, 4]) {
        seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
        const r = req({ seed, stream, dim, sampleCount: count, sampleStart: 1000 * stream + 7, inputIndex: dim });
        expect(bitsEqual(draw(js, r), draw(wasm, r))).toBe(true);
      }
    }
  });

  it('fillNoisy, with and without clip', () => {
    for (const dim of [5, 64, 784]) {
      const base = new Float32Array(dim + 3).map((_, i) => Math.sin(i) * 0.7 + 0.5);
      const min = new Float32Array(dim).map((_, i) => (i % 3 === 0 ? 0 : -Infinity));
      const max = new Float32Array(dim).map((_, i) => (i % 5 === 0 ? 1 : 0.75));
      for (const scale of [0.25, 1, 0.1234567]) {
        const r = req({ dim, sampleCount: 33, sampleStart: 9 });
        for (const clip of [undefined, { min, max }]) {
          const a = new Float32Array(33 * dim);
          const b = new Float32Array(33 * dim);
          js.fillNoisy(a, 0, r, base, 3, scale, clip);
          wasm.fillNoisy(b, 0, r, base, 3, scale, clip);
          expect(bitsEqual(a, b)).toBe(true);
        }
      }
    }
  });
});

describe('WASM generator lifecycle and limits', () => {
  it('dispose() makes later calls throw; other generators are unaffected', () => {
    const g = createWasmNoiseGenerator();
    const out = new Float32Array(16);
    g.fillStandardNormal(out, 0, req());
    g.dispose?.();
    expect(() => g.fillStandardNormal(out, 0, req())).toThrow(/disposed/);
    wasm.fillStandardNormal(out, 0, req());
  });

  it('very large dim (> 2^24, delegated to JS) keeps the layout', () => {
    const dim = 2 ** 24 + 3;
    const out = new Float32Array(dim);
    const r = req({ dim, sampleStart: 4, inputIndex: 2 });
    wasm.fillStandardNormal(out, 0, r);
    const k0 = Number(r.seed & 0xffffffffn);
    const k1 = Number(r.seed >> 32n);
    const z = new Float32Array(4);
    for (const b of [0, 1, 2 ** 22, 2 ** 22 - 1]) {
      normalsFromBlock(philox4x32([b, 4, 2, r.stream], [k0, k1]), z, 0);
      const n = Math.min(4, dim - 4 * b);
      expect(Array.from(out.subarray(4 * b, 4 * b + n))).toEqual(Array.from(z.subarray(0, n)));
    }
  });
});

describe('fillNoisy', () => {
  for (const g of backends) {
    it(`${g.name}: out = clamp(f32(base + f32(f32(scale) * z)), min, max)`, () => {
      const dim = 9;
      const rows = 20;
      const base = Float32Array.from({ length: 2 + dim }, (_, i) => i * 0.1 - 0.3);
      const min = new Float32Array(dim).fill(-0.5);
      const max = Float32Array.from({ length: dim }, (_, i) => 0.2 + i * 0.05);
      const scale = 0.3;
      const r = req({ dim, sampleCount: rows });
      const z = draw(g, r);
      const plain = new Float32Array(rows * dim + 4).fill(9);
      const clipped = new Float32Array(rows * dim);
      g.fillNoisy(plain, 2, r, base, 2, scale);
      g.fillNoisy(clipped, 0, r, base, 2, scale, { min, max });
      const s = Math.fround(scale);
      let clampedSome = 0;
      for (let row = 0; row < rows; row++) {
        for (let f = 0; f < dim; f++) {
          const v = Math.fround(base[2 + f]! + Math.fround(s * z[row * dim + f]!));
          expect(plain[2 + row * dim + f]).toBe(v);
          const c = Math.min(Math.max(v, min[f]!), max[f]!);
          if (c !== v) clampedSome++;
          expect(clipped[row * dim + f]).toBe(c);
        }
      }
      expect(clampedSome).toBeGreaterThan(10);
      expect([plain[0], plain[1], plain[rows * dim + 2], plain[rows * dim + 3]]).toEqual([9, 9, 9, 9]);
    });

    it(`${g.name}: scale 0 returns the (clipped) base`, () => {
      const base = Float32Array.from([0.5, -2, 3, 0.25, 7]);
      const out = new Float32Array(10);
      g.fillNoisy(out, 0, req({ dim: 5, sampleCount: 2 }), base, 0, 0, {
        min: new Float32Array(5),
        max: new Float32Array(5).fill(1),
      });
      expect(Array.from(out)).toEqual([0.5, 0, 1, 0.25, 1, 0.5, 0, 1, 0.25, 1]);
    });
  }
});

describe('validation', () => {
  for (const g of backends) {
    it(`${g.name}: RangeErrors name the field`, () => {
      const out = new Float32Array(1000);
      const bad: [Partial<NoiseRequest>, RegExp][] = [
        [{ seed: -1n }, /seed/],
        [{ seed: 2n ** 64n }, /seed/],
        [{ seed: 5 as unknown as bigint }, /seed/],
        [{ stream: -1 }, /stream/],
        [{ stream: 2 ** 32 }, /stream/],
        [{ inputIndex: 1.5 }, /inputIndex/],
        [{ inputIndex: -3 }, /inputIndex/],
        [{ sampleStart: -1 }, /sampleStart/],
        [{ sampleStart: 0.5 }, /sampleStart/],
        [{ sampleCount: -2 }, /sampleCount/],
        [{ sampleCount: NaN }, /sampleCount/],
        [{ sampleStart: 2 ** 32 - 1, sampleCount: 2 }, /sampleStart \+ sampleCount/],
        [{ dim: 0 }, /dim/],
        [{ dim: 2.5 }, /dim/],
      ];
      for (const [patch, re] of bad) {
        expect(
          () => g.fillStandardNormal(out, 0, req(patch)),
          JSON.stringify(patch, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)),
        ).toThrow(RangeError);
        expect(() => g.fillStandardNormal(out, 0, req(patch))).toThrow(re);
      }
      expect(() => g.fillStandardNormal(out, -1, req())).toThrow(/outOffset/);
      expect(() => g.fillStandardNormal(out, 1.5, req())).toThrow(/outOffset/);
      expect(() => g.fillStandardNormal(out, 990, req({ dim: 16 }))).toThrow(/out is too short/);
      const base = new Float32Array(16);
      expect(() => g.fillNoisy(out, 0, req(), base, 1, 1)).toThrow(/base is too short/);
      expect(() => g.fillNoisy(out, 0, req(), base, -1, 1)).toThrow(/baseOffset/);
      expect(() => g.fillNoisy(out, 0, req(), base, 0, NaN)).toThrow(/scale/);
      expect(() => g.fillNoisy(out, 0, req(), base, 0, 1, { min: new Float32Array(3), max: base })).toThrow(/clip\.min/);
      expect(() => g.fillNoisy(out, 0, req(), base, 0, 1, { min: base, max: new Float32Array(3) })).toThrow(/clip\.max/);
    });
  }
});
