// ONNXRUNTIME_NODE_INSTALL=skip npm install @rs/core @rs/onnx @rs/datasets onnxruntime-node
import { readNpyFile } from '@rs/datasets';
import { OnnxRandomizedSmoothing } from '@rs/onnx';

// A CNN exported from PyTorch (input [batch, 1, 28, 28] in [0, 1], output logits [batch, 10]) and
// Fashion-MNIST test images: rsmooth's bundled default (packages/cli/assets).
const images = readNpyFile('x.npy').data as Float32Array; // [50, 1, 28, 28]
const labels = Int32Array.from(readNpyFile('y.npy').data as BigInt64Array, Number);
const four = images.subarray(0, 4 * 784);

const rs = await OnnxRandomizedSmoothing.create({
  model: 'model.onnx',
  scale: 0.25,
  sampleSize: 100,
  alpha: 0.001,
  clipValues: [0, 1],
  seed: 0,
});
const { prediction, radius } = await rs.certify(four, {
  n: 10_000,
  batchSize: 1000,
  onProgress: (p) => console.log(p.phase, p.inputsDone, '/', p.inputsTotal, Math.round(p.samplesPerSecond), 'samples/s'),
  signal: AbortSignal.timeout(60_000),
});
console.log(
  'labels',
  [...labels.subarray(0, 4)],
  'predictions',
  [...prediction],
  'radii',
  [...radius].map((r) => r.toFixed(3)),
);
const grad = await rs.lossGradient(four, labels.subarray(0, 4), { sampling: true }); // ART's smoothed loss gradient
console.log('loss gradient', grad.length, 'values');
await rs.fit(images, labels, { nbEpochs: 1, batchSize: 25, optimizer: 'adam', learningRate: 1e-3 });
await rs.save('trained.onnx'); // loadable by ONNX Runtime, PyTorch's onnx2torch, ...
await rs.dispose();
