import { capabilitiesOf } from '@rs/core';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadTfjsModel, selectBackend, TfjsClassifier, TfjsRandomizedSmoothing } from '../src/index.js';
import { buildFixtureCnn, fixture, relativeError, writeLinearGraphModel } from './helpers.js';

const f = fixture();
const dir = mkdtempSync(join(tmpdir(), 'rs-tfjs-io-'));

describe('model.json on disk without tfjs-node: save, load, train, reset, clone (cpu backend)', () => {
  it('save writes model.json + weights.bin that the loader reads back, also after fit', async () => {
    await selectBackend({ backend: 'cpu' });
    const rs = await TfjsRandomizedSmoothing.create({ model: buildFixtureCnn(), backend: 'cpu', scale: 0.25, seed: 4 });
    const before = await rs.predictLogits(f.x);
    expect(relativeError(before, f.logits)).toBeLessThan(1e-5);
    await rs.save(join(dir, 'cnn'));
    expect(existsSync(join(dir, 'cnn', 'model.json')) && existsSync(join(dir, 'cnn', 'weights.bin'))).toBe(true);
    const { epochLosses } = await rs.fit(f.x, f.y, { nbEpochs: 2, batchSize: 10, optimizer: 'sgd', learningRate: 0.05 });
    expect(epochLosses.every(Number.isFinite)).toBe(true);
    const trained = await rs.predictLogits(f.x);
    expect(relativeError(trained, before)).toBeGreaterThan(1e-3);
    await rs.save(join(dir, 'trained.json'));
    expect(existsSync(join(dir, 'trained.weights.bin'))).toBe(true);

    const original = await TfjsRandomizedSmoothing.create({ model: join(dir, 'cnn'), backend: 'cpu' });
    expect(original.modelKind).toBe('layers');
    expect(original.inputShape).toEqual([28, 28, 1]);
    expect(original.nbClasses).toBe(10);
    expect(relativeError(await original.predictLogits(f.x), f.logits)).toBeLessThan(1e-5);
    const reloaded = await TfjsRandomizedSmoothing.create({ model: join(dir, 'trained.json'), backend: 'cpu' });
    expect(relativeError(await reloaded.predictLogits(f.x), trained)).toBeLessThan(1e-6);
    await Promise.all([rs.dispose(), original.dispose(), reloaded.dispose()]);
    rs.model.dispose();
  });

  it('reset re-initializes reproducibly; cloneForRefitting gives a fresh untrained copy with the same options', async () => {
    await selectBackend({ backend: 'cpu' });
    const a = await TfjsRandomizedSmoothing.create({ model: buildFixtureCnn(), backend: 'cpu', scale: 0.3, sampleSize: 7 });
    const b = await TfjsRandomizedSmoothing.create({ model: buildFixtureCnn(), backend: 'cpu' });
    await a.reset();
    await b.reset();
    const la = await a.predictLogits(f.x.subarray(0, 4 * 784));
    expect(Array.from(await b.predictLogits(f.x.subarray(0, 4 * 784)))).toEqual(Array.from(la));
    expect(relativeError(la, f.logits.subarray(0, 40))).toBeGreaterThan(0.1);
    const clone = await a.cloneForRefitting();
    expect(clone).toBeInstanceOf(TfjsRandomizedSmoothing);
    expect(clone.model).not.toBe(a.model);
    expect([clone.scale, clone.sampleSize]).toEqual([0.3, 7]);
    expect(Array.from(await clone.predictLogits(f.x.subarray(0, 4 * 784)))).toEqual(Array.from(la));
    await Promise.all([a.dispose(), b.dispose(), clone.dispose()]);
  });

  it('layerNames and getActivations', async () => {
    await selectBackend({ backend: 'cpu' });
    const rs = await TfjsRandomizedSmoothing.create({ model: buildFixtureCnn(), backend: 'cpu' });
    expect(rs.layerNames).toEqual(['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'fc1', 'logits']);
    const pool = await rs.getActivations(f.x.subarray(0, 2 * 784), 1);
    expect(pool.shape).toEqual([14, 14, 16]);
    expect(pool.data.length).toBe(2 * 14 * 14 * 16);
    const last = await rs.getActivations(f.x.subarray(0, 2 * 784), 'logits');
    expect(relativeError(last.data, f.logits.subarray(0, 20))).toBeLessThan(1e-5);
    await expect(rs.getActivations(f.x.subarray(0, 784), 'nope')).rejects.toThrow(/'layer' "nope" is not a layer of this model/);
    await rs.dispose();
  });
});

describe('a TF.js graph model (GraphDef JSON) from disk', () => {
  it('loads, gives x W + b, exact gradients W u, saves and reloads; training and activations declared off with the reason', async () => {
    const { path, w, b } = writeLinearGraphModel(join(dir, 'graph'));
    const rs = await TfjsRandomizedSmoothing.create({ model: path, backend: 'cpu', scale: 0.5, seed: 1 });
    expect(rs.modelKind).toBe('graph');
    expect([rs.inputShape, rs.nbClasses]).toEqual([[4], 3]);
    expect(capabilitiesOf(rs)).toEqual({ gradients: true, training: false, activations: false, save: true, deviceSampling: false, preprocessing: false });
    expect(rs.capabilityNotes.training).toMatch(/tf.GraphModel has frozen weights/);
    const x = Float32Array.from([1, 2, 3, 4, -1, 0.5, 0, 2]);
    const expected = new Float32Array(6);
    for (let r = 0; r < 2; r++)
      for (let c = 0; c < 3; c++) {
        let s = b[c]!;
        for (let i = 0; i < 4; i++) s += x[r * 4 + i]! * w[i * 3 + c]!;
        expected[r * 3 + c] = s;
      }
    expect(relativeError(await rs.predictLogits(x), expected)).toBeLessThan(1e-6);
    const g = await rs.classGradient(x, 2);
    expect(relativeError(g.data, [w[2]!, w[5]!, w[8]!, w[11]!, w[2]!, w[5]!, w[8]!, w[11]!])).toBeLessThan(1e-6);
    await expect(rs.fit(x, [0, 1])).rejects.toThrow(
      /fit needs a classifier with the 'training' capability; this one has none \(a tf.GraphModel has frozen weights/,
    );
    const cert = await rs.certify(x, { n: 200, batchSize: 100 });
    expect(cert.prediction.length).toBe(2);
    await rs.save(join(dir, 'graph-copy'));
    const again = await TfjsClassifier.create({ model: join(dir, 'graph-copy'), backend: 'cpu' });
    expect(again.modelKind).toBe('graph');
    expect(relativeError(await again.forward(x, 2), expected)).toBeLessThan(1e-6);
    await Promise.all([rs.dispose(), again.dispose()]);
  });

  it('loadTfjsModel tells the formats apart', async () => {
    const { path } = writeLinearGraphModel(join(dir, 'graph2'));
    const g = await loadTfjsModel(path);
    expect(g.kind).toBe('graph');
    g.model.dispose();
    const l = await loadTfjsModel(join(dir, 'cnn', 'model.json'));
    expect(l.kind).toBe('layers');
    expect(l.model).toBeInstanceOf(tf.LayersModel);
    l.model.dispose();
  });
});
