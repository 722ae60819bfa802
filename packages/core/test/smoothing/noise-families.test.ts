// The `noise` smoothing option: every method that draws noise (certify, predict, fit, the smoothed
// gradients) hands the classifier the noisy copies of the configured family, in the layout.
import { describe, expect, it } from 'vitest';
import {
  createJsNoiseGenerator,
  fromFunction,
  NOISE_STREAM,
  SmoothedClassifier,
  smooth,
  type Classifier,
  type NoiseFamily,
  type NoiseGenerator,
} from '../../src/index.js';
import { uniforms } from './helpers.js';

const dim = 5;
const x = Float32Array.from(uniforms(2 * dim, 3), (u) => u);
const scale = 0.4;

/** A classifier recording every input row it receives (forward, vjp, trainOnBatch). */
function recorder(): Classifier & { rows: Float32Array[] } {
  const rows: Float32Array[] = [];
  const keep = (xs: Float32Array, batch: number) => {
    for (let i = 0; i < batch; i++) rows.push(xs.slice(i * dim, (i + 1) * dim));
  };
  return {
    rows,
    inputShape: [dim],
    nbClasses: 2,
    forward: (xs, batch) => {
      keep(xs, batch);
      return new Float32Array(batch * 2);
    },
    gradients: {
      vjp: (xs, batch) => {
        keep(xs, batch);
        return new Float32Array(batch * dim);
      },
    },
    training: {
      step: (xs, batch, head) => {
        keep(xs, batch);
        return head.evaluate(new Float32Array(batch * 2), batch).loss;
      },
      reset: () => {},
    },
  };
}

/** The noisy copy of input `row` with noise id `id`, sample `j`, stream `stream`, drawn by core's JS reference. */
function expectedCopy(family: NoiseFamily, stream: number, id: number, j: number, seed: bigint): Float32Array {
  const out = new Float32Array(dim);
  createJsNoiseGenerator().fillNoisy(out, 0, { seed, stream, inputIndex: id, sampleStart: j, sampleCount: 1, dim, family }, x, id * dim, scale);
  return out;
}

const has = (rows: Float32Array[], v: Float32Array) => rows.some((r) => r.every((a, i) => a === v[i]));

describe('noise families in every method', () => {
  for (const family of ['uniform', 'laplace'] as const) {
    it(`${family}: certify, predict, the smoothed gradients and fit send noisy copies of that family`, async () => {
      const f = recorder();
      const g = smooth(f, { scale, seed: 11, sampleSize: 4, noise: family });
      expect(g.options.noise).toBe(family);
      await g.certify(x, { n: 10 });
      expect(has(f.rows, expectedCopy(family, NOISE_STREAM.selection, 1, 3, 11n))).toBe(true);
      expect(has(f.rows, expectedCopy(family, NOISE_STREAM.estimation, 0, 9, 11n))).toBe(true);
      expect(has(f.rows, expectedCopy('gaussian', NOISE_STREAM.estimation, 0, 9, 11n))).toBe(false);
      await g.predictClasses(x, { n: 12 });
      expect(has(f.rows, expectedCopy(family, NOISE_STREAM.predict, 1, 11, 11n))).toBe(true);
      await g.lossGradient(x, [0, 1], { sampling: true });
      expect(has(f.rows, expectedCopy(family, NOISE_STREAM.gradient, 1, 2, 11n))).toBe(true);
      await g.fit(x, [0, 1], { nbEpochs: 2, batchSize: 2 });
      expect(has(f.rows, expectedCopy(family, NOISE_STREAM.training, 0, 1, 11n))).toBe(true);
    });
  }

  it('is Gaussian by default and refuses an unknown family, naming the option', () => {
    expect(smooth(recorder(), { scale }).options.noise).toBe('gaussian');
    expect(() => smooth(recorder(), { scale, noise: 'cauchy' as NoiseFamily })).toThrow(/'noise' must be 'gaussian', 'uniform' or 'laplace', got .cauchy./);
  });

  it('refuses a family the noise generator does not declare', () => {
    const js = createJsNoiseGenerator();
    const gaussianOnly: NoiseGenerator = { name: 'mine', fillStandardNormal: js.fillStandardNormal, fillNoisy: js.fillNoisy };
    const f = fromFunction({ inputShape: [dim], nbClasses: 2, predict: (_x, b) => new Float32Array(2 * b) });
    expect(() => new SmoothedClassifier(f, { scale, noise: 'laplace' }, gaussianOnly)).toThrow(
      /'noise' is 'laplace', but the noise generator 'mine' draws only 'gaussian'/,
    );
    expect(() => new SmoothedClassifier(f, { scale }, gaussianOnly)).not.toThrow();
  });
});
