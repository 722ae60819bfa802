import { type Classifier, compose, crossEntropyHead, ensemble, fromFunction, smooth, trainDenoiser } from '@rs/core';
import { featureSqueezing } from '@rs/defences';
import { GraphBuilder } from '@rs/onnx-graph';
import { describe, expect, it } from 'vitest';
import { OnnxClassifier, OnnxRandomizedSmoothing } from '../src/index.js';
import { fixture } from './helpers.js';

const f = fixture();
const x4 = f.x.subarray(0, 4 * 784);

/** A tiny residual denoiser: x + Conv(Relu(Conv(x))), [batch, 1, 28, 28] -> same. */
function denoiserBytes(): Uint8Array {
  const b = new GraphBuilder({ opset: 13 });
  const x = b.input('input', 'float32', ['batch', 1, 28, 28]);
  const w1 = Float32Array.from({ length: 4 * 9 }, (_, i) => Math.sin(i + 1) * 0.2);
  const w2 = Float32Array.from({ length: 4 * 9 }, (_, i) => Math.cos(i + 2) * 0.1);
  const h = b.node('Relu', [
    b.node('Conv', [x, b.initializer('w1', w1, [4, 1, 3, 3]), b.initializer('b1', new Float32Array(4).fill(0.01), [4])], { pads: [1, 1, 1, 1] }),
  ]);
  const r = b.node('Conv', [h, b.initializer('w2', w2, [1, 4, 3, 3])], { pads: [1, 1, 1, 1] });
  b.output(b.node('Add', [x, r], {}, { outputs: ['denoised'] }), 'float32', ['batch', 1, 28, 28]);
  return b.toBytes();
}

describe("output: 'any' (an image-to-image model) and compose(denoiser, classifier)", () => {
  it("loads a denoiser with output 'any'; the default still demands [batch, nbClasses]", async () => {
    await expect(OnnxClassifier.create({ model: denoiserBytes(), intraOpNumThreads: 1 })).rejects.toThrow(/give 'nbClasses'|expected \[batch, nbClasses\]/);
    const d = await OnnxClassifier.create({ model: denoiserBytes(), output: 'any', intraOpNumThreads: 1 });
    expect(d.outputShape).toEqual([1, 28, 28]);
    expect(d.nbClasses).toBe(784);
    expect(d.gradients).toBeDefined();
    expect(d.training).toBeDefined();
    await d.dispose();
  });

  it('trainDenoiser: a short MSE run, and a stability run through the frozen classifier, lower each objective', async () => {
    const c = await OnnxClassifier.create({ model: f.model, intraOpNumThreads: 1 });
    const images = f.x.subarray(0, 20 * 784);
    const before = await c.forward(images, 20);
    const d = await OnnxClassifier.create({ model: denoiserBytes(), output: 'any', intraOpNumThreads: 1 });
    const mse = await trainDenoiser(d, images, { objective: 'mse', scale: 0.5, nbEpochs: 6, batchSize: 10, learningRate: 1e-2, seed: 1 });
    expect(mse.epochLosses[5]!).toBeLessThan(0.8 * mse.epochLosses[0]!);
    await d.dispose();
    // Each epoch draws new noise on these 20 images, which moves the loss more than a few steps do:
    // compare with an untrained denoiser's loss on the same noise (a learning rate of 1e-12).
    const stability = { objective: 'stability' as const, classifier: c, scale: 0.5, nbEpochs: 8, batchSize: 5, optimizer: 'sgd' as const, seed: 2 };
    const losses: Float64Array[] = [];
    for (const learningRate of [1e-12, 0.02]) {
      const fresh = await OnnxClassifier.create({ model: denoiserBytes(), output: 'any', intraOpNumThreads: 1 });
      losses.push((await trainDenoiser(fresh, images, { ...stability, learningRate })).epochLosses);
      await fresh.dispose();
    }
    const mean = (v: Float64Array) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(losses[1]!)).toBeLessThan(mean(losses[0]!));
    // On one fixed noisy batch, the composition's step (the denoiser's weights through the frozen classifier) lowers the loss steadily.
    const noisy = images.map((v, i) => v + 0.85 * Math.sin(i * 12.9898));
    const z = await c.forward(images, 20);
    const targets = Int32Array.from({ length: 20 }, (_, r) => z.subarray(r * 10, r * 10 + 10).indexOf(Math.max(...z.subarray(r * 10, r * 10 + 10))));
    const fresh = await OnnxClassifier.create({ model: denoiserBytes(), output: 'any', intraOpNumThreads: 1 });
    const step = compose(fresh, c).training!;
    const fixedBatch: number[] = [];
    for (let s = 0; s < 10; s++) fixedBatch.push(await step.step(noisy, 20, crossEntropyHead(targets, 10), { optimizer: 'sgd', learningRate: 0.02 }));
    expect(fixedBatch[9]!).toBeLessThan(0.6 * fixedBatch[0]!);
    await fresh.dispose();
    expect(Array.from(await c.forward(images, 20))).toEqual(Array.from(before));
    await c.dispose();
  });

  it('forward is the classifier on the denoised images; gradients chain both models (central differences)', async () => {
    const d = await OnnxClassifier.create({ model: denoiserBytes(), output: 'any', intraOpNumThreads: 1 });
    const c = await OnnxClassifier.create({ model: f.model, intraOpNumThreads: 1 });
    const both = compose(d, c);
    const denoised = await d.forward(x4, 4);
    expect(Array.from(await both.forward(x4, 4))).toEqual(Array.from(await c.forward(denoised.slice(), 4)));
    // The chain: the composition's VJP is the denoiser's VJP of the classifier's VJP at the denoised images.
    const upstream = Float32Array.from({ length: 40 }, (_, i) => ((i * 3) % 7) - 3);
    const g = await both.gradients!.vjp(x4, 4, upstream);
    const chained = await d.gradients!.vjp(x4, 4, await c.gradients!.vjp(denoised, 4, upstream));
    expect(Array.from(g)).toEqual(Array.from(chained));
    // The denoiser's own VJP (an output of shape [batch, 1, 28, 28]) against central differences,
    // at inputs away from the ReLU kinks of the black background.
    const xs = x4.map((t) => 0.25 + 0.5 * t);
    const up = Float32Array.from({ length: 4 * 784 }, (_, i) => Math.cos(i * 0.37));
    const gd = await d.gradients!.vjp(xs, 4, up);
    const v = Float32Array.from({ length: xs.length }, (_, i) => Math.sin(i + 0.5));
    const h = 1e-3;
    const plus = (
      await d.forward(
        xs.map((t, i) => t + h * v[i]!),
        4,
      )
    ).slice();
    const minus = await d.forward(
      xs.map((t, i) => t - h * v[i]!),
      4,
    );
    let fd = 0;
    let dot = 0;
    for (let i = 0; i < up.length; i++) fd += (up[i]! * (plus[i]! - minus[i]!)) / (2 * h);
    for (let i = 0; i < gd.length; i++) dot += gd[i]! * v[i]!;
    expect(Math.abs(dot - fd) / Math.abs(fd)).toBeLessThan(2e-2);
    await smooth(both).dispose();
  });

  it('an ensemble of ONNX classifiers certifies; a smoothed composition equals the hand-written one', async () => {
    const a = await OnnxClassifier.create({ model: f.model, intraOpNumThreads: 1 });
    const b = await OnnxClassifier.create({ model: f.model, intraOpNumThreads: 1 });
    const e = ensemble([a, b], { combine: 'mean-logits' });
    const one = await OnnxClassifier.create({ model: f.model, intraOpNumThreads: 1 });
    const r1 = await smooth(e, { scale: 0.25, seed: 5, sampleSize: 20 }).certify(x4, { n: 200, batchSize: 100 });
    const r2 = await smooth(one, { scale: 0.25, seed: 5, sampleSize: 20 }).certify(x4, { n: 200, batchSize: 100 });
    // Two copies of one model: the mean of equal logits is the logits (up to float32 rounding of the mean).
    expect(Array.from(r1.prediction)).toEqual(Array.from(r2.prediction));
    await e.dispose?.();
    await one.dispose();
  });
});

