import { capabilitiesOf, cloneForRefitting, crossEntropyHead } from '@rs/core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnnxClassifier } from '@rs/onnx';
import { GraphBuilder } from '@rs/onnx-graph';
import { describe, expect, it } from 'vitest';
import { WebGpuClassifier, WebGpuRandomizedSmoothing } from '../src/index.js';
import { adapter, relativeError } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rs-webgpu-train-'));

function rand(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

/** A small MLP (8 -> 16 -> 3) and a small CNN (1x6x6 -> Conv 4 -> MaxPool -> Gemm 3), PyTorch layouts. */
function mlp(): Uint8Array {
  const b = new GraphBuilder({ opset: 13 });
  const x = b.input('input', 'float32', ['batch', 8]);
  const h = b.node('Relu', [
    b.node(
      'Gemm',
      [
        x,
        b.initializer(
          'fc1.weight',
          rand(128, 1).map((v) => v * 0.35),
          [16, 8],
        ),
        b.initializer(
          'fc1.bias',
          rand(16, 2).map((v) => v * 0.1),
          [16],
        ),
      ],
      { transB: 1 },
    ),
  ]);
  b.output(
    b.node(
      'Gemm',
      [
        h,
        b.initializer(
          'fc2.weight',
          rand(48, 3).map((v) => v * 0.25),
          [3, 16],
        ),
        b.initializer('fc2.bias', new Float32Array(3), [3]),
      ],
      { transB: 1 },
      { name: 'logits' },
    ),
    'float32',
  );
  return b.toBytes();
}
function cnn(): Uint8Array {
  const b = new GraphBuilder({ opset: 13 });
  const x = b.input('input', 'float32', ['batch', 1, 6, 6]);
  const c = b.node('Relu', [
    b.node(
      'Conv',
      [
        x,
        b.initializer(
          'conv.weight',
          rand(36, 4).map((v) => v * 0.3),
          [4, 1, 3, 3],
        ),
        b.initializer(
          'conv.bias',
          rand(4, 5).map((v) => v * 0.1),
          [4],
        ),
      ],
      { pads: [1, 1, 1, 1] },
    ),
  ]);
  const p = b.node('Flatten', [b.node('MaxPool', [c], { kernel_shape: [2, 2], strides: [2, 2] })], { axis: 1 });
  b.output(
    b.node(
      'Gemm',
      [
        p,
        b.initializer(
          'fc.weight',
          rand(108, 6).map((v) => v * 0.2),
          [3, 36],
        ),
        b.initializer('fc.bias', new Float32Array(3), [3]),
      ],
      { transB: 1 },
    ),
    'float32',
  );
  return b.toBytes();
}

/** Three Gaussian blobs in `dim` dimensions (class k centred at +-1 on a few coordinates). */
function blobs(count: number, dim: number, seed: number): { x: Float32Array; y: Int32Array } {
  const noise = rand(count * dim, seed);
  const x = new Float32Array(count * dim);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const k = i % 3;
    y[i] = k;
    for (let d = 0; d < dim; d++) x[i * dim + d] = 0.35 * noise[i * dim + d]! + (d % 3 === k ? 1 : -0.2);
  }
  return { x, y };
}

