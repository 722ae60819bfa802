import { describe, expect, it } from 'vitest';
import {
  type Classifier,
  createNoiseGenerator,
  type FitOptions,
  learningRateAt,
  type LossHead,
  NOISE_STREAM,
  seedFromNumber,
  smooth,
  TRAINING_METHODS,
  type TrainingHyperParameters,
} from '../../src/index.js';
import { renormRow, roundHalfEven } from '../../src/training/attack-steps.js';
import { softmaxRegression, uniforms } from '../smoothing/helpers.js';

const dim = 6;
const C = 3;
const x = Float32Array.from(uniforms(10 * dim, 21), (u) => u);
const y = Int32Array.from({ length: 10 }, (_, i) => i % C);
const quick: Record<string, Record<string, unknown>> = {
  gaussian: {},
  macer: { gaussianSamples: 3, beta: 4 },
  smoothAdv: { numNoiseVec: 2, numSteps: 2, epsilon: 0.3 },
  smoothMix: { numNoiseVec: 2, numSteps: 2, stepSize: 0.3 },
  consistency: { numNoiseVec: 3 },
};

/** A classifier that records the rows and hyper-parameters of every training step (and trains nothing). */
function recorder(): Classifier & { steps: Array<{ x: Float32Array; rows: number; hyper: TrainingHyperParameters; head: string }> } {
  const base = softmaxRegression(dim, C, 2);
  const steps: Array<{ x: Float32Array; rows: number; hyper: TrainingHyperParameters; head: string }> = [];
  return {
    ...base,
    steps,
    training: {
      step: (rows, n, head, hyper) => {
        steps.push({ x: rows.slice(), rows: n, hyper, head: head.name });
        return head.evaluate(base.forward(rows, n) as Float32Array, n).loss;
      },
      reset: () => undefined,
    },
  };
}

