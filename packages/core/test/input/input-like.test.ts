import { describe, expect, it } from 'vitest';
import { linearClassifier, smooth, toInputBatch, toLabels } from '../../src/index.js';

const shape = [2, 2];
const flat = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);

describe('InputLike: every form reads to the same batch', () => {
  it('flat typed and plain arrays, nested arrays, { data, shape }, ort.Tensor-like, tf.Tensor-like', () => {
    const forms: unknown[] = [
      flat,
      Float64Array.from(flat),
      Array.from(flat),
      Int16Array.from(flat),
      [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8],
        ],
      ],
      { data: flat, shape: [2, 2, 2] },
      { data: flat, dims: [2, 2, 2], type: 'float32' },
      { data: BigInt64Array.from(flat, (v) => BigInt(v)), dims: [2, 2, 2], type: 'int64' },
      { dataSync: () => flat, shape: [2, 2, 2], dtype: 'float32', isDisposed: false },
    ];
    for (const x of forms) {
      const b = toInputBatch(x, shape);
      expect(
        [b.count, b.dim, Array.from(b.data)],
        JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)),
      ).toEqual([2, 4, Array.from(flat)]);
    }
    const one = toInputBatch(
      [
        [1, 2],
        [3, 4],
      ],
      shape,
    );
    expect(one.count).toBe(1);
  });

  it('names the problem for ragged, mis-shaped, disposed and string inputs', () => {
    expect(() =>
      toInputBatch(
        [
          [1, 2],
          [3, 4, 5],
        ],
        [2],
      ),
    ).toThrow(/'x' is a ragged nested array: 'x\[1\]' has length 3, expected an array of length 2/);
    expect(() => toInputBatch([[[1, 2, 3]]], shape)).toThrow(/'x' has shape \[1, 1, 3\]: it must be \[batch, 2, 2\] or \[2, 2\]/);
    expect(() => toInputBatch({ dataSync: () => flat, shape: [2, 2, 2], dtype: 'float32', isDisposed: true }, shape)).toThrow(
      /the tensor passed as 'x' was already disposed/,
    );
    expect(() => toInputBatch({ data: ['a'], dims: [1], type: 'string' }, [1])).toThrow(/'x' is a string tensor/);
    expect(() => toInputBatch([[1, 'a']], [2])).toThrow(/'x\[0\]\[1\]' must be a number, got "a"/);
    expect(() => toInputBatch({ data: flat, shape: [3, 2, 2] }, shape)).toThrow(/'x' has 8 values but its shape \[3, 2, 2\] needs 12/);
  });

  it('labels: class indices or one-hot rows, flat, nested, bigint or tensors', () => {
    expect(Array.from(toLabels(BigInt64Array.of(2n, 0n), 2, 3))).toEqual([2, 0]);
    expect(
      Array.from(
        toLabels(
          [
            [0, 0, 1],
            [1, 0, 0],
          ],
          2,
          3,
        ),
      ),
    ).toEqual([2, 0]);
    expect(Array.from(toLabels({ dataSync: () => Int32Array.of(1, 2), shape: [2], dtype: 'int32' }, 2, 3))).toEqual([1, 2]);
    expect(() => toLabels(BigInt64Array.of(2n ** 40n, 0n), 2, 3)).toThrow(/'y\[0\]' must be a class index in \[0, 2\], got 1099511627776n/);
  });

  it('reaches every method: certify takes a nested array', async () => {
    const g = smooth(
      linearClassifier({
        weights: [
          [0, 0],
          [1, 1],
        ],
        bias: [0, -1],
      }),
      { scale: 0.5, seed: 3 },
    );
    const a = await g.certify([[2, 2]], { n: 500 });
    const b = await g.certify(new Float32Array([2, 2]), { n: 500 });
    expect(Array.from(a.radius)).toEqual(Array.from(b.radius));
  });
});
