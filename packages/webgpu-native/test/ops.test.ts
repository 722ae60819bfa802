import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '@rs/onnx-graph';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeGpu } from '../src/index.js';
import { openGpuDevice, type GpuDevice } from '../src/engine/gpu-device.js';
import { prepareModel } from '../src/engine/prepared-model.js';
import { WebGpuEngine } from '../src/engine/webgpu-engine.js';
import { adapter, relativeError } from './helpers.js';

function rand(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1);
}

type Case = [name: string, inputShape: number[], build: (b: GraphBuilder, x: string) => string, opset?: number];
const w = (b: GraphBuilder, name: string, dims: number[], seed: number) => b.initializer(name, rand(dims.reduce((a, c) => a * c, 1), seed), dims);
const CASES: Case[] = [
  ['Conv strides pads dilations groups bias', [4, 9, 9], (b, x) => b.node('Conv', [x, w(b, 'w', [6, 2, 3, 3], 1), w(b, 'bias', [6], 2)], { strides: [2, 1], pads: [1, 2, 0, 1], dilations: [1, 2], group: 2 })],
  ['Conv auto_pad SAME_UPPER, no bias', [3, 7, 8], (b, x) => b.node('Conv', [x, w(b, 'w', [4, 3, 2, 3], 3)], { auto_pad: 'SAME_UPPER', strides: [2, 2] })],
  ['Conv 1-D', [2, 10], (b, x) => b.node('Conv', [x, w(b, 'w', [3, 2, 3], 4)], { pads: [1, 1] })],
  ['Relu', [3, 5], (b, x) => b.node('Relu', [x])],
  ['LeakyRelu', [3, 5], (b, x) => b.node('LeakyRelu', [x], { alpha: 0.2 })],
  ['Sigmoid', [3, 5], (b, x) => b.node('Sigmoid', [b.node('Mul', [x, b.initializer('k', Float32Array.of(30), [])])])],
  ['Tanh', [3, 5], (b, x) => b.node('Tanh', [b.node('Mul', [x, b.initializer('k', Float32Array.of(8), [])])])],
  ['MaxPool pads strides dilations ceil_mode', [2, 9, 9], (b, x) => b.node('MaxPool', [x], { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 0, 1, 1], dilations: [1, 2], ceil_mode: 1 }, { outputs: 1 }), 13],
  ['AveragePool count_include_pad', [2, 8, 7], (b, x) => b.node('AveragePool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 })],
  ['AveragePool ceil_mode', [2, 8, 7], (b, x) => b.node('AveragePool', [x], { kernel_shape: [2, 3], strides: [2, 2], ceil_mode: 1 })],
  ['GlobalAveragePool', [3, 5, 4], (b, x) => b.node('GlobalAveragePool', [x])],
  ['Gemm transA alpha beta, C broadcast', [6], (b, x) => b.node('Gemm', [b.node('Reshape', [x, b.initializer('s', BigInt64Array.of(6n, -1n), [2])]), w(b, 'B', [6, 5], 5), w(b, 'C', [5], 6)], { transA: 1, alpha: 0.5, beta: 2 })],
  ['Gemm transB (vectorized)', [8], (b, x) => b.node('Gemm', [x, w(b, 'B', [3, 8], 7), w(b, 'C', [3], 8)], { transB: 1 })],
  ['MatMul batched with broadcast', [2, 3, 4], (b, x) => b.node('MatMul', [x, w(b, 'B', [4, 5], 9)])],
  ['Add/Sub/Mul/Div broadcasting', [3, 4], (b, x) => b.node('Div', [b.node('Mul', [b.node('Sub', [b.node('Add', [x, w(b, 'a', [4], 10)]), w(b, 'c', [3, 1], 11)]), x]), b.node('Add', [w(b, 'd', [1, 4], 12), b.initializer('two', Float32Array.of(2), [])])])],
  ['Softmax axis -1', [3, 6], (b, x) => b.node('Softmax', [b.node('Mul', [x, b.initializer('k', Float32Array.of(20), [])])], { axis: -1 })],
  ['LogSoftmax axis 1', [5, 2], (b, x) => b.node('LogSoftmax', [x], { axis: 1 })],
  ['Softmax opset 11 (2-D coercion)', [3, 4], (b, x) => b.node('Softmax', [x], { axis: 1 }), 11],
  ['BatchNormalization (inference)', [3, 4, 4], (b, x) => b.node('BatchNormalization', [x, w(b, 's', [3], 13), w(b, 'bb', [3], 14), w(b, 'm', [3], 15), b.initializer('v', Float32Array.of(0.5, 1.5, 2), [3])], { epsilon: 1e-3 })],
  ['Flatten + Reshape(0, -1)', [2, 3, 4], (b, x) => b.node('Relu', [b.node('Reshape', [b.node('Flatten', [x], { axis: 2 }), b.initializer('s', BigInt64Array.of(0n, -1n, 2n), [3])])])],
  ['Transpose', [2, 3, 4], (b, x) => b.node('Transpose', [x], { perm: [0, 3, 1, 2] })],
  ['Concat', [2, 3], (b, x) => b.node('Concat', [x, b.node('Relu', [x]), b.node('Neg', [x])], { axis: 2 })],
  ['Identity, Dropout, Constant', [5], (b, x) => b.node('Add', [b.node('Dropout', [b.node('Identity', [x])]), b.node('Constant', [], { value: { name: 'c', dtype: 'float32', dims: [5], data: Float32Array.of(1, 2, 3, 4, 5) } })])],
];

describe.skipIf(!adapter.available)(`WGSL ops vs onnxruntime-node${adapter.available ? '' : ` (skipped: ${adapter.reason})`}`, () => {
  let dev: GpuDevice | undefined;
  afterAll(() => dev?.destroy());
  for (const [name, shape, build, opset] of CASES) {
    it(name, async () => {
      dev ??= await openGpuDevice(await nodeGpu());
      const batch = 3;
      const b = new GraphBuilder({ opset: opset ?? 13 });
      const x = b.input('x', 'float32', ['batch', ...shape]);
      b.output(build(b, x), 'float32');
      const bytes = b.toBytes();
      const input = rand(batch * shape.reduce((a, c) => a * c, 1), name.length);
      const session = await ort.InferenceSession.create(bytes);
      const ref = (await session.run({ x: new ort.Tensor('float32', input, [batch, ...shape]) }))[session.outputNames[0]!]!;
      await session.release();
      const engine = await WebGpuEngine.create(dev, prepareModel(bytes), shape);
      const got = await engine.forward(input, batch);
      await engine.destroy();
      expect(got.data.length).toBe(ref.data.length);
      if (ref.dims[0] === batch) expect([batch, ...got.shape]).toEqual(ref.dims.map(Number));
      const err = relativeError(got.data, ref.data as Float32Array);
      expect(err, `max relative error ${err}`).toBeLessThan(2e-6);
    });
  }
});