describe('fit with each training method', () => {
  it('is reproducible from the seed and reports the method, its settings and its loss terms', async () => {
    for (const method of TRAINING_METHODS) {
      const run = async () => {
        const g = smooth(softmaxRegression(dim, C, 3), { scale: 0.3, seed: 11, clipValues: [0, 1] });
        return g.fit(x, y, { method, ...quick[method], nbEpochs: 2, batchSize: 4, optimizer: 'sgd', learningRate: 0.01 } as FitOptions);
      };
      const a = await run();
      const b = await run();
      expect(Array.from(a.epochLosses), method).toEqual(Array.from(b.epochLosses));
      expect(a.method).toBe(method);
      expect(a.epochLosses.every(Number.isFinite)).toBe(true);
      expect(Object.keys(a.epochTerms).length, method).toBeGreaterThan(0);
      for (const t of Object.values(a.epochTerms)) expect(t.length).toBe(2);
    }
    const { settings } = await smooth(softmaxRegression(dim, C), { scale: 0.3, seed: 1 }).fit(x, y, { method: 'macer', nbEpochs: 1 });
    expect(settings).toEqual({ gaussianSamples: 16, beta: 16, gamma: 8, lambda: 12, deferEpochs: 0 });
  });

  it('draws each method’s noise in raw input space, before preprocessing, from its own stream, fresh every epoch', async () => {
    const sub = 0.2;
    const div = 0.5;
    const c = recorder();
    const g = smooth(c, { scale: 0.4, seed: 5, preprocessing: [sub, div] });
    const noise = createNoiseGenerator();
    const seed = seedFromNumber(5);
    for (const [method, stream, m] of [
      ['gaussian', NOISE_STREAM.training, 1],
      ['macer', NOISE_STREAM.macer, 3],
      ['consistency', NOISE_STREAM.consistency, 3],
    ] as const) {
      c.steps.length = 0;
      await g.fit(x, y, { method, ...quick[method], nbEpochs: 2, batchSize: 10, shuffle: false, initialEpoch: 4 } as FitOptions);
      expect(c.steps.map((s) => s.rows)).toEqual([10 * m, 10 * m]);
      for (const [e, step] of c.steps.entries()) {
        const epoch = 4 + e;
        for (const i of [0, 7]) {
          const want = new Float32Array(m * dim);
          noise.fillNoisy(want, 0, { seed, stream, inputIndex: i, sampleStart: epoch * m, sampleCount: m, dim }, x, i * dim, 0.4);
          for (let k = 0; k < want.length; k++) expect(step.x[i * m * dim + k], `${method} epoch ${epoch} input ${i}`).toBeCloseTo((want[k]! - sub) / div, 5);
        }
      }
      expect(c.steps[0]!.x.slice(0, dim)).not.toEqual(c.steps[1]!.x.slice(0, dim));
    }
  });

  it('passes the learning rate of each epoch’s schedule, and keeps the optimizer', async () => {
    const c = recorder();
    const g = smooth(c, { scale: 0.1, seed: 1 });
    await g.fit(x, y, { nbEpochs: 4, batchSize: 10, optimizer: 'sgd', learningRate: 0.1, learningRateSchedule: { type: 'step', stepSize: 2, gamma: 0.5 } });
    expect(c.steps.map((s) => s.hyper.learningRate)).toEqual([0.1, 0.1, 0.05, 0.05]);
    c.steps.length = 0;
    await g.fit(x, y, { nbEpochs: 2, initialEpoch: 1, batchSize: 10, learningRate: 1, learningRateSchedule: { type: 'cosine', totalEpochs: 2 } });
    expect(c.steps.map((s) => s.hyper.learningRate)).toEqual([learningRateAt(1, { type: 'cosine', totalEpochs: 2 }, 1), 0]);
    expect(c.steps[0]!.hyper.learningRate).toBeCloseTo(0.5, 12);
    await expect(g.fit(x, y, { nbEpochs: 1, learningRateSchedule: () => Number.NaN })).rejects.toThrow(
      /'learningRateSchedule' gave the learning rate NaN for epoch 0/,
    );
  });

  it('fitGenerator over the data in order draws the noise of fit(shuffle: false) for every method', async () => {
    for (const method of ['macer', 'consistency', 'smoothMix'] as const) {
      const a = smooth(softmaxRegression(dim, C, 4), { scale: 0.3, seed: 8, clipValues: [0, 1] });
      const b = smooth(softmaxRegression(dim, C, 4), { scale: 0.3, seed: 8, clipValues: [0, 1] });
      const opts = { method, ...quick[method], nbEpochs: 2, optimizer: 'sgd', learningRate: 0.02 } as const;
      const fa = await a.fit(x, y, { ...opts, batchSize: 5, shuffle: false } as FitOptions);
      const batches = () => [0, 5].map((s) => ({ x: x.subarray(s * dim, (s + 5) * dim), y: y.subarray(s, s + 5) }));
      const fb = await b.fitGenerator(batches, opts as never);
      expect(Array.from(fb.epochLosses), method).toEqual(Array.from(fa.epochLosses));
    }
  });
});

