import { describe, expect, it } from 'vitest';
import { ClassifierContractError, crossEntropyHead, fromFunction, smooth, type Classifier, type Postprocessor, type Preprocessor } from '../../src/index.js';
import { softmaxRegression, uniforms } from '../smoothing/helpers.js';

const dim = 4;
const C = 3;
const model = softmaxRegression(dim, C, 3);
const xTrain = Float32Array.from(uniforms(60 * dim, 5), (u) => u * 2 - 1);
const yTrain = Int32Array.from({ length: 60 }, (_, i) => i % C);
for (let s = 0; s < 40; s++) await model.training!.step(xTrain, 60, crossEntropyHead(yTrain, C), { optimizer: 'sgd', learningRate: 0.5 });
const x = Float32Array.from(uniforms(3 * dim, 9), (u) => u * 0.8 + 0.1);

/** Rounds to multiples of 1/4 (a quantizer: gradient by BPDA). */
const quarter: Preprocessor = {
  name: 'Quarter',
  params: {},
  gradient: 'bpda',
  apply: (data, shape) => ({ data: data.map((v) => Math.round(v * 4) / 4), shape: [...shape] }),
};
/** x -> x^3 elementwise, with its exact VJP. */
const cube: Preprocessor = {
  name: 'Cube',
  params: {},
  gradient: 'exact',
  apply: (data, shape) => ({ data: data.map((v) => v * v * v), shape: [...shape] }),
  vjp: (x, _shape, up) => up.map((u, i) => 3 * x[i]! * x[i]! * u),
};
/** Doubles the features ([b, d] -> [b, 2d]): a shape change with an inverse and an exact VJP. */
const twice: Preprocessor = {
  name: 'Twice',
  params: {},
  gradient: 'exact',
  apply: (data, shape) => {
    const [b, d] = shape as [number, number];
    const out = new Float32Array(b * 2 * d);
    for (let r = 0; r < b; r++) for (let f = 0; f < d; f++) out[r * 2 * d + f] = out[r * 2 * d + d + f] = data[r * d + f]!;
    return { data: out, shape: [b, 2 * d] };
  },
  outputShape: (shape) => [shape[0]!, 2 * shape[1]!],
  inputShapeFor: (shape) => (shape[1]! % 2 === 0 ? [shape[0]!, shape[1]! / 2] : undefined),
  vjp: (x, shape, up) => {
    const [b, d] = shape as [number, number];
    const g = new Float32Array(x.length);
    for (let r = 0; r < b; r++) for (let f = 0; f < d; f++) g[r * d + f] = up[r * 2 * d + f]! + up[r * 2 * d + d + f]!;
    return g;
  },
};
/** Temperature 2 on the probabilities (renormalized): differentiable, exact VJP. */
const temperature: Postprocessor = {
  name: 'Temperature',
  params: { t: 2 },
  gradient: 'exact',
  apply: (p, shape) => {
    const out = new Float32Array(p.length);
    const c = shape[1]!;
    for (let r = 0; r < shape[0]!; r++) {
      let s = 0;
      for (let k = 0; k < c; k++) s += Math.sqrt(p[r * c + k]!);
      for (let k = 0; k < c; k++) out[r * c + k] = Math.sqrt(p[r * c + k]!) / s;
    }
    return { data: out, shape: [...shape] };
  },
  vjp: (p, shape, up) => {
    const c = shape[1]!;
    const g = new Float32Array(p.length);
    for (let r = 0; r < shape[0]!; r++) {
      let s = 0;
      let us = 0;
      for (let k = 0; k < c; k++) s += Math.sqrt(p[r * c + k]!);
      for (let k = 0; k < c; k++) us += up[r * c + k]! * Math.sqrt(p[r * c + k]!);
      for (let k = 0; k < c; k++) g[r * c + k] = (up[r * c + k]! / s - us / (s * s)) / (2 * Math.sqrt(p[r * c + k]!));
    }
    return g;
  },
};
/** One-hot of the argmax (as ClassLabels): gradient by BPDA. */
const labelsOnly: Postprocessor = {
  name: 'Labels',
  params: {},
  gradient: 'bpda',
  apply: (p, shape) => {
    const out = new Float32Array(p.length);
    const c = shape[1]!;
    for (let r = 0; r < shape[0]!; r++) {
      let best = 0;
      for (let k = 1; k < c; k++) if (p[r * c + k]! > p[r * c + best]!) best = k;
      out[r * c + best] = 1;
    }
    return { data: out, shape: [...shape] };
  },
};

/** The same base classifier written by hand: model((pre(x) - sub) / div). */
function byHand(pre: (v: number) => number, sub = 0, div = 1): Classifier {
  return fromFunction({
    inputShape: [dim],
    nbClasses: C,
    predict: (xb, rows) =>
      model.forward(
        xb.map((v) => (pre(v) - sub) / div),
        rows,
      ) as Float32Array,
  });
}

