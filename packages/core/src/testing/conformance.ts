import { describe, expect, it } from 'vitest';
import { assertClassifier, featureCount } from '../classifier/assert-classifier.js';
import type { Classifier, ClassifierCapabilities, TrainingHyperParameters } from '../classifier/classifier.js';
import { smooth } from '../smoothing/smooth.js';

/** Options of {@link runAdapterConformance}. */
export interface AdapterConformanceOptions {
  /** Shown in the test names. */
  name: string;
  /** Creates a fresh classifier (called once per test group). */
  create: () => Classifier | Promise<Classifier>;
  /** A few valid inputs, back to back (at least 2). */
  inputs: Float32Array;
  /** Labels of `inputs` (used by the training checks). */
  labels?: Int32Array;
  /** The capabilities the adapter must declare (checked exactly where given). */
  capabilities?: Partial<ClassifierCapabilities>;
  /** Expected logits of `inputs` (e.g. PyTorch's), compared with `tolerance.logits`. */
  referenceLogits?: Float32Array;
  tolerance?: {
    /** Max |difference| / max |reference| for logits (default 1e-5). */
    logits?: number;
    /** Relative tolerance of the finite-difference check of `vjp` (default 2e-2). */
    gradient?: number;
  };
  /** Hyper-parameters for the training check (default SGD, learning rate 0.05). */
  training?: TrainingHyperParameters;
  /** A reason to skip the whole suite (e.g. no GPU adapter); the suite then shows as skipped. */
  skip?: string | false;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Deterministic pseudo-random floats in [-1, 1) for directions (xorshift32). */
function directions(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

/**
 * The shared contract every backend adapter must honour, as one vitest suite. An adapter's test file
 * is a single call:
 *
 * @example
 * import { runAdapterConformance } from '@rs/core/testing';
 * runAdapterConformance({
 *   name: 'onnx (cpu)',
 *   create: () => OnnxClassifier.create({ model: 'model.onnx', inputShape: [1, 28, 28], nbClasses: 10 }),
 *   inputs: x, labels: y, referenceLogits: pytorchLogits,
 *   capabilities: { gradients: true, training: true },
 * });
 */
export function runAdapterConformance(options: AdapterConformanceOptions): void {
  const tol = { logits: 1e-5, gradient: 2e-2, ...options.tolerance };
  describe.skipIf(Boolean(options.skip))(`adapter conformance: ${options.name}${options.skip ? ` (skipped: ${options.skip})` : ''}`, () => {
    let classifier: Classifier;
    let dim = 0;
    let count = 0;
    const setup = async (): Promise<Classifier> => {
      if (!classifier) {
        classifier = await options.create();
        dim = featureCount(classifier.inputShape);
        count = options.inputs.length / dim;
      }
      return classifier;
    };

    it('honours the static contract (shape, classes, declared capabilities)', async () => {
      const c = await setup();
      assertClassifier(c);
      expect(Number.isInteger(count) && count >= 2, `inputs must hold at least 2 inputs of ${dim} values`).toBe(true);
      for (const [k, v] of Object.entries(options.capabilities ?? {})) expect(c.capabilities[k as keyof ClassifierCapabilities], `capability ${k}`).toBe(v);
    });

    it('returns batch x nbClasses finite logits, deterministically, without touching the input', async () => {
      const c = await setup();
      const copy = options.inputs.slice();
      const a = await c.forward(copy, count);
      expect(a).toBeInstanceOf(Float32Array);
      expect(a.length).toBe(count * c.nbClasses);
      expect(a.every(Number.isFinite)).toBe(true);
      const aCopy = a.slice();
      expect(copy).toEqual(options.inputs);
      const b = await c.forward(options.inputs.slice(), count);
      expect(Array.from(b)).toEqual(Array.from(aCopy));
    });

    it('gives the same logits whatever the batch composition', async () => {
      const c = await setup();
      const all = (await c.forward(options.inputs.slice(), count)).slice();
      for (let i = 0; i < count; i++) {
        const one = await c.forward(options.inputs.slice(i * dim, (i + 1) * dim), 1);
        const ref = all.subarray(i * c.nbClasses, (i + 1) * c.nbClasses);
        const err = maxAbs(one.map((v, k) => v - ref[k]!));
        expect(err).toBeLessThanOrEqual(tol.logits * Math.max(1, maxAbs(ref)));
      }
    });

    it.runIf(Boolean(options.referenceLogits))('matches the reference logits', async () => {
      const c = await setup();
      const ref = options.referenceLogits!;
      const got = await c.forward(options.inputs.slice(), count);
      const err = maxAbs(got.map((v, k) => v - ref[k]!)) / Math.max(maxAbs(ref), 1e-30);
      console.log(`[${options.name}] logits vs reference: max relative error ${err.toExponential(2)}`);
      expect(err).toBeLessThanOrEqual(tol.logits);
    });

    it('gives reproducible smoothed counts through @rs/core, whatever the batch size', async () => {
      const c = await setup();
      const g = smooth(c, { scale: 0.1, seed: 1234, sampleSize: 16 });
      const a = await g.predictClasses(options.inputs, { n: 64, batchSize: 64 });
      const b = await g.predictClasses(options.inputs, { n: 64, batchSize: 7 });
      expect(Array.from(b.counts)).toEqual(Array.from(a.counts));
      for (let i = 0; i < count; i++) {
        expect(a.counts.subarray(i * c.nbClasses, (i + 1) * c.nbClasses).reduce((s, v) => s + v, 0)).toBe(64);
      }
      const cert = await g.certify(options.inputs, { n: 100, batchSize: 50 });
      expect(cert.prediction.length).toBe(count);
      expect(cert.radius.every((r) => r >= 0 && Number.isFinite(r))).toBe(true);
    });

    it.runIf(options.capabilities?.gradients !== false)('vjp agrees with finite differences of the logits (when gradients are declared)', async () => {
      const c = await setup();
      if (!c.capabilities.gradients) return;
      // Jitter the point: real images have flat regions where max-pool windows tie, and there the
      // logits have no gradient (only one-sided directional derivatives).
      const jitter = directions(2 * dim, 13);
      const x = options.inputs.slice(0, 2 * dim).map((v, i) => v + 0.01 * jitter[i]!);
      const u = directions(2 * c.nbClasses, 7);
      const v = directions(2 * dim, 11);
      const g = await c.gradients!.vjp(x.slice(), 2, u);
      expect(g.length).toBe(2 * dim);
      let analytic = 0;
      for (let i = 0; i < g.length; i++) analytic += g[i]! * v[i]!;
      // Small steps: piecewise-linear networks (ReLU, max-pool) are exact between kinks.
      const h = 1e-3 * Math.max(1e-3, maxAbs(x));
      const plus = x.map((xi, i) => xi + h * v[i]!);
      const minus = x.map((xi, i) => xi - h * v[i]!);
      const lp = (await c.forward(plus, 2)).slice();
      const lm = (await c.forward(minus, 2)).slice();
      let numeric = 0;
      for (let k = 0; k < u.length; k++) numeric += (u[k]! * (lp[k]! - lm[k]!)) / (2 * h);
      console.log(`[${options.name}] vjp directional derivative ${analytic.toPrecision(6)} vs finite difference ${numeric.toPrecision(6)}`);
      expect(Math.abs(analytic - numeric)).toBeLessThanOrEqual(tol.gradient * Math.max(Math.abs(numeric), 1e-3));
    });

    it.runIf(options.capabilities?.training !== false && Boolean(options.labels))(
      'training steps lower the loss on a fixed batch (when training is declared)',
      async () => {
        const c = await setup();
        if (!c.capabilities.training) return;
        const hyper = options.training ?? { optimizer: 'sgd', learningRate: 0.05 };
        const x = options.inputs.slice();
        const first = await c.training!.trainOnBatch(x, options.labels!, count, hyper);
        let last = first;
        for (let s = 0; s < 5; s++) last = await c.training!.trainOnBatch(x.slice(), options.labels!, count, hyper);
        expect(Number.isFinite(first)).toBe(true);
        expect(last).toBeLessThan(first);
        await c.training!.reset();
      },
    );

    it.runIf(options.capabilities?.activations !== false)('reports layers and their activations (when activations are declared)', async () => {
      const c = await setup();
      if (!c.capabilities.activations) return;
      const names = c.activations!.layerNames;
      expect(names.length).toBeGreaterThan(0);
      const act = await c.activations!.getActivations(options.inputs.slice(), count, names.length - 1);
      expect(act.data.length).toBe(count * act.shape.reduce((a, b) => a * b, 1));
    });

    it('disposes idempotently', async () => {
      const c = await setup();
      await c.dispose?.();
      await c.dispose?.();
    });
  });
}
