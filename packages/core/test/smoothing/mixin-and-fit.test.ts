import { describe, expect, it } from 'vitest';
import { createSmoothed, RandomizedSmoothingMixin, LOGITS_ONLY, smooth, type Classifier, type SmoothingOptions } from '../../src/index.js';
import { runAdapterConformance } from '../../src/testing/index.js';
import { softmaxRegression, uniforms } from './helpers.js';

class TinyLinear implements Classifier {
  readonly inputShape = [3];
  readonly nbClasses = 2;
  readonly capabilities = LOGITS_ONLY;
  constructor(readonly options: { weights: number[] } & SmoothingOptions) {}
  forward(x: Float32Array, batch: number): Float32Array {
    const out = new Float32Array(batch * 2);
    for (let i = 0; i < batch; i++) out[i * 2 + 1] = this.options.weights.reduce((s, w, f) => s + w * x[i * 3 + f]!, 0);
    return out;
  }
}

/** Two Gaussian blobs per class in 8-D, separable with margin. */
function blobs(count: number, seed: number): { x: Float32Array; y: Int32Array } {
  const dim = 8;
  const u = uniforms(count * dim, seed);
  const x = new Float32Array(count * dim);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    y[i] = i % 3;
    for (let f = 0; f < dim; f++) x[i * dim + f] = (f % 3 === y[i] ? 1 : 0) + (u[i * dim + f]! - 0.5) * 0.6;
  }
  return { x, y };
}

describe('RandomizedSmoothingMixin', () => {
  it('adds sampleSize/scale/alpha and the smoothed methods to a classifier class', async () => {
    const Smoothed = RandomizedSmoothingMixin(TinyLinear);
    const g = new Smoothed({ weights: [1, -1, 0.5], scale: 0.2, sampleSize: 50, alpha: 0.01, seed: 4 });
    expect([g.sampleSize, g.scale, g.alpha]).toEqual([50, 0.2, 0.01]);
    g.scale = 0.4;
    expect(g.scale).toBe(0.4);
    expect(() => (g.alpha = 0.9)).toThrow(/'alpha' must be in \(0, 0.5\), got 0.9/);
    expect(g.alpha).toBe(0.01);
    const x = new Float32Array([2, 0, 0, 0, 2, 0]);
    const { prediction, radius } = await g.certify(x, { n: 1000 });
    expect(Array.from(prediction)).toEqual([1, 0]);
    expect(radius[0]).toBeGreaterThan(0.5);
    expect(Array.from(await g.predict(x))).toEqual([0, 1, 1, 0]);
    expect((await g.predictLogits(x))[1]).toBeCloseTo(2);
    expect((await g.forward(x, 2))[1]).toBeCloseTo(2);
    expect(g).toBeInstanceOf(TinyLinear);
  });
});

describe('createSmoothed (the body of every backend create)', () => {
  class Disposable extends RandomizedSmoothingMixin(TinyLinear) {
    disposed = 0;
    override dispose(): void {
      this.disposed++;
    }
  }
  it('splits base and smoothing options, and disposes the instance when the smoothing options are bad', async () => {
    const seen: unknown[] = [];
    const prepare = async (base: { weights: number[] }) => {
      seen.push(base);
      return base;
    };
    const g = await createSmoothed({ weights: [1, 2, 3], scale: 0.3, seed: 1 }, prepare, (init) => new Disposable(init));
    expect(seen).toEqual([{ weights: [1, 2, 3] }]);
    expect(g.scale).toBe(0.3);
    let made: Disposable | undefined;
    await expect(createSmoothed({ weights: [1, 2, 3], alpha: 0.9 }, prepare, (init) => (made = new Disposable(init)))).rejects.toThrow(
      /'alpha' must be in \(0, 0.5\), got 0.9/,
    );
    expect(made!.disposed).toBe(1);
  });
});

describe('fit: Gaussian data augmentation', () => {
  it('lowers the loss and raises certified accuracy', async () => {
    const train = blobs(300, 1);
    const test = blobs(60, 2);
    const model = softmaxRegression(8, 3, 9);
    const g = smooth(model, { scale: 0.25, seed: 21, sampleSize: 32 });
    const certifiedAccuracy = async (r: number) => {
      const { prediction, radius } = await g.certify(test.x, { n: 500, batchSize: 2000 });
      return prediction.reduce((s, p, i) => s + (p === test.y[i] && radius[i]! >= r ? 1 : 0), 0) / prediction.length;
    };
    const before = await certifiedAccuracy(0.25);
    const progress: number[] = [];
    const { epochLosses } = await g.fit(train.x, train.y, {
      nbEpochs: 6,
      batchSize: 32,
      optimizer: 'adam',
      learningRate: 0.05,
      onProgress: (p) => progress.push(p.loss!),
    });
    const after = await certifiedAccuracy(0.25);
    console.log(`fit: epoch losses ${Array.from(epochLosses, (l) => l.toFixed(3)).join(' ')}; certified accuracy at r=0.25 ${before} -> ${after}`);
    expect(epochLosses[epochLosses.length - 1]!).toBeLessThan(epochLosses[0]! * 0.7);
    expect(after).toBeGreaterThan(before + 0.3);
    expect(progress.length).toBe(6 * Math.ceil(300 / 32));
  });

  it('is reproducible from the seed (same shuffles, same noise)', async () => {
    const train = blobs(90, 3);
    const run = async () => {
      const g = smooth(softmaxRegression(8, 3, 9), { scale: 0.25, seed: 8 });
      return Array.from((await g.fit(train.x, train.y, { nbEpochs: 2, batchSize: 16 })).epochLosses);
    };
    expect(await run()).toEqual(await run());
  });
});

runAdapterConformance({
  name: 'core reference (softmax regression in JS)',
  create: () => softmaxRegression(8, 3, 2),
  inputs: blobs(6, 4).x,
  labels: blobs(6, 4).y,
  capabilities: { gradients: true, training: true, activations: false, save: false },
  tolerance: { gradient: 1e-2 },
});
