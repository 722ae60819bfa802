// The sound mode's WASM kernel (fill_sound) against the JS reference, bitwise, and through the threaded generator.
import { afterAll, describe, expect, it } from 'vitest';
import { createWasmNoiseGenerator, discreteGaussianTable, fillSoundNoisy } from '../../src/index.js';
import { createThreadedNoiseGenerator } from '../../src/node/index.js';

const wasm = createWasmNoiseGenerator();
const threaded = createThreadedNoiseGenerator({ threads: 2 });
afterAll(() => threaded.dispose());

describe('fill_sound (WASM) = fillSoundNoisy (JS), bitwise', () => {
  for (const [dim, sigma, levels, clipped] of [
    [784, 0.25, 255, false],
    [787, 0.5, 255, true],
    [5, 0.12, 100, true],
    [1, 1, 16, false],
  ] as const) {
    it(`dim ${dim}, sigma ${sigma}, grid 1/${levels}${clipped ? ', clipped' : ''}`, () => {
      const table = discreteGaussianTable(sigma, levels);
      const grid = Int32Array.from({ length: dim + 3 }, (_, i) => (i * 7) % levels);
      const clip = clipped ? { min: new Float32Array(dim).fill(0.1), max: new Float32Array(dim).fill(0.9) } : undefined;
      const req = { seed: 0xabcdefn, stream: 1, inputIndex: 3, sampleStart: 17, sampleCount: 333, dim };
      const js = new Float32Array(333 * dim);
      fillSoundNoisy(js, 0, req, grid, 2, table, clip);
      for (const g of [wasm, threaded]) {
        const out = new Float32Array(333 * dim + 5).fill(-7);
        g.fillSound!(out, 5, req, grid, 2, table, clip);
        expect(Buffer.from(out.buffer, 20).equals(Buffer.from(js.buffer)), g.name).toBe(true);
        expect(out[4]).toBe(-7);
      }
    });
  }

  it('validates the grid', () => {
    const table = discreteGaussianTable(0.25, 255);
    const req = { seed: 1n, stream: 1, inputIndex: 0, sampleStart: 0, sampleCount: 1, dim: 8 };
    expect(() => wasm.fillSound!(new Float32Array(8), 0, req, new Int32Array(7), 0, table)).toThrow(/grid must be an Int32Array with dim \(8\) values/);
  });
});
