import { describe, expect, it } from 'vitest';
import { smooth } from '../../src/index.js';
import { softmaxRegression, uniforms } from './helpers.js';

const dim = 4;
const count = 20;
const x = Float32Array.from(uniforms(count * dim, 5));
const y = Int32Array.from({ length: count }, (_, i) => i % 3);

function* inOrder(size: number) {
  for (let i = 0; i < count; i += size) yield { x: x.subarray(i * dim, Math.min(count, i + size) * dim), y: y.subarray(i, i + size) };
}

describe('fitGenerator (every backend gets it from core)', () => {
  it('over the data in order draws the noise of fit(shuffle: false): identical losses', async () => {
    const a = smooth(softmaxRegression(dim, 3, 4), { scale: 0.3, seed: 9 });
    const b = smooth(softmaxRegression(dim, 3, 4), { scale: 0.3, seed: 9 });
    const fa = await a.fit(x, y, { nbEpochs: 2, batchSize: 5, shuffle: false, optimizer: 'sgd', learningRate: 0.05 });
    const fb = await b.fitGenerator(() => inOrder(5), { nbEpochs: 2, optimizer: 'sgd', learningRate: 0.05 });
    expect(Array.from(fb.epochLosses)).toEqual(Array.from(fa.epochLosses));
    const logitsA = await a.predictLogits(x);
    const logitsB = await b.predictLogits(x);
    expect(Array.from(logitsB)).toEqual(Array.from(logitsA));
  });

  it('takes async iterables and tensors, and names bad sources', async () => {
    const g = smooth(softmaxRegression(dim, 3, 4), { scale: 0.3, seed: 9 });
    async function* tensors() {
      yield { x: { data: x.subarray(0, 10 * dim), shape: [10, dim] }, y: { dataSync: () => y.subarray(0, 10), shape: [10], dtype: 'int32' } };
    }
    const r = await g.fitGenerator(tensors(), { nbEpochs: 1 });
    expect(r.epochLosses.length).toBe(1);
    await expect(g.fitGenerator(inOrder(5), { nbEpochs: 2 })).rejects.toThrow(/yielded no batches in epoch 1: an iterator cannot be restarted/);
    await expect(g.fitGenerator(42 as never)).rejects.toThrow(/'batches' must be an iterable/);
    await expect(g.fitGenerator([{ x: [1, 2, 3, 4] } as never])).rejects.toThrow(/batch 0 of epoch 0 must be an object \{ x, y \}/);
    await expect(smooth(softmaxRegression(dim, 3)).fitGenerator([{ x, y: [7] }])).rejects.toThrow(/'batch 0: y' has 1 values/);
  });

  it('calls the training capability endFit once per call, also when the call fails', async () => {
    const base = softmaxRegression(dim, 3, 4);
    let ended = 0;
    const training = { ...base.training!, endFit: () => void ended++ };
    const g = smooth({ ...base, training }, { scale: 0.3, seed: 1 });
    await g.fit(x, y, { nbEpochs: 1, batchSize: 10 });
    await g.fitGenerator(() => inOrder(10), { nbEpochs: 1 });
    await expect(g.fitGenerator([{ x, y: [1] }])).rejects.toThrow();
    expect(ended).toBe(3);
  });
});
