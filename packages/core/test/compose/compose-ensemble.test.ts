import { describe, expect, it } from 'vitest';
import { compose, crossEntropyHead, ensemble, fromFunction, smooth, type Classifier, type ImageModel } from '../../src/index.js';
import { softmaxRegression, uniforms } from '../smoothing/helpers.js';

const dim = 4;
const C = 3;
const x = Float32Array.from(uniforms(3 * dim, 21), (u) => u * 2 - 1);

async function trained(seed: number): Promise<Classifier> {
  const m = softmaxRegression(dim, C, seed);
  const xs = Float32Array.from(uniforms(60 * dim, seed + 100), (u) => u * 2 - 1);
  const ys = Int32Array.from({ length: 60 }, (_, i) => (i * 7 + seed) % C);
  for (let s = 0; s < 30; s++) await m.training!.step(xs, 60, crossEntropyHead(ys, C), { optimizer: 'sgd', learningRate: 0.5 });
  return m;
}

/** A smooth image-to-image map: d(x)_f = tanh(sum_g A_fg x_g), with its exact VJP. */
function tanhDenoiser(): ImageModel {
  const A = Float64Array.from(uniforms(dim * dim, 4), (u) => u - 0.5);
  const pre = (xb: Float32Array, rows: number) => {
    const out = new Float64Array(rows * dim);
    for (let r = 0; r < rows; r++) for (let f = 0; f < dim; f++) for (let g = 0; g < dim; g++) out[r * dim + f]! += A[f * dim + g]! * xb[r * dim + g]!;
    return out;
  };
  return {
    inputShape: [dim],
    outputShape: [dim],
    forward: (xb, rows) => Float32Array.from(pre(xb, rows), Math.tanh),
    gradients: {
      vjp: (xb, rows, up) => {
        const s = pre(xb, rows);
        const g = new Float32Array(rows * dim);
        for (let r = 0; r < rows; r++)
          for (let f = 0; f < dim; f++) {
            const d = up[r * dim + f]! * (1 - Math.tanh(s[r * dim + f]!) ** 2);
            for (let h = 0; h < dim; h++) g[r * dim + h]! += d * A[f * dim + h]!;
          }
        return g;
      },
    },
  };
}

/** Max |finite difference - analytic| of `score(x_i)` against a gradient row, over inputs and features. */
function fdError(score: (v: Float64Array, i: number) => number, grad: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < 3; i++) {
    for (let f = 0; f < dim; f++) {
      const p = Float64Array.from(x.subarray(i * dim, (i + 1) * dim));
      const q = Float64Array.from(p);
      p[f]! += 1e-3;
      q[f]! -= 1e-3;
      worst = Math.max(worst, Math.abs((score(p, i) - score(q, i)) / 2e-3 - grad[i * dim + f]!));
    }
  }
  return worst;
}

function crossEntropy(z: ArrayLike<number>, label: number): number {
  const max = Math.max(...Array.from(z));
  return max + Math.log(Array.from(z).reduce((s, v) => s + Math.exp(v - max), 0)) - z[label]!;
}

