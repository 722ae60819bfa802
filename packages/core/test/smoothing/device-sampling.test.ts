import { describe, expect, it } from 'vitest';
import { ClassifierContractError, createNoiseGenerator, smooth, type Classifier, type DeviceSamplingRequest } from '../../src/index.js';
import { countingClassifier, uniforms } from './helpers.js';

const dim = 6;
const x = Float32Array.from(uniforms(4 * dim, 21), (u) => u - 0.5);

/** A "device" that runs the loop itself, in JS, with core's noise: what a GPU backend does on its device. */
function withDeviceSampler(base: Classifier, tamper?: (counts: Int32Array) => void): Classifier & { requests: DeviceSamplingRequest[] } {
  const noise = createNoiseGenerator();
  const requests: DeviceSamplingRequest[] = [];
  return {
    ...base,
    requests,
    deviceSampling: {
      async countPredictions(req: DeviceSamplingRequest) {
        requests.push(req);
        const c = base.nbClasses;
        const counts = new Int32Array(req.jobs.length * c);
        let done = 0;
        for (const [i, job] of req.jobs.entries()) {
          const buf = new Float32Array(job.count * req.dim);
          noise.fillNoisy(
            buf,
            0,
            { seed: req.seed, stream: req.stream, inputIndex: job.id, sampleStart: job.sampleStart, sampleCount: job.count, dim: req.dim },
            req.data,
            job.row * req.dim,
            req.scale,
            req.clip ?? undefined,
          );
          const logits = (await base.forward(buf, job.count)) as Float32Array;
          for (let r = 0; r < job.count; r++) {
            let best = 0;
            for (let k = 1; k < c; k++) if (logits[r * c + k]! > logits[r * c + best]!) best = k;
            counts[i * c + best]!++;
          }
          done += job.count;
          req.report?.(done, i + 1);
        }
        tamper?.(counts);
        return counts;
      },
    },
  };
}

describe('device sampling capability', () => {
  it('delegates the Monte Carlo loop and gets the same counts as the host engine', async () => {
    const device = withDeviceSampler(countingClassifier(dim));
    const host = await smooth(countingClassifier(dim), { scale: 0.4, seed: 12 }).certify(x, { n: 300 });
    const progress: number[] = [];
    const onDevice = await smooth(device, { scale: 0.4, seed: 12 }).certify(x, { n: 300, onProgress: (p) => progress.push(p.samplesDone) });
    expect(Array.from(onDevice.countSelected)).toEqual(Array.from(host.countSelected));
    expect(Array.from(onDevice.prediction)).toEqual(Array.from(host.prediction));
    expect(device.requests.map((r) => r.stream)).toEqual([0, 1]);
    expect(progress.at(-1)).toBe(4 * 300);
  });

  it('refuses counts that do not add up, instead of certifying from them', async () => {
    const broken = withDeviceSampler(countingClassifier(dim), (counts) => {
      counts[0]! += 1;
    });
    await expect(smooth(broken, { scale: 0.4, seed: 12 }).certify(x, { n: 300 })).rejects.toThrow(ClassifierContractError);
    await expect(smooth(broken, { scale: 0.4, seed: 12 }).predict(x, { n: 300 })).rejects.toThrow(
      /counted 33 samples for job 0, which asked for 32|counted 301 samples for job 0, which asked for 300/,
    );
  });

  it('refuses an incomplete device sampler', () => {
    const c = countingClassifier(dim);
    expect(() => smooth({ ...c, deviceSampling: {} as never })).toThrow(/'classifier.deviceSampling.countPredictions' must be a function/);
  });
});
