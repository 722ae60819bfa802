import * as tf from '@tensorflow/tfjs';
import { hasFashionMnist, loadFashionMnist } from '@rs/datasets';
import { describe, expect, it } from 'vitest';
import { selectBackend, TfjsRandomizedSmoothing, type TfjsTrainStep } from '../src/index.js';
import { fixture } from './helpers.js';

const f = fixture();

/** A small MLP: dense layers train on every backend (wasm has no conv filter gradient). */
function mlp(): tf.LayersModel {
  return tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 64, activation: 'relu' }), tf.layers.dense({ units: 10 })],
  });
}

function* inOrder(x: Float32Array, y: Int32Array, size: number) {
  for (let i = 0; i < y.length; i += size) yield { x: x.subarray(i * 784, (i + size) * 784), y: y.subarray(i, i + size) };
}

describe('fitGenerator, lossObject, optimizer and trainStep (wasm backend)', () => {
  it('fitGenerator over the data in order draws the noise of fit(shuffle: false): identical losses and weights', async () => {
    await selectBackend({ backend: 'wasm' });
    const opts = { backend: 'wasm', scale: 0.25, seed: 21, clipValues: [0, 1] as [number, number], clipNoisy: true } as const;
    const a = await TfjsRandomizedSmoothing.create({ model: mlp(), ...opts });
    const b = await TfjsRandomizedSmoothing.create({ model: mlp(), ...opts });
    await a.reset();
    await b.reset();
    const fa = await a.fit(f.x, f.y, { nbEpochs: 2, batchSize: 5, shuffle: false, optimizer: 'sgd', learningRate: 0.05 });
    const fb = await b.fitGenerator((_epoch) => inOrder(f.x, f.y, 5), { nbEpochs: 2, optimizer: 'sgd', learningRate: 0.05 });
    expect(Array.from(fb.epochLosses)).toEqual(Array.from(fa.epochLosses));
    expect(fb.seed).toBe(fa.seed);
    expect(Array.from(await b.predictLogits(f.x))).toEqual(Array.from(await a.predictLogits(f.x)));
    // A one-shot generator cannot run a second epoch: a clear error rather than a silent no-op.
    await expect(b.fitGenerator(inOrder(f.x, f.y, 5), { nbEpochs: 2 })).rejects.toThrow(/yielded no batches in epoch 1: an iterator cannot be restarted/);
    await expect(b.fitGenerator(42 as never)).rejects.toThrow(/'batches' must be an iterable/);
    // Async iterables and tf.Tensor batches work too.
    async function* tensors() {
      const x = tf.tensor(f.x, [20, 28, 28, 1]);
      const y = tf.tensor1d(f.y, 'int32');
      yield { x, y };
      x.dispose();
      y.dispose();
    }
    const before = tf.memory().numTensors;
    const fc = await b.fitGenerator(tensors(), { nbEpochs: 1 });
    expect(Number.isFinite(fc.epochLosses[0]!)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    await Promise.all([a.dispose(), b.dispose()]);
  });

  it('lossObject, a user optimizer and a custom trainStep (ART names) are used', async () => {
    await selectBackend({ backend: 'wasm' });
    let lossCalls = 0;
    const lossObject = (labels: tf.Tensor, logits: tf.Tensor) => {
      lossCalls++;
      return tf.losses.softmaxCrossEntropy(labels, logits, undefined, 0.1) as tf.Scalar;
    };
    const optimizer = tf.train.sgd(0.05);
    const a = await TfjsRandomizedSmoothing.create({ model: mlp(), backend: 'wasm', scale: 0.1, seed: 3, lossObject, optimizer });
    const r = await a.fit(f.x, f.y, { nbEpochs: 2, batchSize: 10, optimizer: 'adam' });
    expect(lossCalls).toBe(4);
    expect(r.epochLosses[1]!).toBeLessThan(r.epochLosses[0]!);
    let steps = 0;
    const trainStep: TfjsTrainStep = async (model, images, labels, { optimizer: opt, lossObject: lo, nbClasses, variables }) => {
      steps++;
      expect(images.shape).toEqual([10, 28, 28, 1]);
      expect(labels.dtype).toBe('int32');
      return opt.minimize(() => lo(tf.oneHot(labels, nbClasses).toFloat(), model.apply(images, { training: true }) as tf.Tensor), true, variables)!;
    };
    const b = await TfjsRandomizedSmoothing.create({ model: mlp(), backend: 'wasm', scale: 0.1, seed: 3, trainStep });
    const before = tf.memory().numTensors;
    await b.fit(f.x, f.y, { nbEpochs: 1, batchSize: 10 });
    expect(steps).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
    // SmoothAdv's loss is cross-entropy too (on the adversarial rows): the user's trainStep runs it.
    await b.fit(f.x, f.y, { method: 'smoothAdv', numSteps: 1, nbEpochs: 1, batchSize: 10 });
    expect(steps).toBe(4);
    // The other methods' losses are core's: a custom loss cannot stand in for them.
    await expect(a.fit(f.x, f.y, { method: 'macer', nbEpochs: 1 })).rejects.toThrow(
      /a custom lossObject replaces mean cross-entropy only .* the 'macer' loss is core's/,
    );
    await expect(b.fit(f.x, f.y, { method: 'consistency', nbEpochs: 1 })).rejects.toThrow(/a custom trainStep replaces mean cross-entropy only/);
    expect(tf.memory().numTensors).toBe(before);
    await Promise.all([a.dispose(), b.dispose()]);
    optimizer.dispose();
  });

  it('core’s loss heads train on tfjs with a learning-rate schedule, without leaking tensors', async () => {
    await selectBackend({ backend: 'wasm' });
    const a = await TfjsRandomizedSmoothing.create({ model: mlp(), backend: 'wasm', scale: 0.25, seed: 2, clipValues: [0, 1] });
    await a.reset();
    const before = tf.memory().numTensors;
    const r = await a.fit(f.x, f.y, {
      method: 'consistency',
      nbEpochs: 3,
      batchSize: 10,
      learningRate: 1e-2,
      learningRateSchedule: { type: 'step', stepSize: 1, gamma: 0.5 },
    });
    expect(r.epochLosses[2]!).toBeLessThan(r.epochLosses[0]!);
    expect(Object.keys(r.epochTerms)).toEqual(['classification', 'consistency', 'entropy']);
    expect(tf.memory().numTensors).toBe(before);
    await a.dispose();
  });
});

describe.skipIf(!hasFashionMnist())('fit on Fashion-MNIST (needs Debian package dataset-fashion-mnist; skipped when absent)', () => {
  it('Gaussian augmentation training lowers the loss and raises certified accuracy (MLP, wasm backend)', async () => {
    await selectBackend({ backend: 'wasm' });
    const train = loadFashionMnist({ split: 'train', limit: 6000 });
    const test = loadFashionMnist({ split: 'test', limit: 100 });
    const rs = await TfjsRandomizedSmoothing.create({ model: mlp(), backend: 'wasm', scale: 0.25, sampleSize: 50, alpha: 0.001, seed: 11, clipValues: [0, 1] });
    await rs.reset();
    const certifiedAccuracy = async (radius: number) => {
      const { prediction, radius: r } = await rs.certify(test.x, { n: 500, batchSize: 1000 });
      return prediction.reduce((s, p, i) => s + (p === test.y[i] && r[i]! >= radius ? 1 : 0), 0) / test.count;
    };
    const before = await certifiedAccuracy(0.25);
    const { epochLosses } = await rs.fit(train.x, train.y, { nbEpochs: 2, batchSize: 64, optimizer: 'adam', learningRate: 2e-3 });
    const after = await certifiedAccuracy(0.25);
    console.log(
      `Fashion-MNIST fit (6000 images, 2 epochs, sigma 0.25, wasm): epoch losses ${Array.from(epochLosses, (l) => l.toFixed(3)).join(', ')}; certified accuracy at r = 0.25 on 100 test images: ${before} -> ${after}`,
    );
    expect(epochLosses[1]!).toBeLessThan(epochLosses[0]!);
    expect(epochLosses[1]!).toBeLessThan(1.2);
    expect(after).toBeGreaterThan(before + 0.3);
    await rs.dispose();
  });

  it('fitGenerator over shuffled batches trains as well', async () => {
    await selectBackend({ backend: 'wasm' });
    const train = loadFashionMnist({ split: 'train', limit: 6000 });
    const test = loadFashionMnist({ split: 'test', limit: 100 });
    const rs = await TfjsRandomizedSmoothing.create({ model: mlp(), backend: 'wasm', scale: 0.25, sampleSize: 50, seed: 12, clipValues: [0, 1] });
    await rs.reset();
    const source = (epoch: number) =>
      (async function* () {
        for (let s = 0; s < 6000; s += 64) {
          const idx = Array.from({ length: Math.min(64, 6000 - s) }, (_, k) => ((s + k) * (epoch + 7)) % 6000);
          const x = new Float32Array(idx.length * 784);
          idx.forEach((j, r) => {
            x.set(train.x.subarray(j * 784, (j + 1) * 784), r * 784);
          });
          yield { x, y: Int32Array.from(idx, (j) => train.y[j]!) };
        }
      })();
    const { epochLosses } = await rs.fitGenerator(source, { nbEpochs: 2, optimizer: 'adam', learningRate: 2e-3 });
    const { prediction, radius } = await rs.certify(test.x, { n: 500, batchSize: 1000 });
    const acc = prediction.reduce((s, p, i) => s + (p === test.y[i] && radius[i]! >= 0.25 ? 1 : 0), 0) / test.count;
    console.log(`Fashion-MNIST fitGenerator: epoch losses ${Array.from(epochLosses, (l) => l.toFixed(3)).join(', ')}; certified accuracy at r = 0.25: ${acc}`);
    expect(epochLosses[1]!).toBeLessThan(epochLosses[0]!);
    expect(acc).toBeGreaterThan(0.4);
    await rs.dispose();
  });
});