describe('compose(denoiser, classifier)', () => {
  it('forward is classifier(denoiser(x)); certify counts equal the hand-written composition', async () => {
    const d = tanhDenoiser();
    const c = await trained(1);
    const f = compose(d, c);
    const hand = fromFunction({ inputShape: [dim], nbClasses: C, predict: (xb, rows) => c.forward(d.forward(xb, rows) as Float32Array, rows) as Float32Array });
    expect(Array.from(await f.forward(x, 3))).toEqual(Array.from(await hand.forward(x, 3)));
    const a = await smooth(f, { scale: 0.5, seed: 9, sampleSize: 40 }).certify(x, { n: 300, batchSize: 64 });
    const b = await smooth(hand, { scale: 0.5, seed: 9, sampleSize: 40 }).certify(x, { n: 300, batchSize: 64 });
    expect(Array.from(a.estimationCounts)).toEqual(Array.from(b.estimationCounts));
  });

  it('gradients chain both VJPs (finite differences of the loss through both parts)', async () => {
    const d = tanhDenoiser();
    const c = await trained(2);
    const grad = await smooth(compose(d, c)).lossGradient(x, [0, 1, 2]);
    const err = fdError((v, i) => crossEntropy(c.forward(d.forward(Float32Array.from(v), 1) as Float32Array, 1) as Float32Array, i), grad);
    expect(err).toBeLessThan(2e-3);
  });

  it('refuses a denoiser whose output does not fit, and says which part lacks gradients', async () => {
    const c = await trained(3);
    expect(() => compose({ ...tanhDenoiser(), outputShape: [dim + 1] }, c)).toThrow(/does not fit the classifier's input \[4\]/);
    expect(() => compose({ inputShape: [dim], forward: (v) => v } as ImageModel, c)).toThrow(/'denoiser' must declare 'outputShape'/);
    const noGrad = compose({ ...tanhDenoiser(), gradients: undefined }, c);
    expect(noGrad.gradients).toBeUndefined();
    expect(noGrad.capabilityNotes?.gradients).toMatch(/the denoiser has none/);
    const wrong: ImageModel = { ...tanhDenoiser(), forward: () => new Float32Array(1) };
    await expect(smooth(compose(wrong, c), { seed: 1 }).certify(x, { n: 20 })).rejects.toThrow(/the denoiser returned 1 values/);
  });
});

const members = await Promise.all([trained(4), trained(5), trained(6)]);

describe('ensemble(members, { combine })', () => {
  const logits = members.map((m) => m.forward(x, 3) as Float32Array);
  const softmax = (z: Float32Array, r: number) => {
    const e = Array.from(z.subarray(r * C, (r + 1) * C), (v) => Math.exp(v));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };

  it('mean-logits, mean-softmax and vote outputs', async () => {
    const ml = (await ensemble(members, { combine: 'mean-logits' }).forward(x, 3)) as Float32Array;
    const ms = (await ensemble(members).forward(x, 3)) as Float32Array;
    const vote = (await ensemble(members, { combine: 'vote' }).forward(x, 3)) as Float32Array;
    for (let r = 0; r < 3; r++) {
      const votes = new Array(C).fill(0);
      for (const z of logits) {
        const p = softmax(z, r);
        votes[p.indexOf(Math.max(...p))]++;
      }
      for (let k = 0; k < C; k++) {
        expect(ml[r * C + k]).toBeCloseTo(logits.reduce((s, z) => s + z[r * C + k]!, 0) / 3, 6);
        expect(ms[r * C + k]).toBeCloseTo(Math.log(logits.reduce((s, z) => s + softmax(z, r)[k]!, 0) / 3), 6);
        expect(vote[r * C + k]).toBe(Math.fround(Math.log(votes[k] / 3)));
      }
    }
  });

  it('gradients of mean-softmax and mean-logits match finite differences; vote declares none', async () => {
    for (const combine of ['mean-softmax', 'mean-logits'] as const) {
      const f = ensemble(members, { combine });
      const grad = await smooth(f).lossGradient(x, [2, 0, 1]);
      const err = fdError((v, i) => {
        const zs = members.map((m) => m.forward(Float32Array.from(v), 1) as Float32Array);
        const out =
          combine === 'mean-logits'
            ? Array.from({ length: C }, (_, k) => zs.reduce((s, z) => s + z[k]!, 0) / 3)
            : Array.from({ length: C }, (_, k) => Math.log(zs.reduce((s, z) => s + softmax(z, 0)[k]!, 0) / 3));
        return crossEntropy(out, [2, 0, 1][i]!);
      }, grad);
      expect(err, combine).toBeLessThan(2e-3);
    }
    const vote = ensemble(members, { combine: 'vote' });
    expect(vote.gradients).toBeUndefined();
    expect(vote.capabilityNotes?.gradients).toMatch(/not differentiable/);
    const noGrad = ensemble([
      members[0]!,
      fromFunction({ inputShape: [dim], nbClasses: C, predict: (v, rows) => members[1]!.forward(v, rows) as Float32Array }),
    ]);
    expect(noGrad.capabilityNotes?.gradients).toMatch(/member 1 has no gradients/);
  });

  it('refuses members that do not agree, and bad options', () => {
    expect(() => ensemble([])).toThrow(/non-empty array/);
    expect(() => ensemble([members[0]!, softmaxRegression(dim, C + 1)])).toThrow(/'members\[1\]' has 4 classes/);
    expect(() => ensemble([members[0]!, softmaxRegression(dim + 1, C)])).toThrow(/'members\[1\]' takes inputs of shape \[5\]/);
    expect(() => ensemble(members, { combine: 'median' as 'vote' })).toThrow(/'combine' must be one of/);
  });

  it('a smoothed ensemble certifies like any base classifier', async () => {
    const f = ensemble(members);
    const r = await smooth(f, { scale: 0.25, seed: 4, sampleSize: 50 }).certify(x, { n: 500, batchSize: 128 });
    const again = await smooth(f, { scale: 0.25, seed: 4, sampleSize: 50 }).certify(x, { n: 500, batchSize: 33 });
    expect(Array.from(r.estimationCounts)).toEqual(Array.from(again.estimationCounts));
    expect(r.estimationCounts.reduce((a, b) => a + b, 0)).toBe(1500);
  });
});
