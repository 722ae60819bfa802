import { cloneForRefitting } from '@rs/core';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasFashionMnist, loadFashionMnist } from '@rs/datasets';
import { describe, expect, it } from 'vitest';
import { OnnxClassifier, OnnxRandomizedSmoothing } from '../src/index.js';
import { fixture, relativeError } from './helpers.js';

const f = fixture();
const dir = mkdtempSync(join(tmpdir(), 'rs-onnx-train-'));

describe('save, reset, cloneForRefitting, activations', () => {
  it('save writes a valid .onnx that ONNX Runtime loads and that gives the trained outputs', async () => {
    const rs = await OnnxRandomizedSmoothing.create({ model: f.model, scale: 0.25, seed: 4 });
    const before = await rs.predictLogits(f.x);
    expect(relativeError(before, f.logits)).toBeLessThan(1e-5);
    await rs.fit(f.x, f.y, { nbEpochs: 2, batchSize: 10, optimizer: 'sgd', learningRate: 0.05 });
    const trained = await rs.predictLogits(f.x);
    expect(relativeError(trained, before)).toBeGreaterThan(1e-3);
    const path = join(dir, 'trained.onnx');
    await rs.save(path);
    const reloaded = await OnnxClassifier.create({ model: path });
    const again = await reloaded.forward(f.x.slice(), 20);
    expect(relativeError(again, trained)).toBeLessThan(1e-6);
    expect(readFileSync(path).length).toBeGreaterThan(100_000);
    await reloaded.dispose();
    await rs.dispose();
  });

  it('reset re-initializes the weights reproducibly; cloneForRefitting gives a fresh untrained copy', async () => {
    const a = await OnnxClassifier.create({ model: f.model });
    const b = await OnnxClassifier.create({ model: f.model });
    await a.training!.reset();
    await b.training!.reset();
    const la = await a.forward(f.x.slice(0, 784 * 4), 4);
    const lb = await b.forward(f.x.slice(0, 784 * 4), 4);
    expect(Array.from(la)).toEqual(Array.from(lb));
    expect(relativeError(la, f.logits.subarray(0, 40))).toBeGreaterThan(0.1);
    const clone = await cloneForRefitting(a);
    expect(clone).toBeInstanceOf(OnnxClassifier);
    const lc = await clone.forward(f.x.slice(0, 784 * 4), 4);
    expect(Array.from(lc)).toEqual(Array.from(la));
    await Promise.all([a.dispose(), b.dispose(), clone.dispose?.()]);
  });

  it('OnnxRandomizedSmoothing.cloneForRefitting keeps the smoothing options and resets the weights', async () => {
    const rs = await OnnxRandomizedSmoothing.create({ model: f.model, scale: 0.3, sampleSize: 17, alpha: 0.01, seed: 9 });
    const fresh = await rs.cloneForRefitting();
    expect([fresh.scale, fresh.sampleSize, fresh.alpha]).toEqual([0.3, 17, 0.01]);
    expect(relativeError(await fresh.predictLogits(f.x), f.logits)).toBeGreaterThan(0.1);
    expect(relativeError(await rs.predictLogits(f.x), f.logits)).toBeLessThan(1e-5);
    await Promise.all([rs.dispose(), fresh.dispose()]);
  });

  it('layerNames and getActivations', async () => {
    const rs = await OnnxRandomizedSmoothing.create({ model: f.model });
    const names = rs.layerNames;
    expect(names.length).toBeGreaterThanOrEqual(7);
    expect(names[names.length - 1]).toBe('logits');
    const first = await rs.getActivations(f.x.subarray(0, 2 * 784), 0);
    expect(first.data.length).toBe(2 * first.shape.reduce((p, d) => p * d, 1));
    expect(first.shape.length).toBeGreaterThan(1);
    const last = await rs.getActivations(f.x.subarray(0, 2 * 784), 'logits');
    expect(relativeError(last.data, f.logits.subarray(0, 20))).toBeLessThan(1e-5);
    await expect(rs.getActivations(f.x.subarray(0, 784), 'nope')).rejects.toThrow(/'layer' "nope" is not a layer of this model/);
    await rs.dispose();
  });
});

describe.skipIf(!hasFashionMnist())('fit on Fashion-MNIST (needs Debian package dataset-fashion-mnist; skipped when absent)', () => {
  it('Gaussian augmentation training lowers the loss and raises certified accuracy', async () => {
    const train = loadFashionMnist({ split: 'train', limit: 6000 });
    const test = loadFashionMnist({ split: 'test', limit: 100 });
    const rs = await OnnxRandomizedSmoothing.create({ model: f.model, scale: 0.25, sampleSize: 50, alpha: 0.001, seed: 11, clipValues: [0, 1] });
    await rs.training!.reset();
    const certifiedAccuracy = async (radius: number) => {
      const { prediction, radius: r } = await rs.certify(test.x, { n: 500, batchSize: 1000 });
      return prediction.reduce((s, p, i) => s + (p === test.y[i] && r[i]! >= radius ? 1 : 0), 0) / test.count;
    };
    const before = await certifiedAccuracy(0.25);
    const { epochLosses } = await rs.fit(train.x, train.y, { nbEpochs: 2, batchSize: 64, optimizer: 'adam', learningRate: 2e-3 });
    const after = await certifiedAccuracy(0.25);
    console.log(
      `Fashion-MNIST fit (6000 images, 2 epochs, sigma 0.25): epoch losses ${Array.from(epochLosses, (l) => l.toFixed(3)).join(', ')}; certified accuracy at r = 0.25 on 100 test images: ${before} -> ${after}`,
    );
    expect(epochLosses[1]!).toBeLessThan(epochLosses[0]!);
    expect(epochLosses[1]!).toBeLessThan(1.2);
    expect(after).toBeGreaterThan(before + 0.3);
    await rs.dispose();
  });
});
