import { describe, expect, it } from 'vitest';
import {
  ClassifierContractError,
  compose,
  crossEntropyHead,
  mseHead,
  smooth,
  trainDenoiser,
  type Classifier,
  type ImageModel,
  type LossHead,
  type TrainingHyperParameters,
} from '../../src/index.js';
import { softmaxRegression, uniforms } from '../smoothing/helpers.js';

const dim = 6;
const C = 3;
const count = 96;
/** Clean "images": points near a 2-D subspace of R^6 (a denoiser can learn to project onto it). */
const basis = [Float64Array.from(uniforms(dim, 1), (u) => u - 0.5), Float64Array.from(uniforms(dim, 2), (u) => u - 0.5)];
const x = new Float32Array(count * dim);
for (let i = 0; i < count; i++) {
  const [a, b] = [Math.sin(i), Math.cos(3 * i)];
  for (let f = 0; f < dim; f++) x[i * dim + f] = a! * basis[0]![f]! + b! * basis[1]![f]! + 0.5;
}
const labels = Int32Array.from({ length: count }, (_, i) => (Math.sin(i) > 0.3 ? 0 : Math.cos(3 * i) > 0 ? 1 : 2));
const noisy = Float32Array.from(x, (v, i) => v + 0.3 * (uniforms(1, 1000 + i)[0]! - 0.5) * 3.4);

type Tiny = ImageModel & { W: Float64Array; c: Float64Array; lastGradient: Float64Array; steps: number };

/** D(x)_f = x_f + tanh(sum_g W_fg x_g + c_f), computed in float64; its step records the weight gradient, then applies SGD. */
function tinyDenoiser(seed = 7): Tiny {
  const W = Float64Array.from(uniforms(dim * dim, seed), (u) => (u - 0.5) * 0.6);
  const c = Float64Array.from(uniforms(dim, seed + 1), (u) => (u - 0.5) * 0.2);
  const pre = (xb: Float32Array, rows: number) => {
    const z = new Float64Array(rows * dim);
    for (let r = 0; r < rows; r++)
      for (let f = 0; f < dim; f++) {
        let s = c[f]!;
        for (let g = 0; g < dim; g++) s += W[f * dim + g]! * xb[r * dim + g]!;
        z[r * dim + f] = s;
      }
    return z;
  };
  const forward = (xb: Float32Array, rows: number) => Float32Array.from(pre(xb, rows), (z, i) => xb[i]! + Math.tanh(z));
  const d: Tiny = {
    W,
    c,
    lastGradient: new Float64Array(dim * dim + dim),
    steps: 0,
    inputShape: [dim],
    outputShape: [dim],
    forward,
    training: {
      step: (xb: Float32Array, rows: number, head: LossHead, hyper: TrainingHyperParameters) => {
        const z = pre(xb, rows);
        const { loss, gradient } = head.evaluate(forward(xb, rows), rows);
        const g = new Float64Array(dim * dim + dim);
        for (let r = 0; r < rows; r++)
          for (let f = 0; f < dim; f++) {
            const gz = gradient[r * dim + f]! * (1 - Math.tanh(z[r * dim + f]!) ** 2);
            g[dim * dim + f]! += gz;
            for (let h = 0; h < dim; h++) g[f * dim + h]! += gz * xb[r * dim + h]!;
          }
        d.lastGradient = g;
        d.steps++;
        for (let i = 0; i < dim * dim; i++) W[i]! -= hyper.learningRate * g[i]!;
        for (let f = 0; f < dim; f++) c[f]! -= hyper.learningRate * g[dim * dim + f]!;
        return loss;
      },
      reset: () => undefined,
    },
  };
  return d;
}

/** The MSE objective computed here in float64 from the weights (the reference for the finite differences). */
function mseObjective(d: Tiny, xb: Float32Array, clean: Float32Array): number {
  const out = d.forward(xb, xb.length / dim) as Float32Array;
  let s = 0;
  for (let i = 0; i < out.length; i++) s += (out[i]! - clean[i]!) ** 2;
  return s / out.length;
}

