import { describe, expect, it } from 'vitest';
import { AbortError, ClassifierContractError, fromFunction, RsRangeError, smooth, linearClassifier } from '../../src/index.js';
import { binaryLinear, countingClassifier } from './helpers.js';

const f = binaryLinear([1, -1], 0);
const g = smooth(f, { scale: 0.25, seed: 1 });
const x = new Float32Array([0.5, 0.1, 0.2, 0.9]);

describe('bad input gets a clear error naming the problem', () => {
  it('rejects bad smoothing options', () => {
    expect(() => smooth(f, { alpha: 0.7 })).toThrow(new RsRangeError('RS_INVALID_ARG_VALUE', "'alpha' must be in (0, 0.5), got 0.7"));
    expect(() => smooth(f, { alpha: 0 })).toThrow(/'alpha' must be in \(0, 0.5\), got 0/);
    expect(() => smooth(f, { scale: 0 })).toThrow(/'scale' must be a finite number > 0, got 0/);
    expect(() => smooth(f, { scale: -1 })).toThrow(RangeError);
    expect(() => smooth(f, { scale: Number.NaN })).toThrow(/'scale'.*got NaN/);
    expect(() => smooth(f, { sampleSize: 2.5 })).toThrow(/'sampleSize' must be an integer in \[1, 2147483647\], got 2.5/);
    expect(() => smooth(f, { scale: '0.1' as unknown as number })).toThrow(TypeError);
    expect(() => smooth(f, { sigma: 0.1 } as never)).toThrow(/unknown option 'sigma'/);
    expect(() => smooth(f, { seed: -1 })).toThrow(/'seed'/);
    expect(() => smooth(f, { clipValues: [1, 0] })).toThrow(/min < max/);
    expect(() => smooth(f, { clipValues: [[0, 0, 0], 1] })).toThrow(/clipValues\[0\]/);
    expect(() => smooth(f, { clipNoisy: true })).toThrow(/'clipNoisy' is true but 'clipValues' is not set/);
    expect(() => smooth(f, { preprocessing: [0, 0] })).toThrow(/divisor must be non-zero/);
    expect(() => smooth(f, { inputShape: [3] })).toThrow(/'inputShape' \[3\] does not match the classifier's \[2\]/);
    expect(() => smooth(f, { nbClasses: 3 })).toThrow(/'nbClasses' 3 does not match/);
  });

  it('rejects bad certify / predict options', async () => {
    await expect(g.certify(x, { n: 0 })).rejects.toThrow(/'n' must be an integer in \[1, 2147483647\], got 0/);
    await expect(g.certify(x, { n: 10.5 })).rejects.toThrow(/'n' must be an integer in \[1, 2147483647\], got 10.5/);
    await expect(g.certify(x, {} as never)).rejects.toThrow(/'n'/);
    await expect(g.certify(x, { n: 100, batchSize: 0 })).rejects.toThrow(/'batchSize' must be an integer >= 1, got 0/);
    await expect(g.certify(x, { n: 5 })).rejects.toThrow(/'n' = 5 can never certify at alpha = 0.001.*n >= 10/);
    await expect(g.predict(x, { n: -3 })).rejects.toThrow(/'n'/);
    await expect(g.predict(x, { isAbstain: 'yes' as never })).rejects.toThrow(/'isAbstain' must be a boolean/);
    await expect(g.certify(x, { n: 100, inputIds: [1] })).rejects.toThrow(/'inputIds' has 1 ids for 2 inputs/);
    await expect(g.certify(x, { n: 100, signal: 'stop' as never })).rejects.toThrow(/'signal' must be an AbortSignal/);
  });

  it('rejects bad inputs', async () => {
    await expect(g.certify(new Float32Array([0.1, Number.NaN]), { n: 100 })).rejects.toThrow(/'x' contains NaN at input 0, feature 1/);
    await expect(g.certify(new Float32Array([0.1, 0.2, Infinity, 0]), { n: 100 })).rejects.toThrow(/'x' contains Infinity at input 1, feature 0/);
    await expect(g.certify(new Float32Array([0.1, 0.2, 0.3]), { n: 100 })).rejects.toThrow(/'x' has 3 values, not a multiple of prod\(inputShape\) = 2/);
    await expect(g.certify(new Float32Array(0), { n: 100 })).rejects.toThrow(/'x' is empty/);
    await expect(g.certify({ data: x, shape: [2, 3] }, { n: 100 })).rejects.toThrow(/'x' has shape \[2, 3\]: it must be \[batch, 2\]/);
    await expect(g.certify('abc' as never, { n: 100 })).rejects.toThrow(TypeError);
    const clipped = smooth(f, { scale: 0.25, clipValues: [0, 1] });
    await expect(clipped.certify(new Float32Array([0.5, 1.5]), { n: 100 })).rejects.toThrow(/value 1.5 at input 0, feature 1 is outside clipValues \[0, 1\]/);
    await expect(g.lossGradient(x, [0, 2])).rejects.toThrow(/'y\[1\]' must be a class index in \[0, 1\], got 2/);
    await expect(g.lossGradient(x, [0])).rejects.toThrow(/'y' has 1 values/);
  });

  it('rejects a classifier that breaks its contract, without hanging or returning partial results', async () => {
    const wrongCount = smooth(fromFunction({ inputShape: [2], nbClasses: 3, predict: (_x, batch) => new Float32Array(batch * 2) }), { seed: 1 });
    await expect(wrongCount.certify(x, { n: 100 })).rejects.toThrow(ClassifierContractError);
    await expect(wrongCount.certify(x, { n: 100, batchSize: 10 })).rejects.toThrow(/returned 20 values for a batch of 10 inputs x 3 classes \(expected 30\)/);
    const nan = smooth(fromFunction({ inputShape: [2], nbClasses: 2, predict: (_x, batch) => new Float32Array(batch * 2).fill(Number.NaN) }), { seed: 1 });
    await expect(nan.predict(x)).rejects.toThrow(/returned NaN at batch row 0, class 0/);
    const throws = smooth(
      fromFunction({
        inputShape: [2],
        nbClasses: 2,
        predict: () => {
          throw new Error('GPU lost');
        },
      }),
      { seed: 1 },
    );
    await expect(throws.certify(x, { n: 100 })).rejects.toThrow(/forward failed on a batch of .*GPU lost/);
    const rejects = smooth(fromFunction({ inputShape: [2], nbClasses: 2, predict: async () => Promise.reject(new Error('session closed')) }), { seed: 1 });
    await expect(rejects.predict(x)).rejects.toThrow(/session closed/);
    const wrongType = smooth(fromFunction({ inputShape: [2], nbClasses: 2, predict: (_x, batch) => Array(batch * 2).fill(0) as never }), { seed: 1 });
    await expect(wrongType.predict(x)).rejects.toThrow(/must return a Float32Array, got Array/);
  });

  it('rejects malformed classifiers and fromFunction arguments', () => {
    expect(() => smooth({} as never)).toThrow(/'classifier.inputShape' must be a non-empty array/);
    expect(() => smooth({ ...f, nbClasses: 1 })).toThrow(/'classifier.nbClasses' must be an integer >= 2, got 1/);
    expect(() => smooth({ ...f, training: {} as never })).toThrow(/'classifier.training.step' must be a function \(the 'training' capability\)/);
    expect(() => smooth({ ...f, capabilities: { training: true } } as never)).toThrow(
      /'classifier.capabilities': capabilities are declared by their property being present/,
    );
    expect(() => smooth({ ...f, saver: { save() {} } } as never)).toThrow(/'saver' is now 'save'/);
    expect(() => smooth({ ...f, capabilityNotes: { gradients: 'has them' } })).toThrow(
      /explains why 'gradients' is absent, but 'classifier.gradients' is present/,
    );
    expect(() => smooth({ ...f, capabilityNotes: { flying: 'no' } as never })).toThrow(/'classifier.capabilityNotes.flying' is not a capability/);
    expect(() => fromFunction({ inputShape: [0], nbClasses: 2, predict: () => new Float32Array() })).toThrow(/'inputShape.0' must be an integer >= 1/);
    expect(() => fromFunction({ inputShape: [2], nbClasses: 2, predict: 3 as never })).toThrow(/'predict' must be a function/);
    expect(() => linearClassifier({ weights: [[1, 2]] })).toThrow(/at least 2 rows/);
  });

  it('says which capability is missing', async () => {
    const noGrad = smooth(countingClassifier(2), { seed: 1 });
    await expect(noGrad.lossGradient(x, [0, 1])).rejects.toThrow(/lossGradient needs a classifier with the 'gradients' capability/);
    await expect(noGrad.fit(x, [0, 1])).rejects.toThrow(/fit needs a classifier with the 'training' capability/);
    expect(() => noGrad.layerNames).toThrow(/layerNames needs a classifier with the 'activations' capability; this one has none \(it has: logits only\)/);
    await expect(noGrad.save('/tmp/never-written.onnx')).rejects.toThrow(/save needs a classifier with the 'save' capability/);
    const noted = smooth({ ...countingClassifier(2), capabilityNotes: { gradients: "unsupported ONNX op 'LSTM' (node 'l1')" } }, { seed: 1 });
    await expect(noted.classGradient(x)).rejects.toThrow(
      /classGradient needs a classifier with the 'gradients' capability; this one has none \(unsupported ONNX op 'LSTM' \(node 'l1'\)\)/,
    );
  });

  it('stops on abort with an AbortError and no partial result', async () => {
    const big = smooth(countingClassifier(64), { scale: 0.1, seed: 1 });
    const controller = new AbortController();
    let batches = 0;
    const run = big.certify(new Float32Array(64), {
      n: 10_000_000,
      batchSize: 1000,
      signal: controller.signal,
      onProgress: () => {
        if (++batches === 3) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(AbortError);
    expect(batches).toBe(3);
    const already = new AbortController();
    already.abort();
    await expect(big.predict(new Float32Array(64), { signal: already.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
