import { join } from 'node:path';
import { runAdapterConformance } from '@rs/core/testing';
import { WebGpuClassifier } from '../src/index.js';
import { adapter, fixture } from './helpers.js';

const f = fixture();

runAdapterConformance({
  name: 'webgpu (fixture CNN)',
  create: () => WebGpuClassifier.create({ model: f.model }),
  inputs: f.x.slice(0, 6 * 784),
  labels: f.y.slice(0, 6),
  referenceLogits: f.logits.slice(0, 6 * 10),
  capabilities: { gradients: true, training: true, activations: true, save: true, preprocessing: false, deviceSampling: true },
  savePath: (dir) => join(dir, 'model.onnx'),
  load: (path) => WebGpuClassifier.create({ model: path }),
  tolerance: { logits: 1e-4 },
  skip: adapter.available ? false : adapter.reason,
});
