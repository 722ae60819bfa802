import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend, TfjsRandomizedSmoothing } from '../src/index.js';
import { buildFixtureCnn, fixture } from './helpers.js';

const f = fixture();
const x = f.x.subarray(0, 4 * 784);
const y = f.y.subarray(0, 4);
const dir = mkdtempSync(join(tmpdir(), 'rs-tfjs-mem-'));

describe.each(['cpu', 'wasm'] as const)('no tensor outlives a call (%s backend): tf.memory().numTensors is unchanged', (backend) => {
  it('certify, predict, predictLogits, gradients, losses, activations, fit, fitGenerator, save, tf.Tensor inputs', async () => {
    await selectBackend({ backend });
    const rs = await TfjsRandomizedSmoothing.create({ model: buildFixtureCnn(), backend, scale: 0.25, sampleSize: 8, seed: 5 });
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['certify', () => rs.certify(x, { n: 40, batchSize: 16 })],
      ['predict', () => rs.predict(x, { n: 20, batchSize: 16 })],
      ['predictLogits', () => rs.predictLogits(x)],
      ['lossGradient', () => rs.lossGradient(x, y)],
      ['lossGradient (sampling)', () => rs.lossGradient(x, y, { sampling: true, batchSize: 16 })],
      ['classGradient', () => rs.classGradient(x)],
      ['classGradient (sampling)', () => rs.classGradient(x, y, { sampling: true })],
      ['computeLoss', () => rs.computeLoss(x, y)],
      ['getActivations', () => rs.getActivations(x, 'conv2')],
      ['save', () => rs.save(join(dir, `${backend}.json`))],
      [
        'tf.Tensor input',
        async () => {
          const t = tf.tensor(x, [4, 28, 28, 1]);
          await rs.predictLogits(t);
          t.dispose();
        },
      ],
    ];
    if (rs.training) {
      calls.push(['fit (adam)', () => rs.fit(x, y, { nbEpochs: 2, batchSize: 2, optimizer: 'adam' })]);
      calls.push(['fit (sgd)', () => rs.fit(x, y, { nbEpochs: 1, batchSize: 2, optimizer: 'sgd', learningRate: 0.01 })]);
      calls.push(['fitGenerator', () => rs.fitGenerator([{ x, y }], { nbEpochs: 1 })]);
      calls.push(['reset', () => rs.reset()]);
    }
    for (const [name, call] of calls) {
      const before = tf.memory().numTensors;
      await call();
      expect(tf.memory().numTensors, name).toBe(before);
    }
    console.log(`[${backend}] ${calls.length} methods checked: numTensors unchanged by each (${tf.memory().numTensors} held in all)`);
    const weights = (rs.model as tf.LayersModel).weights.length;
    const held = tf.memory().numTensors;
    await rs.dispose();
    rs.model.dispose();
    expect(tf.memory().numTensors).toBe(held - weights);
  });
});
