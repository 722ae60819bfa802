import { describe, expect, it } from 'vitest';
import { OnnxRandomizedSmoothing } from '../src/index.js';
import { fixture, relativeError } from './helpers.js';

const f = fixture();

describe('gradients by ONNX autodiff match PyTorch', () => {
  it('lossGradient (sampling false) = d loss_i / d x_i from PyTorch', async () => {
    const rs = await OnnxRandomizedSmoothing.create({ model: f.model, scale: 0.25, seed: 0 });
    const g = await rs.lossGradient(f.x, f.y, { batchSize: 8 });
    const err = relativeError(g, f.lossGrad);
    console.log(`lossGradient vs PyTorch: max error ${err.toExponential(2)} of the largest magnitude`);
    expect(err).toBeLessThan(1e-4);
    await rs.dispose();
  });

  it('classGradient (all classes) = d logit_c / d x from PyTorch', async () => {
    const rs = await OnnxRandomizedSmoothing.create({ model: f.model, scale: 0.25, seed: 0 });
    const { data, shape } = await rs.classGradient(f.x);
    expect(shape).toEqual([20, 10, 1, 28, 28]);
    const err = relativeError(data, f.classGrad);
    console.log(`classGradient vs PyTorch: max error ${err.toExponential(2)} of the largest magnitude`);
    expect(err).toBeLessThan(1e-4);
    const one = await rs.classGradient(f.x.subarray(0, 2 * 784), [3, 7]);
    expect(relativeError(one.data.subarray(0, 784), f.classGrad.subarray(3 * 784, 4 * 784))).toBeLessThan(1e-4);
    expect(relativeError(one.data.subarray(784), f.classGrad.subarray((10 + 7) * 784, (10 + 8) * 784))).toBeLessThan(1e-4);
    await rs.dispose();
  });

  it('smoothed lossGradient (sampling true) is -classGradient(sampling true) at the label and differs from the clean one', async () => {
    const rs = await OnnxRandomizedSmoothing.create({ model: f.model, scale: 0.25, sampleSize: 16, seed: 3 });
    const x = f.x.subarray(0, 3 * 784);
    const y = f.y.subarray(0, 3);
    const smoothed = await rs.lossGradient(x, y, { sampling: true });
    const cls = await rs.classGradient(x, y, { sampling: true });
    expect(
      relativeError(
        cls.data.map((v) => -v),
        smoothed,
      ),
    ).toBeLessThan(1e-5);
    expect(relativeError(smoothed, f.lossGrad.subarray(0, 3 * 784))).toBeGreaterThan(1e-2);
    await rs.dispose();
  });
});
