import { describe, expect, it } from 'vitest';
import { fromFunction, smooth } from '../../src/index.js';
import { uniforms } from './helpers.js';

const dim = 4;
const mean = [0.2, 0.4, 0.6, 0.8];
const std = [0.5, 0.25, 2, 1];
const base = (x: Float32Array, batch: number) => {
  const out = new Float32Array(batch * 2);
  for (let i = 0; i < batch; i++) {
    let s = 0;
    for (let f = 0; f < dim; f++) s += (f % 2 ? 1 : -1) * x[i * dim + f]!;
    out[i * 2 + (s > 0 ? 1 : 0)] = 1;
  }
  return out;
};
const x = Float32Array.from(uniforms(3 * dim, 4));

describe('smoothing semantics', () => {
  it('adds noise in raw input space, before preprocessing (same counts as a model that normalizes inside)', async () => {
    const plain = smooth(fromFunction({ inputShape: [dim], nbClasses: 2, predict: base }), { preprocessing: [mean, std], scale: 0.3, seed: 11 });
    const inside = smooth(
      fromFunction({
        inputShape: [dim],
        nbClasses: 2,
        predict: (xr, batch) =>
          base(
            xr.map((v, i) => (v - mean[i % dim]!) / std[i % dim]!),
            batch,
          ),
      }),
      { scale: 0.3, seed: 11 },
    );
    const a = await plain.predictClasses(x, { n: 2000 });
    const b = await inside.predictClasses(x, { n: 2000 });
    expect(Array.from(a.counts)).toEqual(Array.from(b.counts));
  });

  it('does not clip noisy copies unless clipNoisy is set, and clips them in every method when it is', async () => {
    const seen: number[] = [];
    const spy = fromFunction({
      inputShape: [dim],
      nbClasses: 2,
      predict: (xr, batch) => {
        seen.push(Math.min(...xr), Math.max(...xr));
        return base(xr, batch);
      },
    });
    await smooth(spy, { scale: 1, seed: 1, clipValues: [0, 1] }).certify(x, { n: 200 });
    expect(Math.min(...seen)).toBeLessThan(0);
    expect(Math.max(...seen)).toBeGreaterThan(1);
    seen.length = 0;
    await smooth(spy, { scale: 1, seed: 1, clipValues: [0, 1], clipNoisy: true }).certify(x, { n: 200 });
    expect(Math.min(...seen)).toBe(0);
    expect(Math.max(...seen)).toBe(1);
  });

  it('selects and estimates with independent samples (different noise streams)', async () => {
    const batches: Float32Array[] = [];
    const spy = fromFunction({
      inputShape: [dim],
      nbClasses: 2,
      predict: (xr, batch) => {
        batches.push(xr.slice());
        return base(xr, batch);
      },
    });
    await smooth(spy, { scale: 1, seed: 1, sampleSize: 10 }).certify(x.subarray(0, dim), { n: 10 });
    expect(batches).toHaveLength(2);
    expect(Array.from(batches[0]!)).not.toEqual(Array.from(batches[1]!));
  });

  it('predict abstains when the top two classes are too close, and not with isAbstain false', async () => {
    const coin = fromFunction({
      inputShape: [1],
      nbClasses: 2,
      predict: (xr, batch) => {
        const o = new Float32Array(batch * 2);
        for (let i = 0; i < batch; i++) o[i * 2 + (xr[i]! > 0 ? 1 : 0)] = 1;
        return o;
      },
    });
    const g = smooth(coin, { scale: 1, seed: 3, alpha: 0.001 });
    const onBoundary = new Float32Array([0]);
    const abstain = await g.predictClasses(onBoundary, { n: 1000 });
    expect(abstain.prediction[0]).toBe(-1);
    expect(Array.from(await g.predict(onBoundary, { n: 1000 }))).toEqual([0, 0]);
    const forced = await g.predict(onBoundary, { n: 1000, isAbstain: false });
    expect(forced.reduce((a, b) => a + b, 0)).toBe(1);
    const far = await g.predict(new Float32Array([5]), { n: 1000 });
    expect(Array.from(far)).toEqual([0, 1]);
  });
});
