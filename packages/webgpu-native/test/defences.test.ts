import { smooth, type Classifier, type Preprocessor } from '@rs/core';
import { featureSqueezing, spatialSmoothing } from '@rs/defences';
import { describe, expect, it } from 'vitest';
import { WebGpuClassifier, WebGpuRandomizedSmoothing } from '../src/index.js';
import { adapter, fixture } from './helpers.js';

const f = fixture();
const x = f.x.slice(0, 2 * 784);

/** The same classifier without device sampling: core draws the noise on the host and calls forward. */
function hostSampled(c: Classifier): Classifier {
  return { inputShape: c.inputShape, nbClasses: c.nbClasses, forward: (xs, b) => c.forward(xs, b) };
}

describe.skipIf(!adapter.available)(`defences with on-device sampling${adapter.available ? '' : ` (skipped: ${adapter.reason})`}`, () => {
  it('FeatureSqueezing runs on the device (a step-table kernel) and counts exactly what the host counts', async () => {
    const gpu = await WebGpuClassifier.create({ model: f.model });
    for (const [bitDepth, clipNoisy, noise] of [
      [3, false, 'gaussian'],
      [5, true, 'gaussian'],
      [4, false, 'laplace'],
    ] as const) {
      const opts = {
        scale: 0.5,
        seed: 31,
        sampleSize: 16,
        noise,
        clipValues: [0, 1] as [number, number],
        clipNoisy,
        preprocessingDefences: [featureSqueezing({ clipValues: [0, 1], bitDepth })],
      };
      const device = smooth(gpu, opts);
      expect(device.capabilities.deviceSampling).toBe(true);
      const onDevice = await device.predictClasses(x, { n: 150, batchSize: 150 });
      const host = smooth(hostSampled(gpu), opts);
      expect(host.capabilities.deviceSampling).toBe(false);
      const onHost = await host.predictClasses(x, { n: 150, batchSize: 150 });
      expect(Array.from(onDevice.counts), `bitDepth ${bitDepth}, ${noise} noise`).toEqual(Array.from(onHost.counts));
      const certDevice = await device.certify(x.subarray(0, 784), { n: 100, batchSize: 150 });
      const certHost = await host.certify(x.subarray(0, 784), { n: 100, batchSize: 150 });
      expect(Array.from(certDevice.estimationCounts)).toEqual(Array.from(certHost.estimationCounts));
    }
    // A table that does not cover the noisy values: an error from the device, never a count.
    const narrow: Preprocessor = {
      name: 'Narrow',
      params: {},
      gradient: 'bpda',
      apply: (d, shape) => ({ data: d.slice(), shape: [...shape] }),
      deviceKernel: { kind: 'step', table: () => ({ kind: 'step', thresholds: Float32Array.of(0.4), values: Float32Array.of(Number.NaN, 0.4) }) },
    };
    await expect(smooth(gpu, { scale: 0.5, seed: 1, preprocessingDefences: [narrow] }).predictClasses(x.subarray(0, 784), { n: 20 })).rejects.toThrow(
      /outside the range of a defence's device table/,
    );
    await gpu.dispose();
  });

  it('a defence without a device kernel falls back to host noise + the device forward, and says so', async () => {
    const rs = await WebGpuRandomizedSmoothing.create({
      model: f.model,
      scale: 0.25,
      seed: 2,
      preprocessingDefences: [spatialSmoothing({ windowSize: 3, channelsFirst: true })],
    });
    expect(rs.smoothing.capabilities.deviceSampling).toBe(false);
    const r = await rs.predictClasses(x.subarray(0, 784), { n: 50, batchSize: 50 });
    expect(r.counts.reduce((a, b) => a + b, 0)).toBe(50);
    await rs.dispose();
  });
});
