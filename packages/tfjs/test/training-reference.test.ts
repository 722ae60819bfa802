import type { FitOptions } from '@rs/core';
import { loadTrainingReference, worstTensorError } from '@rs/fixtures';
import { getInitializers } from '@rs/onnx-graph';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend, TfjsRandomizedSmoothing } from '../src/index.js';

// PyTorch (float64, the authors' code) on core's noise: tools/fixtures/training-reference/README.md.
const ref = loadTrainingReference();
const s = ref.settings;
const w = getInitializers(ref.model);
const get = (k: string) => w.get(k)!.data as Float32Array;

/** The reference CNN (Conv 4 3x3 - Relu - MaxPool 2 - Dense 10) as an NHWC tf.LayersModel (one channel: the same flat input layout). */
function referenceCnn(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10 }),
    ],
  });
  const kernel = tf.tidy(() => tf.transpose(tf.tensor4d(get('0.weight'), [4, 1, 3, 3]), [2, 3, 1, 0]));
  // ONNX fc [10, 784] over c*196 + p; TF kernel [784, 10] over p*4 + c.
  const fc = new Float32Array(784 * 10);
  for (let c = 0; c < 4; c++) for (let p = 0; p < 196; p++) for (let o = 0; o < 10; o++) fc[(p * 4 + c) * 10 + o] = get('4.weight')[o * 784 + c * 196 + p]!;
  const weights = [kernel, tf.tensor1d(get('0.bias')), tf.tensor2d(fc, [784, 10]), tf.tensor1d(get('4.bias'))];
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

/** The layers model's weights in the ONNX parameter order and layouts, flattened. */
function onnxOrder(model: tf.LayersModel): Float64Array {
  const [k, b, d, db] = model.getWeights().map((t) => t.dataSync() as Float32Array);
  const conv = new Float64Array(36);
  for (let o = 0; o < 4; o++) for (let i = 0; i < 9; i++) conv[o * 9 + i] = k![i * 4 + o]!;
  const fc = new Float64Array(7840);
  for (let c = 0; c < 4; c++) for (let p = 0; p < 196; p++) for (let o = 0; o < 10; o++) fc[o * 784 + c * 196 + p] = d![(p * 4 + c) * 10 + o]!;
  return Float64Array.from([...conv, ...b!, ...fc, ...db!]);
}

describe('one step of every training method on tfjs (cpu backend) agrees with PyTorch', () => {
  for (const [key, method] of Object.entries(s.methods)) {
    it(`${key}: the loss and the weight gradient (tf.variableGrads) within 1e-4`, async () => {
      await selectBackend({ backend: 'cpu' });
      const model = referenceCnn();
      const before = onnxOrder(model);
      const rs = await TfjsRandomizedSmoothing.create({ model, backend: 'cpu', scale: s.sigma, seed: s.seed, clipValues: [0, 1] });
      const options = { ...method, nbEpochs: 1, initialEpoch: s.epoch, batchSize: s.count, shuffle: false, optimizer: 'sgd', learningRate: s.learningRate };
      const { epochLosses } = await rs.fit(ref.x, ref.y, options as FitOptions);
      const want = ref.expected.methods[key]!;
      const after = onnxOrder(model);
      const gradErr = worstTensorError(
        ref.expected,
        before.map((v, i) => (v - after[i]!) / s.learningRate),
        ref.gradient(key),
      );
      const lossErr = Math.abs(epochLosses[0]! - want.loss) / Math.abs(want.loss);
      console.log(`[tfjs cpu] ${key}: loss relative error ${lossErr.toExponential(1)}; weight gradient ${gradErr.toExponential(1)} of each tensor's largest`);
      expect(lossErr).toBeLessThan(1e-4);
      expect(gradErr).toBeLessThan(1e-4);
      await rs.dispose();
      model.dispose();
    });
  }
});
