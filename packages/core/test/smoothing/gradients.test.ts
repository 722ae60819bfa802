import { describe, expect, it } from 'vitest';
import { createNoiseGenerator, crossEntropyHead, NOISE_STREAM, seedFromNumber, smooth } from '../../src/index.js';
import { softmaxRegression, uniforms } from './helpers.js';

const dim = 5;
const C = 3;
const K = 3;
const model = softmaxRegression(dim, C, 4);
// Give the model non-trivial weights with a few SGD steps on random data.
const xTrain = Float32Array.from(uniforms(60 * dim, 8), (u) => u * 2 - 1);
const yTrain = Int32Array.from({ length: 60 }, (_, i) => i % C);
const head = crossEntropyHead(yTrain, C);
for (let s = 0; s < 50; s++) await model.training!.step(xTrain, 60, head, { optimizer: 'sgd', learningRate: 0.5 });
const x = Float32Array.from(uniforms(K * dim, 12), (u) => u * 2 - 1);
const y = [0, 2, 1];
const preprocessing: [number[], number[]] = [
  [0.1, -0.2, 0, 0.3, 0.05],
  [0.5, 2, 1, 0.8, 1.5],
];

/** Cross-entropy of the model at raw x, through preprocessing, in float64. */
function loss(xr: Float64Array, label: number): number {
  const z = new Float32Array(C);
  const xp = new Float32Array(dim);
  for (let f = 0; f < dim; f++) xp[f] = (xr[f]! - preprocessing[0][f]!) / preprocessing[1][f]!;
  z.set(model.forward(xp, 1) as Float32Array);
  const max = Math.max(...z);
  return max + Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0)) - z[label]!;
}

/** The smoothed loss -log(mean_j softmax(f(x + e_j))[y]) with the library's own noise, in float64. */
function smoothedLoss(xr: Float64Array, label: number, inputId: number, seed: bigint, sigma: number, m: number): number {
  const noise = createNoiseGenerator();
  const z = new Float32Array(m * dim);
  noise.fillStandardNormal(z, 0, { seed, stream: NOISE_STREAM.gradient, inputIndex: inputId, sampleStart: 0, sampleCount: m, dim });
  let mean = 0;
  for (let j = 0; j < m; j++) {
    const xp = new Float32Array(dim);
    for (let f = 0; f < dim; f++) xp[f] = (Math.fround(xr[f]! + sigma * z[j * dim + f]!) - preprocessing[0][f]!) / preprocessing[1][f]!;
    const l = model.forward(xp, 1) as Float32Array;
    const max = Math.max(...l);
    const sum = l.reduce((s, v) => s + Math.exp(v - max), 0);
    mean += Math.exp(l[label]! - max) / sum / m;
  }
  return -Math.log(mean);
}

function finiteDifference(fn: (v: Float64Array) => number, at: Float32Array, h: number): Float64Array {
  const g = new Float64Array(at.length);
  for (let f = 0; f < at.length; f++) {
    const p = Float64Array.from(at);
    const q = Float64Array.from(at);
    p[f]! += h;
    q[f]! -= h;
    g[f] = (fn(p) - fn(q)) / (2 * h);
  }
  return g;
}

describe('gradients through the smoothing layer', () => {
  it('lossGradient (sampling false): row i is d loss_i / d x_i in raw units, through preprocessing', async () => {
    const g = smooth(model, { preprocessing, seed: 1 });
    const grad = await g.lossGradient(x, y, { batchSize: 2 });
    let worst = 0;
    for (let i = 0; i < K; i++) {
      const fd = finiteDifference((v) => loss(v, y[i]!), x.subarray(i * dim, (i + 1) * dim), 1e-3);
      for (let f = 0; f < dim; f++) worst = Math.max(worst, Math.abs(grad[i * dim + f]! - fd[f]!));
    }
    console.log(`lossGradient vs finite differences: max abs error ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(2e-4);
  });

  it('lossGradient (sampling true) is the gradient of the Monte-Carlo smoothed loss with the same noise', async () => {
    const sigma = 0.3;
    const m = 24;
    const g = smooth(model, { preprocessing, seed: 77, scale: sigma, sampleSize: m });
    const grad = await g.lossGradient(x, y, { sampling: true, batchSize: 10 });
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < K; i++) {
      const fd = finiteDifference((v) => smoothedLoss(v, y[i]!, i, seedFromNumber(77), sigma, m), x.subarray(i * dim, (i + 1) * dim), 1e-3);
      for (let f = 0; f < dim; f++) {
        worst = Math.max(worst, Math.abs(grad[i * dim + f]! - fd[f]!));
        scale = Math.max(scale, Math.abs(fd[f]!));
      }
    }
    console.log(`smoothed lossGradient vs finite differences: max abs error ${worst.toExponential(2)} (gradient scale ${scale.toFixed(3)})`);
    expect(worst).toBeLessThan(5e-4);
  });

  it('classGradient: logit gradients (sampling false) and -classGradient(sampling, y) = lossGradient(sampling)', async () => {
    const g = smooth(model, { seed: 5, scale: 0.2, sampleSize: 16 });
    const all = await g.classGradient(x);
    expect(all.shape).toEqual([K, C, dim]);
    const W = new Float32Array(C * dim); // recover W from vjp with one-hot seeds of a single input
    for (let k = 0; k < C; k++) {
      const up = new Float32Array(C);
      up[k] = 1;
      W.set(model.gradients!.vjp(x.subarray(0, dim), 1, up) as Float32Array, k * dim);
    }
    for (let i = 0; i < K; i++) expect(Array.from(all.data.subarray(i * C * dim, (i + 1) * C * dim))).toEqual(Array.from(W));
    const one = await g.classGradient(x, 2);
    expect(one.shape).toEqual([K, 1, dim]);
    expect(Array.from(one.data.subarray(0, dim))).toEqual(Array.from(W.subarray(2 * dim)));
    const sampledClass = await g.classGradient(x, y, { sampling: true });
    const sampledLoss = await g.lossGradient(x, y, { sampling: true });
    for (let i = 0; i < K * dim; i++) expect(sampledClass.data[i]!).toBeCloseTo(-sampledLoss[i]!, 6);
  });

  it('clipNoisy: the clipped features get zero gradient', async () => {
    const g = smooth(model, { seed: 3, scale: 5, sampleSize: 8, clipValues: [-1, 1], clipNoisy: true });
    const clippedAll = await g.lossGradient(new Float32Array(dim).fill(1), [0], { sampling: true });
    // With sigma = 5 nearly every noisy value is clipped; the gradient is tiny compared to unclipped.
    const free = await smooth(model, { seed: 3, scale: 5, sampleSize: 8, clipValues: [-1, 1] }).lossGradient(new Float32Array(dim).fill(1), [0], {
      sampling: true,
    });
    const norm = (a: Float32Array) => Math.hypot(...a);
    expect(norm(clippedAll)).toBeLessThan(norm(free));
  });
});
