import { describe, expect, it } from 'vitest';
import { capabilitiesOf, type Classifier, fromFunction, smooth } from '../../src/index.js';
import { softmaxRegression } from './helpers.js';

describe('capabilities are declared by presence', () => {
  it('capabilitiesOf reports what is there, and only that', () => {
    const f = fromFunction({ inputShape: [2], nbClasses: 2, predict: (_x, b) => new Float32Array(b * 2) });
    expect(capabilitiesOf(f)).toEqual({ gradients: false, training: false, activations: false, save: false, deviceSampling: false, preprocessing: false });
    expect(capabilitiesOf(softmaxRegression(3, 2))).toMatchObject({ gradients: true, training: true, save: false });
    expect(capabilitiesOf({ ...f, save: () => undefined })).toMatchObject({ save: true });
    expect(smooth(softmaxRegression(3, 2)).capabilities).toMatchObject({ gradients: true, training: true });
  });

  it('preprocessing: a classifier that applies it itself gets raw inputs; giving it twice is refused', async () => {
    const seen: number[] = [];
    const sub = Float32Array.of(10, 10);
    const div = Float32Array.of(2, 2);
    const own: Classifier = {
      inputShape: [2],
      nbClasses: 2,
      preprocessing: { sub, div },
      forward: (x, batch) => {
        const out = new Float32Array(batch * 2);
        for (let i = 0; i < batch; i++) {
          seen.push(x[2 * i]!);
          out[2 * i + 1] = (x[2 * i]! - sub[0]!) / div[0]!;
        }
        return out;
      },
    };
    const g = smooth(own, { seed: 1 });
    expect(Array.from(await g.predictLogits(new Float32Array([12, 0])))).toEqual([0, 1]);
    expect(seen).toEqual([12]);
    expect(() => smooth(own, { preprocessing: [10, 2] })).toThrow(/'preprocessing' is given, but the classifier applies its own preprocessing/);
    expect(() => smooth({ ...own, preprocessing: { sub: [1, 2], div } as never })).toThrow(/'classifier.preprocessing.sub' must be a Float32Array/);
  });
});
