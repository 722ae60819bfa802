import { join } from 'node:path';
import { runAdapterConformance } from '@rs/core/testing';
import { selectBackend, TfjsClassifier } from '../src/index.js';
import { buildFixtureCnn, fixture } from './helpers.js';

const f = fixture();

runAdapterConformance({
  name: 'tfjs (cpu backend, fixture CNN rebuilt as an NHWC tf.LayersModel)',
  create: async () => {
    await selectBackend({ backend: 'cpu' }); // build the model on the backend it runs on
    return TfjsClassifier.create({ model: buildFixtureCnn(), backend: 'cpu' });
  },
  inputs: f.x.slice(0, 6 * 784),
  labels: f.y.slice(0, 6),
  referenceLogits: f.logits.slice(0, 6 * 10),
  // wasm has no Conv2DBackpropFilter kernel: a conv net cannot train there (declared, with the reason).
  capabilities: { gradients: true, training: true, activations: true, save: true, preprocessing: false, deviceSampling: false },
  savePath: (dir) => join(dir, 'model.json'),
  load: (path) => TfjsClassifier.create({ model: path, backend: 'cpu' }),
  tolerance: { logits: 1e-5, gradient: 2e-2 },
  training: { optimizer: 'sgd', learningRate: 0.01 },
});
