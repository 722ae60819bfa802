import { smooth, type Classifier } from '@rs/core';
import { OnnxClassifier } from '@rs/onnx';
import { describe, expect, it } from 'vitest';
import { WebGpuClassifier, WebGpuRandomizedSmoothing } from '../src/index.js';
import { adapter, fixture } from './helpers.js';

const f = fixture();
const images = 6;
const x = f.x.slice(0, images * 784);
const n = 300;

/** The same classifier without device sampling: core draws the noise on the host and calls forward. */
function hostSampled(c: Classifier): Classifier {
  return {
    inputShape: c.inputShape,
    nbClasses: c.nbClasses,
    forward: (xs, b) => c.forward(xs, b),
  };
}

function disagreement(a: Int32Array, b: Int32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i]! - b[i]!);
  return d / 2; // each sample that moves class changes two counts
}

describe.skipIf(!adapter.available)(`on-device Monte Carlo counts vs the host engine${adapter.available ? '' : ` (skipped: ${adapter.reason})`}`, () => {
  it('counts like core + ONNX Runtime for a fixed seed (predict and certify)', async () => {
    const gpu = await WebGpuClassifier.create({ model: f.model });
    const onnx = await OnnxClassifier.create({ model: f.model, intraOpNumThreads: 1 });
    const opts = { scale: 0.5, seed: 2024, sampleSize: 16 };
    const onDevice = await smooth(gpu, opts).predictClasses(x, { n, batchSize: 256 });
    const onHost = await smooth(onnx, opts).predictClasses(x, { n, batchSize: 256 });
    const hostWebGpu = await smooth(hostSampled(gpu), opts).predictClasses(x, { n, batchSize: 256 });
    const dOnnx = disagreement(onDevice.counts, onHost.counts);
    const dSelf = disagreement(onDevice.counts, hostWebGpu.counts);
    console.log(
      `counts, ${images} images x ${n} samples, sigma 0.5: device vs core+ONNX Runtime: ${dOnnx} of ${images * n} samples differ; device vs core noise + WebGPU forward: ${dSelf}`,
    );
    // Same noise bits, same kernels: identical. Against ONNX Runtime only samples whose top two
    // logits are within float rounding (~1e-6 relative) of each other may flip.
    expect(dSelf).toBe(0);
    expect(dOnnx).toBeLessThanOrEqual(Math.ceil(0.002 * images * n));
    const certDevice = await smooth(gpu, { ...opts, sampleSize: 32 }).certify(x.subarray(0, 2 * 784), { n: 200, batchSize: 200 });
    const certHost = await smooth(onnx, { ...opts, sampleSize: 32 }).certify(x.subarray(0, 2 * 784), { n: 200, batchSize: 200 });
    expect(Array.from(certDevice.prediction)).toEqual(Array.from(certHost.prediction));
    expect(disagreement(certDevice.countSelected, certHost.countSelected)).toBeLessThanOrEqual(1);
    await gpu.dispose();
    await onnx.dispose();
  });

  it("draws the uniform and Laplace families on the device with the host engine's counts", async () => {
    const gpu = await WebGpuClassifier.create({ model: f.model });
    for (const noise of ['uniform', 'laplace'] as const) {
      const opts = { scale: 0.5, seed: 77, sampleSize: 16, noise };
      const onDevice = await smooth(gpu, opts).predictClasses(x.subarray(0, 3 * 784), { n: 200, batchSize: 256 });
      const onHost = await smooth(hostSampled(gpu), opts).predictClasses(x.subarray(0, 3 * 784), { n: 200, batchSize: 256 });
      const gaussian = await smooth(gpu, { ...opts, noise: 'gaussian' }).predictClasses(x.subarray(0, 3 * 784), { n: 200, batchSize: 256 });
      console.log(`${noise}: device vs core noise + WebGPU forward: ${disagreement(onDevice.counts, onHost.counts)} of 600 samples differ`);
      expect(disagreement(onDevice.counts, onHost.counts)).toBe(0);
      expect(Array.from(onDevice.counts)).not.toEqual(Array.from(gaussian.counts)); // the family reached the kernel
    }
    await gpu.dispose();
  });

  it('applies clipNoisy and preprocessing on the device as core does on the host', async () => {
    const rs = await WebGpuRandomizedSmoothing.create({ model: f.model, scale: 0.4, seed: 9, clipValues: [0, 1], clipNoisy: true, preprocessing: [0.1, 0.9] });
    const progress: number[] = [];
    const onDevice = await rs.predictClasses(x.subarray(0, 3 * 784), { n: 200, batchSize: 128, onProgress: (p) => progress.push(p.samplesDone) });
    const host = smooth(hostSampled(rs), { scale: 0.4, seed: 9, clipValues: [0, 1], clipNoisy: true, preprocessing: [0.1, 0.9] });
    const onHost = await host.predictClasses(x.subarray(0, 3 * 784), { n: 200, batchSize: 128 });
    const d = disagreement(onDevice.counts, onHost.counts);
    console.log(`clip + preprocessing: device vs host noise (same forward): ${d} of 600 samples differ`);
    expect(d).toBeLessThanOrEqual(1); // (x - sub) / div: f32 on the device, f64-then-f32 on the host
    expect(progress.at(-1)).toBe(600);
    const controller = new AbortController();
    controller.abort();
    await expect(rs.predictClasses(x.subarray(0, 784), { n: 64, signal: controller.signal })).rejects.toThrow(/abort/i);
    await rs.dispose();
  });
});