describe.skipIf(!adapter.available)(`training on the device${adapter.available ? '' : ` (skipped: ${adapter.reason})`}`, () => {
  it('one SGD and one Adam step give the weights @rs/onnx (ONNX Runtime + host optimizers) gives', async () => {
    for (const [name, bytes, dim] of [
      ['MLP', mlp(), 8],
      ['CNN', cnn(), 36],
    ] as const) {
      const { x, y } = blobs(12, dim, 7);
      const gpu = await WebGpuClassifier.create({ model: bytes });
      const onnx = await OnnxClassifier.create({ model: bytes, intraOpNumThreads: 1 });
      expect(capabilitiesOf(gpu).training).toBe(true);
      for (const hyper of [
        { optimizer: 'sgd', learningRate: 0.1 },
        { optimizer: 'adam', learningRate: 0.01 },
        { optimizer: 'adam', learningRate: 0.01 },
      ] as const) {
        const head = crossEntropyHead(y, 3);
        const lg = await gpu.training!.step(x.slice(), 12, head, hyper);
        const lo = await onnx.training!.step(x.slice(), 12, head, hyper);
        expect(Math.abs(lg - lo)).toBeLessThan(1e-5 * Math.max(1, lo));
      }
      const err = relativeError(await gpu.forward(x.slice(), 12), await onnx.forward(x.slice(), 12));
      console.log(`${name}: logits after SGD + 2 Adam steps, WebGPU vs ONNX Runtime: ${err.toExponential(2)} relative`);
      expect(err).toBeLessThan(1e-4);
      await Promise.all([gpu.dispose(), onnx.dispose()]);
    }
  });

  it('fit on synthetic data lowers the loss and raises certified accuracy; save writes the trained .onnx', async () => {
    const bytes = cnn();
    const train = blobs(300, 36, 11);
    const test = blobs(30, 36, 12);
    const rs = await WebGpuRandomizedSmoothing.create({ model: bytes, scale: 0.25, sampleSize: 32, alpha: 0.001, seed: 5 });
    await rs.training!.reset();
    const certifiedAccuracy = async () => {
      const { prediction, radius } = await rs.certify(test.x, { n: 200, batchSize: 200 });
      return prediction.reduce((s, p, i) => s + (p === test.y[i] && radius[i]! >= 0.25 ? 1 : 0), 0) / 30;
    };
    const before = await certifiedAccuracy();
    const t0 = performance.now();
    const { epochLosses } = await rs.fit(train.x, train.y, { nbEpochs: 4, batchSize: 30, optimizer: 'adam', learningRate: 0.01 });
    const seconds = (performance.now() - t0) / 1000;
    const after = await certifiedAccuracy();
    console.log(
      `fit (CNN, 300 samples x 4 epochs, Adam) in ${seconds.toFixed(1)} s: epoch losses ${Array.from(epochLosses, (l) => l.toFixed(3)).join(', ')}; certified accuracy at r = 0.25: ${before} -> ${after}`,
    );
    expect(epochLosses.at(-1)!).toBeLessThan(epochLosses[0]! * 0.7);
    expect(after).toBeGreaterThan(before);
    expect(after).toBeGreaterThanOrEqual(0.8);
    const trained = await rs.predictLogits(test.x);
    const path = join(dir, 'trained.onnx');
    await rs.save!(path);
    const reloaded = await OnnxClassifier.create({ model: path });
    const again = await reloaded.forward(test.x.slice(), 30);
    const err = relativeError(again, trained);
    console.log(`saved model on ONNX Runtime vs the trained WebGPU logits: ${err.toExponential(2)} relative`);
    expect(err).toBeLessThan(1e-5);
    await Promise.all([reloaded.dispose(), rs.dispose()]);
  });

  it('reset gives @rs/onnx reset weights; cloneForRefitting gives a fresh untrained copy', async () => {
    const bytes = mlp();
    const { x } = blobs(6, 8, 3);
    const gpu = await WebGpuClassifier.create({ model: bytes });
    const onnx = await OnnxClassifier.create({ model: bytes });
    const original = await gpu.forward(x.slice(), 6);
    await gpu.training!.reset();
    await onnx.training!.reset();
    const lg = await gpu.forward(x.slice(), 6);
    expect(relativeError(lg, await onnx.forward(x.slice(), 6))).toBeLessThan(1e-5);
    expect(relativeError(lg, original)).toBeGreaterThan(0.05);
    const clone = await cloneForRefitting(gpu);
    expect(clone).toBeInstanceOf(WebGpuClassifier);
    expect(Array.from(await clone.forward(x.slice(), 6))).toEqual(Array.from(lg));
    const rs = await WebGpuRandomizedSmoothing.create({ model: bytes, scale: 0.3, sampleSize: 17, seed: 4 });
    const fresh = await rs.cloneForRefitting();
    expect(fresh).toBeInstanceOf(WebGpuRandomizedSmoothing);
    expect([fresh.scale, fresh.sampleSize]).toEqual([0.3, 17]);
    expect(Array.from(await fresh.predictLogits(x))).toEqual(Array.from(lg));
    await Promise.all([gpu.dispose(), onnx.dispose(), clone.dispose(), rs.dispose(), fresh.dispose()]);
  });
});