/** The stability objective: mean cross-entropy of the classifier on D(xb) against `targets`, in float64. */
async function stabilityObjective(d: Tiny, classifier: Classifier, xb: Float32Array, targets: Int32Array): Promise<number> {
  const rows = xb.length / dim;
  const z = await classifier.forward(d.forward(xb, rows) as Float32Array, rows);
  let s = 0;
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let k = 0; k < C; k++) max = Math.max(max, z[r * C + k]!);
    let e = 0;
    for (let k = 0; k < C; k++) e += Math.exp(z[r * C + k]! - max);
    s += max + Math.log(e) - z[r * C + targets[r]!]!;
  }
  return s / rows;
}

/** Central differences of `objective` w.r.t. every weight of `d` (W, then c). */
async function centralDifferences(d: Tiny, objective: () => number | Promise<number>, h = 1e-4): Promise<Float64Array> {
  const out = new Float64Array(dim * dim + dim);
  for (let i = 0; i < out.length; i++) {
    const [arr, j] = i < dim * dim ? [d.W, i] : [d.c, i - dim * dim];
    const keep = arr[j]!;
    arr[j] = keep + h;
    const plus = await objective();
    arr[j] = keep - h;
    const minus = await objective();
    arr[j] = keep;
    out[i] = (plus - minus) / (2 * h);
  }
  return out;
}

