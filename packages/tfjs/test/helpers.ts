import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readFmnistCnn } from '@rs/fixtures';
import { getInitializers } from '@rs/onnx-graph';

/** The fixture CNN and PyTorch's reference outputs (shared with the other backends' tests). */
export { loadFmnistCnn as fixture, relativeError } from '@rs/fixtures';

/** [out, in, kh, kw] (PyTorch) -> [kh, kw, in, out] (TF.js). */
function convKernel(w: { dims: number[]; data: Float32Array }): tf.Tensor4D {
  const [o, i, kh, kw] = w.dims as [number, number, number, number];
  return tf.tidy(() => tf.transpose(tf.tensor4d(w.data, [o, i, kh, kw]), [2, 3, 1, 0]));
}

/**
 * The fixture CNN (Conv(1->16)-ReLU-MaxPool, Conv(16->32)-ReLU-MaxPool, Gemm(1568->128)-ReLU-Gemm(128->10))
 * rebuilt as an NHWC tf.LayersModel from the ONNX weights: conv kernels transposed, and the first
 * Dense kernel's rows permuted from PyTorch's (C, H, W) flatten order to TF's (H, W, C).
 */
export function buildFixtureCnn(): tf.LayersModel {
  const w = getInitializers(readFmnistCnn('model.onnx'));
  const get = (k: string) => w.get(k)!;
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
  for (let c = 0; c < 32; c++) for (let p = 0; p < 49; p++) for (let o = 0; o < 128; o++) fc1[(p * 32 + c) * 128 + o] = g7.data[o * 1568 + c * 49 + p]!;
  const g9 = get('9.weight');
  const fc2 = new Float32Array(128 * 10);
  for (let i = 0; i < 128; i++) for (let o = 0; o < 10; o++) fc2[i * 10 + o] = g9.data[o * 128 + i]!;
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
  tf.dispose(weights);
  return model;
}

/**
 * Writes a hand-made TF.js graph model (GraphDef JSON, format 'graph-model'): logits = x W + b with
 * x [batch, 4], W [4, 3], b [3]; returns its model.json path and the weights.
 */
export function writeLinearGraphModel(dir: string): { path: string; w: Float32Array; b: Float32Array } {
  const w = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i + 1));
  const b = Float32Array.from([0.1, -0.2, 0.3]);
  const dim = (n: number) => ({ size: String(n) });
  const json = {
    format: 'graph-model',
    generatedBy: 'hand-written test fixture',
    convertedBy: null,
    modelTopology: {
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [dim(-1), dim(4)] } } } },
        { name: 'w', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [dim(4), dim(3)] } } } } },
        { name: 'b', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [dim(3)] } } } } },
        { name: 'mm', op: 'MatMul', input: ['x', 'w'], attr: { T: { type: 'DT_FLOAT' }, transpose_a: { b: false }, transpose_b: { b: false } } },
        { name: 'logits', op: 'AddV2', input: ['mm', 'b'], attr: { T: { type: 'DT_FLOAT' } } },
      ],
      versions: { producer: 1 },
    },
    weightsManifest: [
      {
        paths: ['linear.weights.bin'],
        weights: [
          { name: 'w', shape: [4, 3], dtype: 'float32' },
          { name: 'b', shape: [3], dtype: 'float32' },
        ],
      },
    ],
  };
  mkdirSync(dir, { recursive: true });
  const bin = new Float32Array(15);
  bin.set(w);
  bin.set(b, 12);
  writeFileSync(join(dir, 'linear.weights.bin'), new Uint8Array(bin.buffer));
  const path = join(dir, 'linear.json');
  writeFileSync(path, JSON.stringify(json));
  return { path, w, b };
}
