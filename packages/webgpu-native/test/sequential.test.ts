import { smooth, type Classifier } from '@rs/core';
import { describe, expect, it } from 'vitest';
import { WebGpuClassifier } from '../src/index.js';
import { adapter, fixture } from './helpers.js';

const f = fixture();

/** The same classifier without device sampling: core draws the noise on the host and calls forward. */
function hostSampled(c: Classifier): Classifier {
  return {
    inputShape: c.inputShape,
    nbClasses: c.nbClasses,
    forward: (xs, b) => c.forward(xs, b),
  };
}

describe.skipIf(!adapter.available)(`sequential certify through the device sampler${adapter.available ? '' : ` (skipped: ${adapter.reason})`}`, () => {
  it('stops each input at the same checkpoint with the same certificate as the host engine (jobs starting past sample 0)', async () => {
    const gpu = await WebGpuClassifier.create({ model: f.model });
    const opts = { scale: 0.25, seed: 77, sampleSize: 32 };
    const x = f.x.slice(0, 3 * 784);
    for (const sequential of [{ radius: 0.5 }, { radius: 0.25, bound: 'beta-binomial-mixture' as const }]) {
      const onDevice = await smooth(gpu, opts).certify(x, { n: 2000, batchSize: 256, sequential });
      const onHost = await smooth(hostSampled(gpu), opts).certify(x, { n: 2000, batchSize: 256, sequential });
      expect(Array.from(onDevice.sequential!.samplesUsed)).toEqual(Array.from(onHost.sequential!.samplesUsed));
      expect(Array.from(onDevice.estimationCounts)).toEqual(Array.from(onHost.estimationCounts));
      expect(Array.from(onDevice.radius)).toEqual(Array.from(onHost.radius));
      expect(onDevice.sequential!.rounds).toBeGreaterThan(1); // later rounds ask for samples from past 0
    }
    await gpu.dispose();
  });
});