describe('preprocessing and postprocessing defences in the smoothing options', () => {
  it('certify counts equal those of the same composition written by hand (noise, clipNoisy, defences, preprocessing)', async () => {
    const opts = {
      scale: 0.4,
      seed: 11,
      sampleSize: 50,
      clipValues: [0, 1] as [number, number],
      clipNoisy: true,
      preprocessing: [0.25, 0.5] as [number, number],
    };
    const defended = await smooth(model, { ...opts, preprocessingDefences: [quarter] }).certify(x, { n: 400, batchSize: 96 });
    const hand = await smooth(
      byHand((v) => Math.round(v * 4) / 4, 0.25, 0.5),
      { ...opts, preprocessing: undefined },
    ).certify(x, { n: 400, batchSize: 96 });
    expect(Array.from(defended.estimationCounts)).toEqual(Array.from(hand.estimationCounts));
    expect(Array.from(defended.selectionCounts)).toEqual(Array.from(hand.selectionCounts));
    expect(Array.from(defended.radius)).toEqual(Array.from(hand.radius));
  });

  it('defences change what the smoothed classifier counts (the quantizer is really applied)', async () => {
    const coarse: Preprocessor = { ...quarter, name: 'Sign', apply: (d, s) => ({ data: d.map((v) => (v > 0.5 ? 1 : 0)), shape: [...s] }) };
    const a = await smooth(model, { scale: 0.4, seed: 3, sampleSize: 20 }).certify(x, { n: 200 });
    const b = await smooth(model, { scale: 0.4, seed: 3, sampleSize: 20, preprocessingDefences: [coarse] }).certify(x, { n: 200 });
    expect(Array.from(a.estimationCounts)).not.toEqual(Array.from(b.estimationCounts));
  });

  it('a shape-changing preprocessor: the raw input shape comes from its inverse; gradients chain its VJP', async () => {
    const wide = softmaxRegression(2 * dim, C, 8);
    const g = smooth(wide, { scale: 0.3, seed: 2, preprocessingDefences: [twice, cube] });
    expect(g.inputShape).toEqual([dim]);
    const logits = await g.predictLogits(x);
    const manual = wide.forward(
      Float32Array.from({ length: 3 * 2 * dim }, (_, i) => {
        const v = x[Math.floor(i / (2 * dim)) * dim + (i % dim)]!;
        return v * v * v;
      }),
      3,
    ) as Float32Array;
    expect(Array.from(logits)).toEqual(Array.from(manual));
    const grad = await g.lossGradient(x, [0, 1, 2]);
    const lossAt = (v: Float64Array, label: number) => {
      const z = wide.forward(
        Float32Array.from([...v, ...v], (t) => t * t * t),
        1,
      ) as Float32Array;
      const max = Math.max(...z);
      return max + Math.log(z.reduce((s, t) => s + Math.exp(t - max), 0)) - z[label]!;
    };
    let worst = 0;
    for (let i = 0; i < 3; i++) {
      for (let f = 0; f < dim; f++) {
        const p = Float64Array.from(x.subarray(i * dim, (i + 1) * dim));
        const q = Float64Array.from(p);
        p[f]! += 1e-3;
        q[f]! -= 1e-3;
        worst = Math.max(worst, Math.abs((lossAt(p, i) - lossAt(q, i)) / 2e-3 - grad[i * dim + f]!));
      }
    }
    expect(worst).toBeLessThan(2e-3);
  });

  it('a shape-changing preprocessor without an inverse needs inputShape', () => {
    const noInverse: Preprocessor = { ...twice, inputShapeFor: undefined };
    expect(() => smooth(softmaxRegression(2 * dim, C), { preprocessingDefences: [noInverse] })).toThrow(/'Twice' changes the shape.*give 'inputShape'/);
    expect(smooth(softmaxRegression(2 * dim, C), { preprocessingDefences: [noInverse], inputShape: [dim] }).inputShape).toEqual([dim]);
    expect(() => smooth(softmaxRegression(2 * dim, C), { preprocessingDefences: [noInverse], inputShape: [3] })).toThrow(/'inputShape' \[3\] becomes \[6\]/);
  });

  it('BPDA: the gradient is the model gradient at the defended input, passed through unchanged', async () => {
    const g = await smooth(model, { preprocessingDefences: [quarter] }).lossGradient(x, [0, 1, 2]);
    const q = x.map((v) => Math.round(v * 4) / 4);
    const plain = await smooth(model).lossGradient(q, [0, 1, 2]);
    expect(Array.from(g)).toEqual(Array.from(plain));
  });

  it('postprocessing: the output is the log of the postprocessed probabilities, and an exact postprocessor is differentiated', async () => {
    const g = smooth(model, { postprocessingDefences: [temperature] });
    const out = await g.predictLogits(x);
    const z = model.forward(x, 3) as Float32Array;
    for (let r = 0; r < 3; r++) {
      const p = Array.from(z.subarray(r * C, (r + 1) * C), (v) => Math.exp(v));
      const s = p.reduce((a, b) => a + b, 0);
      const sq = p.map((v) => Math.sqrt(Math.fround(v / s)));
      const t = sq.reduce((a, b) => a + b, 0);
      for (let k = 0; k < C; k++) expect(out[r * C + k]).toBeCloseTo(Math.log(sq[k]! / t), 5);
    }
    const grad = await g.classGradient(x, 1);
    /** log of the temperature-2 probability of class 1 at raw input v, in float64. */
    const score = (v: Float64Array): number => {
      const e = Array.from(model.forward(Float32Array.from(v), 1) as Float32Array, (t) => Math.exp(t));
      const s = e.reduce((a, b) => a + b, 0);
      const sq = e.map((t) => Math.sqrt(t / s));
      return Math.log(sq[1]! / sq.reduce((a, b) => a + b, 0));
    };
    let worst = 0;
    for (let f = 0; f < dim; f++) {
      const p = Float64Array.from(x.subarray(0, dim));
      const q = Float64Array.from(p);
      p[f]! += 1e-3;
      q[f]! -= 1e-3;
      worst = Math.max(worst, Math.abs((score(p) - score(q)) / 2e-3 - grad.data[f]!));
    }
    expect(worst).toBeLessThan(2e-3);
  });

  it('a BPDA postprocessor is left out of the backward pass; its forward decides the counts', async () => {
    const g = smooth(model, { postprocessingDefences: [labelsOnly], scale: 0.3, seed: 5, sampleSize: 30 });
    const out = await g.predictLogits(x);
    expect(Array.from(out).filter((v) => v === 0).length).toBe(3);
    expect(Array.from(out).filter((v) => v === -Infinity).length).toBe(3 * (C - 1));
    const withPost = await g.classGradient(x, 2);
    const plain = await smooth(model).classGradient(x, 2);
    // log softmax's gradient for class 2 with the model's own logits
    const z = model.forward(x, 3) as Float32Array;
    const logSoftmaxGrad = await model.gradients!.vjp(
      x,
      3,
      Float32Array.from({ length: 3 * C }, (_, i) => {
        const r = Math.floor(i / C);
        const e = Array.from(z.subarray(r * C, (r + 1) * C), (v) => Math.exp(v));
        const s = e.reduce((a, b) => a + b, 0);
        return (i % C === 2 ? 1 : 0) - e[i % C]! / s;
      }),
    );
    for (let i = 0; i < withPost.data.length; i++) expect(withPost.data[i]).toBeCloseTo(logSoftmaxGrad[i]!, 5);
    expect(plain.data).not.toEqual(withPost.data);
    const counts = await g.certify(x, { n: 100 });
    const hand = await smooth(
      fromFunction({
        inputShape: [dim],
        nbClasses: C,
        predict: (xb, rows) => model.forward(xb, rows) as Float32Array,
      }),
      { scale: 0.3, seed: 5, sampleSize: 30 },
    ).certify(x, { n: 100 });
    expect(Array.from(counts.estimationCounts)).toEqual(Array.from(hand.estimationCounts));
  });

  it('fit trains the model on the defended noisy inputs', async () => {
    const seen: number[] = [];
    const trained = softmaxRegression(dim, C, 2);
    const recording: Classifier = {
      ...trained,
      training: {
        step: (xb, rows, head, hyper) => {
          seen.push(...xb);
          return trained.training!.step(xb, rows, head, hyper);
        },
        reset: () => trained.training!.reset(),
      },
    };
    await smooth(recording, { scale: 0.3, seed: 1, preprocessingDefences: [quarter] }).fit(x, [0, 1, 2], { nbEpochs: 2, batchSize: 2 });
    expect(seen.length).toBe(2 * 3 * dim);
    expect(seen.every((v) => v * 4 === Math.round(v * 4))).toBe(true);
  });

  it('bad defences are refused with the option named; a broken defence is a contract error', async () => {
    expect(() => smooth(model, { preprocessingDefences: [{} as Preprocessor] })).toThrow(/preprocessingDefences/);
    expect(() => smooth(model, { preprocessingDefences: [{ ...cube, vjp: undefined }] })).toThrow(/'preprocessingDefences\[0\]\.vjp' must be a function/);
    expect(() => smooth(model, { postprocessingDefences: [{ ...labelsOnly, gradient: 'maybe' as 'bpda' }] })).toThrow(
      /'postprocessingDefences\[0\]\.gradient'/,
    );
    const broken: Preprocessor = { ...quarter, apply: (d, s) => ({ data: d.subarray(1), shape: [...s] }) };
    await expect(smooth(model, { preprocessingDefences: [broken], seed: 1 }).certify(x, { n: 20 })).rejects.toThrow(ClassifierContractError);
  });
});