describe('training options and the training contract', () => {
  const g = () => smooth(softmaxRegression(dim, C), { scale: 0.2, seed: 3 });
  it('names bad options, per method', async () => {
    await expect(g().fit(x, y, { method: 'macr' } as never)).rejects.toThrow(
      /'method' must be one of 'gaussian', 'macer', 'smoothAdv', 'smoothMix', 'consistency'/,
    );
    await expect(g().fit(x, y, { method: 'gaussian', beta: 3 } as never)).rejects.toThrow(
      /unknown option 'beta' for method 'gaussian' \(its own options: none\)/,
    );
    await expect(g().fit(x, y, { method: 'consistency', gaussianSamples: 3 } as never)).rejects.toThrow(
      /unknown option 'gaussianSamples' for method 'consistency' \(its own options: numNoiseVec, lambda, eta\)/,
    );
    await expect(g().fit(x, y, { method: 'macer', beta: -1 })).rejects.toThrow(RangeError);
    await expect(g().fit(x, y, { method: 'smoothAdv', attack: 'fgsm' } as never)).rejects.toThrow(/'attack' must be 'pgd' or 'ddn'/);
    await expect(g().fit(x, y, { method: 'smoothMix', numSteps: 0 })).rejects.toThrow(/'numSteps' must be an integer in \[1, 10000\], got 0/);
    await expect(g().computeLoss(x, y, { method: 'macer', epoch: -1 })).rejects.toThrow(/'epoch' must be an integer >= 0/);
  });

  it('the attacks need the gradients capability, named in the error', async () => {
    const { gradients: _, ...noGradients } = softmaxRegression(dim, C);
    const h = smooth(noGradients, { scale: 0.2, seed: 1 });
    await expect(h.fit(x, y, { method: 'smoothAdv' })).rejects.toThrow(/fit with method 'smoothAdv' needs a classifier with the 'gradients' capability/);
    await expect(h.computeLoss(x, y, { method: 'smoothMix' })).rejects.toThrow(/computeLoss with method 'smoothMix' needs .* 'gradients'/);
    await expect(h.fit(x, y, { method: 'macer', nbEpochs: 1 })).resolves.toBeDefined();
  });

  it('the methods other than Gaussian augmentation need Gaussian noise', async () => {
    const h = smooth(softmaxRegression(dim, C), { scale: 0.2, seed: 1, noise: 'laplace' });
    await expect(h.fit(x, y, { method: 'consistency' })).rejects.toThrow(
      /fit with method 'consistency' needs Gaussian noise; the smoothing option 'noise' is 'laplace'/,
    );
    await expect(h.computeLoss(x, y, { method: 'macer' })).rejects.toThrow(/computeLoss with method 'macer' needs Gaussian noise/);
    await expect(h.fit(x, y, { nbEpochs: 1 })).resolves.toBeDefined();
  });

  it('checks the backend’s side: the head evaluated once, on rows x nbClasses logits', async () => {
    const base = softmaxRegression(dim, C);
    const withStep = (step: (x: Float32Array, rows: number, head: LossHead) => number): Classifier => ({ ...base, training: { step, reset: () => undefined } });
    const train = (c: Classifier) => smooth(c, { scale: 0.2, seed: 1 }).fit(x, y, { method: 'macer', gaussianSamples: 2, nbEpochs: 1, batchSize: 10 });
    await expect(train(withStep(() => 1))).rejects.toThrow(/training.step did not evaluate the 'macer' loss head/);
    await expect(
      train(withStep((_x, rows, head) => head.evaluate(new Float32Array(rows * C), rows).loss + head.evaluate(new Float32Array(rows * C), rows).loss)),
    ).rejects.toThrow(/evaluated the 'macer' loss head twice/);
    await expect(train(withStep((_x, rows, head) => head.evaluate(new Float32Array(rows), rows).loss))).rejects.toThrow(
      /passed 20 logits for 20 rows to the loss head \(expected a Float32Array of 20 x 3\)/,
    );
    await expect(train(withStep((_x, rows, head) => head.evaluate(new Float32Array(rows * C), rows).loss * Number.NaN))).rejects.toThrow(
      /training diverged: loss NaN/,
    );
  });

  it('stops an attack between its steps when the signal aborts', async () => {
    const controller = new AbortController();
    const base = softmaxRegression(dim, C);
    let calls = 0;
    const c: Classifier = {
      ...base,
      forward: (xs, n) => {
        if (++calls === 3) controller.abort();
        return base.forward(xs, n);
      },
    };
    await expect(smooth(c, { scale: 0.2, seed: 1 }).fit(x, y, { method: 'smoothAdv', numSteps: 50, batchSize: 10, signal: controller.signal })).rejects.toThrow(
      /aborted/,
    );
    expect(calls).toBe(3);
  });
});

describe('attack steps follow PyTorch', () => {
  it('round half to even (torch.round), renorm with 1e-7 (torch.renorm)', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 2.5001].map((v) => roundHalfEven(v) + 0)).toEqual([0, 2, 2, 0, -2, 2, 3]);
    const v = Float64Array.of(3, 4, 0.3, 0.4);
    renormRow(v, 0, 2, 1);
    renormRow(v, 1, 2, 1);
    expect(v[0]).toBeCloseTo(3 / (5 + 1e-7), 15);
    expect(Array.from(v.subarray(2))).toEqual([0.3, 0.4]);
  });
});
