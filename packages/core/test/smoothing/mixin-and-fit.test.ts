import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  capabilitiesOf,
  type Classifier,
  createClassifier,
  createSmoothed,
  RandomizedSmoothingMixin,
  type Refittable,
  type SmoothingOptions,
  smooth,
  type TrainingCapability,
} from '../../src/index.js';
import { runAdapterConformance } from '../../src/testing/index.js';
import { softmaxRegression, uniforms } from './helpers.js';

const tinySchema = z.object({ weights: z.array(z.number()).length(3) }).strict();

class TinyLinear implements Classifier, Refittable<{ weights: number[] }> {
  static readonly optionsSchema = tinySchema;
  static prepared: unknown[] = [];
  static async prepare(o: z.output<typeof tinySchema>): Promise<{ weights: number[] }> {
    TinyLinear.prepared.push(o);
    return { weights: [...o.weights] };
  }
  readonly inputShape = [3];
  readonly nbClasses = 2;
  readonly training: TrainingCapability;
  constructor(readonly options: { weights: number[] } & SmoothingOptions) {
    const w = options.weights;
    this.training = {
      step: () => 0,
      reset: () => {
        w.fill(0);
      },
    };
  }
  forward(x: Float32Array, batch: number): Float32Array {
    const out = new Float32Array(batch * 2);
    for (let i = 0; i < batch; i++) out[i * 2 + 1] = this.options.weights.reduce((s, w, f) => s + w * x[i * 3 + f]!, 0);
    return out;
  }
  async prepareClone(): Promise<{ weights: number[] }> {
    return { weights: [...this.options.weights] };
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
    expect(() => {
      g.alpha = 0.9;
    }).toThrow(/'alpha' must be in \(0, 0.5\), got 0.9/);
    expect(g.alpha).toBe(0.01);
    const x = new Float32Array([2, 0, 0, 0, 2, 0]);
    const { prediction, radius } = await g.certify(x, { n: 1000 });
    expect(Array.from(prediction)).toEqual([1, 0]);
    expect(radius[0]).toBeGreaterThan(0.5);
    expect(Array.from(await g.predict(x))).toEqual([0, 1, 1, 0]);
    expect((await g.predictLogits(x))[1]).toBeCloseTo(2);
    expect((await g.forward(x, 2))[1]).toBeCloseTo(2);
    expect(g).toBeInstanceOf(TinyLinear);
    expect(capabilitiesOf(g)).toEqual({ gradients: false, training: true, activations: false, save: false, deviceSampling: false, preprocessing: false });
    expect(Object.keys(g)).not.toContain('capabilities');
  });

  it('cloneForRefitting gives a fresh instance of the same class with the same smoothing options and reset weights', async () => {
    class Smoothed extends RandomizedSmoothingMixin(TinyLinear) {}
    const g = new Smoothed({ weights: [1, -1, 0.5], scale: 0.3, seed: 2 });
    const clone = await g.cloneForRefitting();
    expect(clone).toBeInstanceOf(Smoothed);
    expect(clone).not.toBe(g);
    expect(clone.options.weights).toEqual([0, 0, 0]);
    expect(g.options.weights).toEqual([1, -1, 0.5]);
    expect(clone.smoothingOptions).toMatchObject({ scale: 0.3, seed: 2 });
    const composed = await smooth(new TinyLinear({ weights: [1, 2, 3] }), { scale: 0.5 }).cloneForRefitting();
    expect((composed.classifier as TinyLinear).options.weights).toEqual([0, 0, 0]);
    expect(composed.scale).toBe(0.5);
    await expect(smooth(softmaxRegression(8, 3)).cloneForRefitting()).rejects.toThrow(/prepareClone\(\) hook/);
  });
});

describe('createClassifier / createSmoothed (the body of every backend create)', () => {
  class Disposable extends RandomizedSmoothingMixin(TinyLinear) {
    static disposed = 0;
    dispose(): void {
      Disposable.disposed++;
    }
  }
  it('validates each part once, splits base and smoothing options, and disposes the instance when the smoothing options are bad', async () => {
    TinyLinear.prepared = [];
    const g = await createSmoothed(Disposable, { weights: [1, 2, 3], scale: 0.3, seed: 1 }, 'Tiny options');
    expect(TinyLinear.prepared).toEqual([{ weights: [1, 2, 3] }]);
    expect(g).toBeInstanceOf(Disposable);
    expect(g.scale).toBe(0.3);
    await expect(createSmoothed(Disposable, { weights: [1, 2, 3], alpha: 0.9 }, 'Tiny options')).rejects.toThrow(/'alpha' must be in \(0, 0.5\), got 0.9/);
    expect(Disposable.disposed).toBe(1);
    await expect(createSmoothed(Disposable, { weights: [1, 2], scale: 0.3 }, 'Tiny options')).rejects.toThrow(/'weights'/);
    await expect(createSmoothed(Disposable, { weights: [1, 2, 3], sigma: 0.3 }, 'Tiny options')).rejects.toThrow(/unknown option 'sigma'/);
    await expect(createSmoothed(Disposable, 'model.onnx', 'Tiny options')).rejects.toThrow(/'Tiny options' must be an options object/);
    const f = await createClassifier(TinyLinear, { weights: [0, 1, 0] }, 'Tiny options');
    expect(f).toBeInstanceOf(TinyLinear);
    expect(TinyLinear.prepared).toHaveLength(3);
  });

  it('applies backend defaults to the smoothing options, which the user can override', async () => {
    const g = await createSmoothed(Disposable, { weights: [1, 2, 3] }, 'Tiny options', { channelsFirst: false });
    expect(g.smoothing.options.channelsFirst).toBe(false);
    const h = await createSmoothed(Disposable, { weights: [1, 2, 3], channelsFirst: true }, 'Tiny options', { channelsFirst: false });
    expect(h.smoothing.options.channelsFirst).toBe(true);
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
  capabilities: { gradients: true, training: true, activations: false, save: false, deviceSampling: false },
  tolerance: { gradient: 1e-2 },
});