describe('preprocessing defences on an ONNX model', () => {
  it('OnnxRandomizedSmoothing with FeatureSqueezing counts what the squeezed model counts', async () => {
    const squeeze = featureSqueezing({ clipValues: [0, 1], bitDepth: 4 });
    const opts = { scale: 0.25, sampleSize: 50, seed: 12, clipValues: [0, 1] as [number, number] };
    const rs = await OnnxRandomizedSmoothing.create({ model: f.model, intraOpNumThreads: 1, ...opts, preprocessingDefences: [squeeze] });
    const plain = await OnnxClassifier.create({ model: f.model, intraOpNumThreads: 1 });
    const byHand = fromFunction({
      inputShape: [1, 28, 28],
      nbClasses: 10,
      predict: async (x, rows) => plain.forward((squeeze.apply(x, [rows, 1, 28, 28]) as { data: Float32Array }).data, rows),
    });
    const a = await rs.certify(x4, { n: 300, batchSize: 128 });
    const b = await smooth(byHand, opts).certify(x4, { n: 300, batchSize: 128 });
    expect(Array.from(a.estimationCounts)).toEqual(Array.from(b.estimationCounts));
    expect(rs.smoothing.capabilities.gradients).toBe(true);
    await rs.dispose();
    await plain.dispose();
  });

  it("fit with FeatureSqueezing steps the model on the squeezed noisy inputs (the training.step contract): equal to a hand-made wrapper's fit", async () => {
    const squeeze = featureSqueezing({ clipValues: [0, 1], bitDepth: 3 });
    const opts = { scale: 0.25, seed: 4, clipValues: [0, 1] as [number, number] };
    const fitOptions = { nbEpochs: 2, batchSize: 10, optimizer: 'adam' as const, learningRate: 1e-3 };
    const rs = await OnnxRandomizedSmoothing.create({ model: f.model, intraOpNumThreads: 1, ...opts, preprocessingDefences: [squeeze] });
    const plain = await OnnxClassifier.create({ model: f.model, intraOpNumThreads: 1 });
    const squeezed = (x: Float32Array, rows: number) => (squeeze.apply(x, [rows, 1, 28, 28]) as { data: Float32Array }).data;
    const byHand: Classifier = {
      inputShape: plain.inputShape,
      nbClasses: 10,
      forward: (x, rows) => plain.forward(squeezed(x, rows), rows),
      training: {
        step: (x, rows, head, hyper) => plain.training!.step(squeezed(x, rows), rows, head, hyper),
        reset: () => plain.training!.reset(),
        endFit: () => plain.training!.endFit!(),
      },
    };
    const a = await rs.fit(f.x, f.y, fitOptions);
    const b = await smooth(byHand, opts).fit(f.x, f.y, fitOptions);
    expect(Array.from(a.epochLosses)).toEqual(Array.from(b.epochLosses));
    expect(a.epochLosses[1]!).toBeLessThan(a.epochLosses[0]!);
    expect(Array.from(await rs.predictLogits(x4))).toEqual(Array.from(await byHand.forward(x4, 4)));
    await rs.dispose();
    await plain.dispose();
  });
});
