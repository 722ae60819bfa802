import { describe, expect, it } from 'vitest';
import { createNoiseGenerator, smooth, type Classifier, type NoiseGenerator } from '../../src/index.js';
import { countingClassifier, uniforms } from './helpers.js';

const dim = 6;
const K = 5;
const x = Float32Array.from(uniforms(K * dim, 5), (u) => u - 0.5);

describe('noise reproducibility', () => {
  it('gives identical counts for the same seed whatever the batch size', async () => {
    const g = smooth(countingClassifier(dim), { scale: 0.3, seed: 99 });
    const a = await g.predictClasses(x, { n: 500, batchSize: 1000 });
    const b = await g.predictClasses(x, { n: 500, batchSize: 37 });
    const c = await g.predictClasses(x, { n: 500, batchSize: 1 });
    expect(Array.from(b.counts)).toEqual(Array.from(a.counts));
    expect(Array.from(c.counts)).toEqual(Array.from(a.counts));
    const ca = await g.certify(x, { n: 300, batchSize: 64 });
    const cb = await g.certify(x, { n: 300, batchSize: 1000 });
    expect(Array.from(cb.countSelected)).toEqual(Array.from(ca.countSelected));
    expect(Array.from(cb.radius)).toEqual(Array.from(ca.radius));
  });

  it('follows each input, not its position, when inputs are reordered with their ids', async () => {
    const g = smooth(countingClassifier(dim), { scale: 0.3, seed: 99 });
    const order = [3, 0, 4, 1, 2];
    const shuffled = new Float32Array(K * dim);
    order.forEach((src, dst) => {
      shuffled.set(x.subarray(src * dim, (src + 1) * dim), dst * dim);
    });
    const a = await g.predictClasses(x, { n: 400 });
    const b = await g.predictClasses(shuffled, { n: 400, inputIds: order });
    order.forEach((src, dst) => {
      expect(Array.from(b.counts.subarray(dst * 3, dst * 3 + 3))).toEqual(Array.from(a.counts.subarray(src * 3, src * 3 + 3)));
    });
  });

  it('gives a sharded run the same counts as a single run (indexOffset)', async () => {
    const g = smooth(countingClassifier(dim), { scale: 0.3, seed: 5 });
    const whole = await g.certify(x, { n: 200 });
    const first = await g.certify(x.subarray(0, 2 * dim), { n: 200 });
    const second = await g.certify(x.subarray(2 * dim), { n: 200, indexOffset: 2 });
    expect([...first.countSelected, ...second.countSelected]).toEqual(Array.from(whole.countSelected));
  });

  it('gives different counts for different seeds, and reports a fresh seed when none is set', async () => {
    const counts = async (seed: number) => Array.from((await smooth(countingClassifier(dim), { scale: 0.3, seed }).predictClasses(x, { n: 500 })).counts);
    expect(await counts(1)).not.toEqual(await counts(2));
    const g = smooth(countingClassifier(dim), { scale: 0.3 });
    const r1 = await g.predictClasses(x, { n: 500 });
    const r2 = await g.predictClasses(x, { n: 500 });
    expect(r1.seed).not.toBe(r2.seed);
    const replay = await smooth(countingClassifier(dim), { scale: 0.3, seed: r1.seed }).predictClasses(x, { n: 500 });
    expect(Array.from(replay.counts)).toEqual(Array.from(r1.counts));
  });

  it('never calls the classifier with more than batchSize rows, and packs small jobs together', async () => {
    const f = countingClassifier(dim);
    await smooth(f, { scale: 0.3, seed: 1, sampleSize: 10 }).certify(x, { n: 250, batchSize: 100 });
    expect(Math.max(...f.calls)).toBeLessThanOrEqual(100);
    expect(f.calls.reduce((a, b) => a + b, 0)).toBe(K * (10 + 250));
    // selection: 5 inputs x 10 samples fit one call
    expect(f.calls[0]).toBe(50);
  });

  it("follows the classifier's hostSampling plan: its generator, drawn during or between forward calls, same counts", async () => {
    const wasm = createNoiseGenerator();
    let fills = 0;
    const counted: NoiseGenerator = {
      name: 'counted',
      fillStandardNormal: (...args) => wasm.fillStandardNormal(...args),
      fillNoisy: (...args) => {
        fills++;
        wasm.fillNoisy(...args);
      },
    };
    const base = countingClassifier(dim);
    // An async forward that checks its input is not touched while it runs.
    const withPlan = (overlap: boolean | undefined): Classifier => ({
      inputShape: base.inputShape,
      nbClasses: base.nbClasses,
      hostSampling: overlap === undefined ? undefined : { noise: counted, overlap },
      forward: async (v, b) => {
        const before = Float32Array.from(v);
        const out = await base.forward(v, b);
        await new Promise((r) => setTimeout(r, 1));
        if (v.some((value, i) => value !== before[i])) throw new Error('input changed while forward ran');
        return out;
      },
    });
    const reference = await smooth(withPlan(undefined), { scale: 0.3, seed: 5 }).predictClasses(x, { n: 700, batchSize: 256 });
    for (const overlap of [true, false]) {
      fills = 0;
      const g = smooth(withPlan(overlap), { scale: 0.3, seed: 5 });
      expect(g.noiseGenerator).toBe('counted');
      const r = await g.predictClasses(x, { n: 700, batchSize: 256 });
      expect(Array.from(r.counts)).toEqual(Array.from(reference.counts));
      expect(fills).toBeGreaterThan(0);
    }
    const bad = { ...withPlan(false), hostSampling: { overlap: 'yes' } } as unknown as Classifier;
    expect(() => smooth(bad, { scale: 0.3 })).toThrow(/'classifier.hostSampling.overlap' must be a boolean, got/);
    const badNoise = { ...withPlan(false), hostSampling: { noise: {} } } as unknown as Classifier;
    expect(() => smooth(badNoise, { scale: 0.3 })).toThrow(/hostSampling.noise' must be a NoiseGenerator/);
  });
});
