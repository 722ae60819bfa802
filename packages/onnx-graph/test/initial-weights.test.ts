import { describe, expect, it } from 'vitest';
import { GraphBuilder, initialWeights, type WeightRandomSource } from '../src/index.js';

/** A source whose numbers tell where they were asked for: tensor index t, position i -> (t + i / count) / 8. */
const probe: WeightRandomSource & { calls: [number, number][] } = {
  calls: [],
  uniform(t, count) {
    this.calls.push([t, count]);
    return Float64Array.from({ length: count }, (_, i) => (t + i / count) / 8);
  },
};

describe('initialWeights', () => {
  it("draws PyTorch's default bounds from the caller's source, BatchNormalization scale 1 / bias 0, other tensors kept", () => {
    const b = new GraphBuilder({ opset: 13 });
    const x = b.input('x', 'float32', ['batch', 2, 5, 5]);
    const wc = b.initializer('wc', new Float32Array(3 * 2 * 3 * 3).fill(9), [3, 2, 3, 3]);
    const bc = b.initializer('bc', new Float32Array(3).fill(9), [3]);
    const conv = b.node('Conv', [x, wc, bc]);
    const bn = b.node('BatchNormalization', [
      conv,
      b.initializer('scale', new Float32Array(3).fill(9), [3]),
      b.initializer('bias', new Float32Array(3).fill(9), [3]),
      b.initializer('mean', new Float32Array(3).fill(9), [3]),
      b.initializer('var', new Float32Array(3).fill(9), [3]),
    ]);
    const flat = b.node('Flatten', [bn]);
    const wg = b.initializer('wg', new Float32Array(4 * 27).fill(9), [4, 27]);
    const y = b.node('Gemm', [flat, wg], { transB: 1 });
    b.output(y, 'float32', ['batch', 4]);
    const model = b.build();
    const weights = new Map([...model.graph.initializers].map(([k, t]) => [k, Float32Array.from(t.data as Float32Array)]));
    probe.calls = [];
    const fresh = initialWeights(model, weights, probe);
    const names = [...weights.keys()];
    const expectUniform = (name: string, bound: number) => {
      const t = names.indexOf(name);
      const got = fresh.get(name)!;
      const want = Float32Array.from(got, (_, i) => ((t + i / got.length) / 8) * 2 * bound - bound);
      expect(Array.from(got)).toEqual(Array.from(want));
    };
    expectUniform('wc', 1 / Math.sqrt(2 * 3 * 3));
    expectUniform('bc', 1 / Math.sqrt(2 * 3 * 3));
    expectUniform('wg', 1 / Math.sqrt(27));
    expect(Array.from(fresh.get('scale')!)).toEqual([1, 1, 1]);
    expect(Array.from(fresh.get('bias')!)).toEqual([0, 0, 0]);
    expect(Array.from(fresh.get('mean')!)).toEqual([9, 9, 9]);
    expect(probe.calls.map(([t]) => names[t])).toEqual(['wc', 'bc', 'wg']);
    expect(weights.get('wc')![0]).toBe(9); // the input map is not modified
  });

  it('rejects a source that returns the wrong count', () => {
    const b = new GraphBuilder({ opset: 13 });
    const y = b.node('MatMul', [b.input('x', 'float32', [1, 2]), b.initializer('w', new Float32Array(6), [2, 3])]);
    b.output(y, 'float32', [1, 3]);
    const model = b.build();
    const short: WeightRandomSource = { uniform: () => new Float64Array(2) };
    expect(() => initialWeights(model, new Map([['w', new Float32Array(6)]]), short)).toThrow(/returned 2 numbers/);
  });
});
