import { join } from 'node:path';
import { runAdapterConformance } from '@rs/core/testing';
import { OnnxClassifier } from '../src/index.js';
import { fixture } from './helpers.js';

const f = fixture();

runAdapterConformance({
  name: 'onnx (cpu provider, fixture CNN)',
  create: () => OnnxClassifier.create({ model: f.model, intraOpNumThreads: 2 }),
  inputs: f.x.slice(0, 6 * 784),
  labels: f.y.slice(0, 6),
  referenceLogits: f.logits.slice(0, 6 * 10),
  capabilities: { gradients: true, training: true, activations: true, save: true, preprocessing: false, deviceSampling: false },
  savePath: (dir) => join(dir, 'model.onnx'),
  load: (path) => OnnxClassifier.create({ model: path, intraOpNumThreads: 2 }),
  tolerance: { logits: 1e-5, gradient: 2e-2 },
  training: { optimizer: 'sgd', learningRate: 0.01 },
});
