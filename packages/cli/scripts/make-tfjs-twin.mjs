// Writes assets/tfjs/model.json + weights.bin: the bundled CNN (assets/model.onnx) as a TF.js
// LayersModel with the same weights, so `rsmooth --backend tfjs` certifies the same model as onnx
// and webgpu. Built as packages/tfjs/test rebuilds the fixture CNN: NHWC input [28, 28, 1] (the
// same flat pixels as [1, 28, 28] with one channel), conv kernels [out, in, kh, kw] -> [kh, kw, in,
// out], the first Dense kernel's rows permuted from PyTorch's (C, H, W) flatten order to (H, W, C).
// Run from the repository root after `npm run build`: node packages/cli/scripts/make-tfjs-twin.mjs
import { readFileSync } from 'node:fs';
import { getInitializers } from '@rs/onnx-graph';
import { fileSystemIOHandler } from '@rs/tfjs';
import * as tf from '@tensorflow/tfjs';

const assets = new URL('../assets/', import.meta.url);
const w = getInitializers(readFileSync(new URL('model.onnx', assets)));
const get = (name) => {
  const t = w.get(name);
  if (!t) throw new Error(`assets/model.onnx has no initializer ${name}: not the architecture this script converts`);
  return t;
};
const convKernel = (t) => tf.tidy(() => tf.transpose(tf.tensor4d(t.data, t.dims), [2, 3, 1, 0]));

const model = tf.sequential({
  layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1' }),
    tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool1' }),
    tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv2' }),
    tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool2' }),
    tf.layers.flatten({ name: 'flatten' }),
    tf.layers.dense({ units: 128, activation: 'relu', name: 'fc1' }),
    tf.layers.dense({ units: 10, name: 'logits' }),
  ],
});
// fc1: ONNX [128, 1568] over index c*49 + h*7 + w; TF kernel [1568, 128] over index (h*7 + w)*32 + c.
const g7 = get('7.weight');
const fc1 = new Float32Array(1568 * 128);
for (let c = 0; c < 32; c++) for (let p = 0; p < 49; p++) for (let o = 0; o < 128; o++) fc1[(p * 32 + c) * 128 + o] = g7.data[o * 1568 + c * 49 + p];
const g9 = get('9.weight');
const fc2 = new Float32Array(128 * 10);
for (let i = 0; i < 128; i++) for (let o = 0; o < 10; o++) fc2[i * 10 + o] = g9.data[o * 128 + i];
const weights = [
  convKernel(get('0.weight')),
  tf.tensor1d(get('0.bias').data),
  convKernel(get('3.weight')),
  tf.tensor1d(get('3.bias').data),
  tf.tensor2d(fc1, [1568, 128]),
  tf.tensor1d(get('7.bias').data),
  tf.tensor2d(fc2, [128, 10]),
  tf.tensor1d(get('9.bias').data),
];
model.setWeights(weights);
await model.save(fileSystemIOHandler(new URL('tfjs/model.json', assets).pathname));
console.log(`wrote ${new URL('tfjs/', assets).pathname}model.json and weights.bin`);
