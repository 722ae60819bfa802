import { describe, expect, it } from 'vitest';
import { type Classifier, createNoiseGenerator, type DeviceSamplingRequest } from '../../src/index.js';
import { type AdapterConformanceOptions, conformanceChecks, conformanceContext } from '../../src/testing/index.js';
import { softmaxRegression, uniforms } from '../smoothing/helpers.js';

const dim = 6;
const nbClasses = 3;
const inputs = Float32Array.from(uniforms(4 * dim, 3), (u) => u - 0.5);
const labels = Int32Array.of(0, 1, 2, 0);
const options = (create: () => Classifier): AdapterConformanceOptions => ({
  name: 'broken',
  create,
  inputs,
  labels,
  training: { optimizer: 'sgd', learningRate: 0.5 },
});

/** A correct device sampler over `base` (core's noise, `base.forward`, argmax, counts). */
function deviceSampler(base: Classifier, tamper: (counts: Int32Array) => void = () => {}): Classifier['deviceSampling'] {
  const noise = createNoiseGenerator();
  return {
    async countPredictions(req: DeviceSamplingRequest) {
      const counts = new Int32Array(req.jobs.length * nbClasses);
      for (const [i, job] of req.jobs.entries()) {
        const buf = new Float32Array(job.count * req.dim);
        const request = { seed: req.seed, stream: req.stream, inputIndex: job.id, sampleStart: job.sampleStart, sampleCount: job.count, dim: req.dim };
        noise.fillNoisy(buf, 0, request, req.data, job.row * req.dim, req.scale);
        const logits = await base.forward(buf, job.count);
        for (let r = 0; r < job.count; r++) {
          let best = 0;
          for (let k = 1; k < nbClasses; k++) if (logits[r * nbClasses + k]! > logits[r * nbClasses + best]!) best = k;
          counts[i * nbClasses + best]!++;
        }
      }
      tamper(counts);
      return counts;
    },
  };
}

/** Each broken adapter and the check that must catch it. */
const broken: ReadonlyArray<{ flaw: string; check: RegExp; message: RegExp; make: () => Classifier }> = [
  {
    flaw: 'wrong-sign VJP',
    check: /vjp agrees with finite differences/,
    message: /vjp directional derivative vs central finite difference \(wrong sign or scale\?\)/,
    make: () => {
      const c = softmaxRegression(dim, nbClasses, 1);
      const vjp = c.gradients!.vjp;
      return { ...c, gradients: { vjp: async (x, b, u) => (await vjp(x, b, u)).map((v) => -v) } };
    },
  },
  {
    flaw: 'batch-dependent logits',
    check: /same logits whatever the batch composition/,
    message: /batch-dependent logits/,
    make: () => {
      const c = softmaxRegression(dim, nbClasses, 1);
      return { ...c, forward: async (x, b) => (await c.forward(x, b)).map((v) => v + 0.1 * b) };
    },
  },
  {
    flaw: 'mutating the input',
    check: /without touching the input/,
    message: /forward must not modify its input/,
    make: () => {
      const c = softmaxRegression(dim, nbClasses, 1);
      return {
        ...c,
        forward: (x, b) => {
          const out = c.forward(x, b);
          x[0] = 42;
          return out;
        },
      };
    },
  },
  {
    flaw: 'training going uphill',
    check: /training steps evaluate the loss head on the forward logits and lower/,
    message: /training goes uphill/,
    make: () => {
      const c = softmaxRegression(dim, nbClasses, 1);
      const t = c.training!;
      return { ...c, training: { ...t, step: (x, b, head, h) => t.step(x, b, head, { ...h, learningRate: -h.learningRate }) } };
    },
  },
  {
    flaw: 'device counts that do not add up',
    check: /deviceSampling counts what forward \+ host noise count/,
    message: /counted \d+ samples for job 0, which asked for \d+: refusing counts that would void the certificate/,
    make: () => {
      const c = softmaxRegression(dim, nbClasses, 1);
      return {
        ...c,
        deviceSampling: deviceSampler(c, (counts) => {
          counts[0]!++;
        }),
      };
    },
  },
  {
    flaw: 'device counts that add up but move samples between classes',
    check: /deviceSampling counts what forward \+ host noise count/,
    message: /samples the device sampler counts in another class/,
    make: () => {
      const c = softmaxRegression(dim, nbClasses, 1);
      return {
        ...c,
        deviceSampling: deviceSampler(c, (counts) => {
          const moved = Math.min(5, counts[0]!);
          counts[0]! -= moved;
          counts[1]! += moved;
        }),
      };
    },
  },
  {
    flaw: 'forward that still answers after dispose',
    check: /forward fails after dispose/,
    message: /forward after dispose must throw or reject/,
    make: () => ({ ...softmaxRegression(dim, nbClasses, 1), dispose: () => {} }),
  },
];

describe('the conformance suite fails on broken adapters', () => {
  it('passes every check on the correct reference adapter (softmax regression with a JS device sampler)', async () => {
    const c = softmaxRegression(dim, nbClasses, 1);
    let disposed = false;
    const good: Classifier = {
      ...c,
      forward: (x, b) => {
        if (disposed) throw new Error('disposed');
        return c.forward(x, b);
      },
      deviceSampling: deviceSampler(c),
      dispose: () => {
        disposed = true;
      },
    };
    const ctx = conformanceContext(
      good,
      options(() => good),
    );
    const skipped: string[] = [];
    for (const check of conformanceChecks()) {
      const reason = await check.run(ctx);
      if (reason) skipped.push(`${check.name}: ${reason}`);
    }
    expect(skipped).toEqual([
      'matches the reference logits: no referenceLogits given',
      "reports layers and their activations: no 'activations' capability",
      "saves the model (and, with a loader, reloads the same logits): no 'save' capability",
    ]);
  });

  for (const { flaw, check, message, make } of broken) {
    it(`catches ${flaw}`, async () => {
      const c = make();
      const target = conformanceChecks().find((k) => check.test(k.name));
      expect(target, `a check matching ${check}`).toBeDefined();
      await expect(
        target!.run(
          conformanceContext(
            c,
            options(() => c),
          ),
        ),
      ).rejects.toThrow(message);
    });
  }
});