function relativeError(a: Float64Array, b: Float64Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

async function trainedClassifier(): Promise<Classifier> {
  const classifier = softmaxRegression(dim, C, 5);
  for (let s = 0; s < 60; s++) await classifier.training!.step(x, count, crossEntropyHead(labels, C), { optimizer: 'sgd', learningRate: 0.5 });
  return classifier;
}

/** The classifier with its training step replaced by one that fails the test if called. */
function frozen(classifier: Classifier): Classifier {
  return {
    ...classifier,
    training: {
      step: () => {
        throw new Error('the frozen classifier was trained');
      },
      reset: () => undefined,
    },
  };
}

const zeroStep: TrainingHyperParameters = { optimizer: 'sgd', learningRate: 0 };

describe('denoiser training (Salman et al.): objectives, gradients, training runs', () => {
  it('mseHead: the loss is the mean squared error and the gradient its derivative', () => {
    const clean = Float32Array.of(0.1, 0.2, 0.3, 0.4);
    const out = Float32Array.of(0.3, 0.1, 0.3, 0.9);
    const { loss, gradient } = mseHead(clean, 2).evaluate(out, 2);
    expect(loss).toBeCloseTo((0.04 + 0.01 + 0 + 0.25) / 4, 7);
    expect(Array.from(gradient).map((v) => Number(v.toFixed(6)))).toEqual([0.1, -0.05, 0, 0.25]);
  });

  it('the MSE objective: the weight gradient through the step contract equals central differences', async () => {
    const d = tinyDenoiser();
    const xb = noisy.subarray(0, 16 * dim);
    const clean = x.subarray(0, 16 * dim);
    await d.training!.step(xb, 16, mseHead(clean, dim), zeroStep);
    const fd = await centralDifferences(d, () => mseObjective(d, xb, clean));
    expect(relativeError(d.lastGradient, fd)).toBeLessThan(1e-3);
  });

  it("the stability objective: the gradient through the frozen classifier (compose's step) equals central differences", async () => {
    const classifier = await trainedClassifier();
    const d = tinyDenoiser();
    const rows = 16;
    const xb = noisy.subarray(0, rows * dim);
    const cleanLogits = await classifier.forward(x.subarray(0, rows * dim), rows);
    const targets = Int32Array.from({ length: rows }, (_, r) => {
      const row = Array.from(cleanLogits.subarray(r * C, (r + 1) * C));
      return row.indexOf(Math.max(...row));
    });
    const before = Array.from(await classifier.forward(x, count));
    await compose(d, frozen(classifier)).training!.step(xb, rows, crossEntropyHead(targets, C), zeroStep);
    const fd = await centralDifferences(d, () => stabilityObjective(d, classifier, xb, targets));
    expect(relativeError(d.lastGradient, fd)).toBeLessThan(1e-3);
    expect(Array.from(await classifier.forward(x, count))).toEqual(before);
  });

  it('a short MSE run lowers the MSE of the denoised noisy images (measured here, on other noise)', async () => {
    const d = tinyDenoiser();
    const before = mseObjective(d, noisy, x);
    const r = await trainDenoiser(d, x, { objective: 'mse', scale: 0.3, nbEpochs: 6, batchSize: 16, optimizer: 'sgd', learningRate: 0.5, seed: 3 });
    expect(d.steps).toBe(6 * 6);
    expect(r.epochLosses[5]!).toBeLessThan(0.7 * r.epochLosses[0]!);
    expect(mseObjective(d, noisy, x)).toBeLessThan(0.7 * before);
  });

  it('a short stability run lowers the stability objective; the classifier stays frozen', async () => {
    const classifier = await trainedClassifier();
    const cleanLogits = await classifier.forward(x, count);
    const targets = Int32Array.from({ length: count }, (_, r) => {
      const row = Array.from(cleanLogits.subarray(r * C, (r + 1) * C));
      return row.indexOf(Math.max(...row));
    });
    const d = tinyDenoiser();
    const heldOut = Float32Array.from(x, (v, i) => v + 0.4 * (uniforms(1, 5000 + i)[0]! - 0.5) * 3.4);
    const before = await stabilityObjective(d, classifier, heldOut, targets);
    const r = await trainDenoiser(d, x, {
      objective: 'stability',
      classifier: frozen(classifier),
      scale: 0.4,
      nbEpochs: 5,
      batchSize: 16,
      optimizer: 'sgd',
      learningRate: 1,
      seed: 4,
    });
    expect(r.epochLosses[4]!).toBeLessThan(r.epochLosses[0]!);
    expect(await stabilityObjective(d, classifier, heldOut, targets)).toBeLessThan(before);
    expect(Array.from(await classifier.forward(x, count))).toEqual(Array.from(cleanLogits));
  });

  it('fit of a smoothed composition trains the denoiser only (Gaussian augmentation through the frozen classifier)', async () => {
    const classifier = await trainedClassifier();
    const d = tinyDenoiser();
    const W0 = Array.from(d.W);
    const r = await smooth(compose(d, frozen(classifier)), { scale: 0.3, seed: 2 }).fit(x, labels, {
      nbEpochs: 2,
      batchSize: 32,
      optimizer: 'sgd',
      learningRate: 0.5,
    });
    expect(d.steps).toBe(2 * 3);
    expect(Array.from(d.W)).not.toEqual(W0);
    expect(r.epochLosses.length).toBe(2);
  });

  it('a denoiser whose training forward pass differs from its forward is refused (the gradient would be wrong)', async () => {
    const classifier = await trainedClassifier();
    const d = tinyDenoiser();
    const shifted: ImageModel = {
      ...d,
      training: {
        step: (xb, rows, head, hyper) =>
          d.training!.step(
            xb.map((v) => v + 0.1),
            rows,
            head,
            hyper,
          ),
        reset: () => undefined,
      },
    };
    await expect(trainDenoiser(shifted, x, { objective: 'stability', classifier, scale: 0.3 })).rejects.toThrow(ClassifierContractError);
  });

  it('refuses what cannot be trained, naming the option, with a code', async () => {
    const d = tinyDenoiser();
    const classifier = await trainedClassifier();
    await expect(trainDenoiser(d, x, { objective: 'stability', scale: 0.3 })).rejects.toMatchObject({
      code: 'RS_INVALID_ARG_TYPE',
      message: expect.stringMatching(/'classifier' is required/),
    });
    await expect(trainDenoiser({ ...d, training: undefined }, x, { objective: 'mse', scale: 0.3 })).rejects.toMatchObject({ code: 'RS_CAPABILITY_MISSING' });
    await expect(trainDenoiser(d, x, { objective: 'l1' as 'mse', scale: 0.3 })).rejects.toThrow(/'objective' must be 'mse' or 'stability'/);
    await expect(trainDenoiser(d, x, { objective: 'mse', scale: -1 })).rejects.toThrow(/'scale'/);
    await expect(trainDenoiser(d, x, { objective: 'mse', scale: 0.3, classifier })).rejects.toMatchObject({ code: 'RS_INVALID_ARG_VALUE' });
    await expect(trainDenoiser(d, x, { objective: 'stability', scale: 0.3, classifier: { ...classifier, gradients: undefined } })).rejects.toMatchObject({
      code: 'RS_CAPABILITY_MISSING',
    });
    await expect(trainDenoiser({ ...d, outputShape: [dim + 1] }, x, { objective: 'mse', scale: 0.3 })).rejects.toMatchObject({ code: 'RS_INVALID_ARG_VALUE' });
    await expect(trainDenoiser(d, x.subarray(1), { objective: 'mse', scale: 0.3 })).rejects.toMatchObject({ code: 'RS_INVALID_INPUT' });
  });
});
