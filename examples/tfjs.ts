// npm install @rs/core @rs/tfjs @tensorflow/tfjs @tensorflow/tfjs-backend-wasm
import { readNpyFile } from '@rs/datasets';
import { TfjsRandomizedSmoothing } from '@rs/tfjs';
import * as tf from '@tensorflow/tfjs';

const images = readNpyFile('x.npy').data as Float32Array; // 50 images; [50, 28, 28, 1] as NHWC (one channel)
const labels = Int32Array.from(readNpyFile('y.npy').data as BigInt64Array, Number);
const two = images.subarray(0, 2 * 784);

// Certify with a trained CNN saved as a TF.js model.json (rsmooth's bundled CNN, packages/cli/assets/tfjs).
const cnn = await TfjsRandomizedSmoothing.create({
  model: 'tfjs/model.json',
  scale: 0.25,
  sampleSize: 100,
  alpha: 0.001,
  clipValues: [0, 1],
  seed: 0,
  backend: 'wasm',
});
const { prediction, radius } = await cnn.certify(two, { n: 10_000, batchSize: 1000 });
console.log(
  cnn.backend.name,
  'predictions',
  [...prediction],
  'radii',
  [...radius].map((r) => r.toFixed(3)),
);
await cnn.dispose();

// Train where it runs: the wasm backend has no Conv2D gradient kernel, so conv nets train on
// @tensorflow/tfjs-node (or the slow cpu backend); a dense model trains on wasm.
const mlp = tf.sequential({
  layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 64, activation: 'relu' }), tf.layers.dense({ units: 10 })],
});
const rs = await TfjsRandomizedSmoothing.create({ model: mlp, scale: 0.25, sampleSize: 100, clipValues: [0, 1], seed: 0, backend: 'wasm' });
const { epochLosses } = await rs.fit(images, labels, { nbEpochs: 3, batchSize: 25, optimizer: 'adam', learningRate: 1e-3 });
console.log(
  'dense model, Gaussian-augmentation training on wasm: epoch losses',
  Array.from(epochLosses, (l) => l.toFixed(3)),
);
await rs.save('mlp'); // mlp/model.json + mlp/weights.bin
await rs.dispose();
