import { capabilitiesOf } from '@rs/core';
import { describe, expect, it } from 'vitest';
import { WebGpuRandomizedSmoothing } from '../src/index.js';
import { adapter, fixture, relativeError } from './helpers.js';

const f = fixture();

describe.skipIf(!adapter.available)(`gradients on the device match PyTorch${adapter.available ? '' : ` (skipped: ${adapter.reason})`}`, () => {
  it('lossGradient (sampling false) and classGradient (all classes) of the fixture CNN', async () => {
    const rs = await WebGpuRandomizedSmoothing.create({ model: f.model, scale: 0.25, seed: 0 });
    expect(capabilitiesOf(rs).gradients, JSON.stringify(rs.capabilityNotes)).toBe(true);
    const t0 = performance.now();
    const g = await rs.lossGradient(f.x, f.y, { batchSize: 8 });
    const lossErr = relativeError(g, f.lossGrad);
    const { data, shape } = await rs.classGradient(f.x);
    const classErr = relativeError(data, f.classGrad);
    console.log(
      `WebGPU vs PyTorch: lossGradient max error ${lossErr.toExponential(2)}, classGradient ${classErr.toExponential(2)} of the largest magnitude (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
    expect(lossErr).toBeLessThan(1e-4);
    expect(shape).toEqual([20, 10, 1, 28, 28]);
    expect(classErr).toBeLessThan(1e-4);
    const one = await rs.classGradient(f.x.subarray(0, 2 * 784), [3, 7]);
    expect(relativeError(one.data.subarray(0, 784), f.classGrad.subarray(3 * 784, 4 * 784))).toBeLessThan(1e-4);
    expect(relativeError(one.data.subarray(784), f.classGrad.subarray((10 + 7) * 784, (10 + 8) * 784))).toBeLessThan(1e-4);
    await rs.dispose();
  });
});
