import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { OnnxRandomizedSmoothing } from '../src/index.js';
import { onnxHostSampling } from '../src/host-sampling.js';
import { fixture } from './helpers.js';

const f = fixture();
const cores = availableParallelism();

describe('host noise schedule (hostSampling) of an ONNX Runtime session', () => {
  it('draws between runs over every core ONNX Runtime uses on the CPU provider, during runs when it leaves cores free or runs on a GPU', () => {
    const all = onnxHostSampling({ deviceType: 'cpu', intraOpNumThreads: undefined, noiseThreads: 'auto' });
    expect(all.plan.overlap).toBe(false);
    expect(all.generator?.threads ?? 1).toBe(Math.min(cores, 8));
    all.generator?.dispose();
    const one = onnxHostSampling({ deviceType: 'cpu', intraOpNumThreads: 1, noiseThreads: 'auto' });
    expect(one.plan.overlap).toBe(cores > 1);
    expect(one.generator).toBeUndefined();
    expect(one.plan.noise).toBeUndefined();
    const gpu = onnxHostSampling({ deviceType: 'gpu', intraOpNumThreads: undefined, noiseThreads: 'auto' });
    expect(gpu.plan.overlap).toBe(true);
    gpu.generator?.dispose();
    const forced = onnxHostSampling({ deviceType: 'cpu', intraOpNumThreads: undefined, noiseThreads: 3 });
    expect(forced.generator?.threads).toBe(3);
    expect(forced.plan.noise).toBe(forced.generator);
    forced.generator?.dispose();
  });

  it('gives the same certificates whatever the number of noise threads', async () => {
    const settings = { model: f.model, scale: 0.25, sampleSize: 50, alpha: 0.001, seed: 7, intraOpNumThreads: 2 };
    const x = f.x.subarray(0, 3 * 784);
    const results = [];
    for (const noiseThreads of [1, 2, 3] as const) {
      const rs = await OnnxRandomizedSmoothing.create({ ...settings, noiseThreads });
      expect(rs.smoothing.noiseGenerator).toBe(noiseThreads === 1 ? 'wasm-simd' : `wasm-simd x${noiseThreads} threads`);
      results.push(await rs.certify(x, { n: 2000, batchSize: 500 }));
      await rs.dispose();
    }
    for (const r of results.slice(1)) {
      expect(Array.from(r.estimationCounts)).toEqual(Array.from(results[0]!.estimationCounts));
      expect(Array.from(r.selectionCounts)).toEqual(Array.from(results[0]!.selectionCounts));
      expect(Array.from(r.radius)).toEqual(Array.from(results[0]!.radius));
    }
  });
});
