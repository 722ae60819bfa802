import { describe, expect, it } from 'vitest';
import { smooth, fromFunction, type DefenceOutput } from '@rs/core';
import {
  classLabels,
  featureSqueezing,
  gaussianNoise,
  jpegCompression,
  postprocessorFromSpec,
  preprocessorFromSpec,
  reverseSigmoid,
  spatialSmoothing,
  thermometerEncoding,
} from '../src/index.js';

function sync(out: DefenceOutput | Promise<DefenceOutput>): DefenceOutput {
  if (out instanceof Promise) throw new Error('expected a synchronous defence');
  return out;
}

/** Deterministic distinct values k / 4096 in [0, 1), shuffled. */
function grid(n: number, seed: number): Float32Array {
  const v = Float32Array.from({ length: n }, (_, i) => ((i * 37 + seed) % 4096) / 4096);
  return v;
}

describe('options are validated once, naming the defence and the option', () => {
  it('bad options', () => {
    expect(() => featureSqueezing({ clipValues: [1, 0] })).toThrow(/FeatureSqueezing options.*'clipValues' must have min < max/);
    expect(() => featureSqueezing({ clipValues: [0, 1], bitDepth: 0 })).toThrow(/'bitDepth' must be an integer in \[1, 64\]/);
    expect(() => spatialSmoothing({ windowSize: 2.5 })).toThrow(/'windowSize'/);
    expect(() => jpegCompression({ clipValues: [0, 2] })).toThrow(/'clipValues' must be \[0, 1\] or \[0, 255\]/);
    expect(() => thermometerEncoding({ clipValues: [0, 1], numSpace: 0 })).toThrow(/'numSpace'/);
    expect(() => reverseSigmoid({ beta: -1 })).toThrow(/'beta' must be a finite number > 0/);
    expect(() => featureSqueezing({ clipValues: [0, 1], bits: 3 } as never)).toThrow(/unknown option 'bits'/);
  });

  it('bad batches', () => {
    const x = new Float32Array(2 * 4);
    expect(() => spatialSmoothing().apply(x, [2, 4])).toThrow(/SpatialSmoothing can only be applied to image and video data: got a batch of rank 2/);
    expect(() => featureSqueezing({ clipValues: [0, 1] }).apply(x, [2, 3])).toThrow(/'data' has 8 values, shape \[2, 3\] needs 6/);
    expect(() => jpegCompression({ clipValues: [0, 1] }).apply(Float32Array.of(-0.1, 0, 0, 0), [1, 2, 2, 1])).toThrow(/set clipNoisy: true/);
    expect(() => classLabels().apply(x, [2, 2, 2])).toThrow(/classifier outputs \[batch, nbClasses\]/);
  });
});

describe('gradients', () => {
  it("SpatialSmoothing's vjp is the transpose of its Jacobian (piecewise linear: exact directional derivatives)", () => {
    const shape = [1, 2, 5, 4];
    const x = grid(40, 3);
    const d = spatialSmoothing({ windowSize: 3, channelsFirst: true, clipValues: [0, 1] });
    const u = Float32Array.from({ length: 40 }, (_, i) => ((i * 7) % 11) - 5);
    const g = d.vjp!(x, shape, u) as Float32Array;
    const base = sync(d.apply(x, shape)).data;
    const delta = 2 ** -20;
    for (let j = 0; j < 40; j++) {
      const xp = x.slice();
      xp[j]! += delta;
      const fp = sync(d.apply(xp, shape)).data;
      let dot = 0;
      for (let i = 0; i < 40; i++) dot += (u[i]! * (fp[i]! - base[i]!)) / delta;
      expect(g[j], `feature ${j}`).toBeCloseTo(dot, 6);
    }
  });

  it("ThermometerEncoding's estimate: upstream summed over the levels the input exceeds, divided by the range", () => {
    const t = thermometerEncoding({ clipValues: [0, 2], numSpace: 4, channelsFirst: false });
    const x = Float32Array.of(0.1, 0.3, 0.8); // [1, 3, 1] channels-last: one channel
    const up = Float32Array.from({ length: 12 }, (_, i) => i + 1); // 4 levels per value
    const g = t.vjp!(x, [1, 3, 1], up) as Float32Array;
    // levels k/4 = 0, 0.25, 0.5, 0.75 compared with the raw x (as ART's estimate_gradient)
    expect(Array.from(g)).toEqual([1 / 2, (5 + 6) / 2, (9 + 10 + 11 + 12) / 2]);
  });

  it('through smoothing: a squeezed classifier has BPDA gradients (the model gradient at the squeezed input)', async () => {
    const w = [1, -2, 0.5, 3];
    const model = fromFunction({
      inputShape: [1, 2, 2],
      nbClasses: 2,
      predict: (x, rows) =>
        Float32Array.from({ length: rows * 2 }, (_, i) => (i % 2 ? w.reduce((s, wk, k) => s + wk * x[Math.floor(i / 2) * 4 + k]! ** 2, 0) : 0)),
      vjp: (x, rows, up) => Float32Array.from({ length: rows * 4 }, (_, i) => up[Math.floor(i / 4) * 2 + 1]! * 2 * w[i % 4]! * x[i]!),
    });
    const squeeze = featureSqueezing({ clipValues: [0, 1], bitDepth: 2 });
    const x = Float32Array.of(0.1, 0.45, 0.7, 0.95);
    const g = await smooth(model, { preprocessingDefences: [squeeze] }).classGradient(x, 1);
    const q = sync(squeeze.apply(x, [1, 1, 2, 2])).data;
    expect(Array.from(g.data)).toEqual(Array.from(q, (v, i) => Math.fround(2 * w[i]! * v)));
  });
});

describe('GaussianNoise postprocessor', () => {
  it('has the right spread, renormalizes probabilities, and is a fixed function of its input', () => {
    const rows = 2000;
    const c = 4;
    const p = new Float32Array(rows * c).fill(0.25);
    for (let r = 0; r < rows; r++) p[r * c] = 0.25 + r * 1e-6; // distinct rows: distinct noise
    for (let r = 0; r < rows; r++) p[r * c + 1] = 0.25 - r * 1e-6;
    const g = gaussianNoise({ scale: 0.05, seed: 3 });
    const out = sync(g.apply(p, [rows, c])).data;
    expect(Array.from(sync(g.apply(p, [rows, c])).data)).toEqual(Array.from(out));
    let sumSq = 0;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let k = 0; k < c; k++) s += out[r * c + k]!;
      expect(s).toBeCloseTo(1, 5);
      sumSq += (out[r * c + 2]! - 0.25) ** 2;
    }
    // a renormalized N(0.25, 0.05^2) coordinate: spread close to 0.05 * sqrt(3/4)
    const sd = Math.sqrt(sumSq / rows);
    expect(sd).toBeGreaterThan(0.035);
    expect(sd).toBeLessThan(0.05);
    const other = sync(gaussianNoise({ scale: 0.05, seed: 4 }).apply(p, [rows, c])).data;
    expect(Array.from(other)).not.toEqual(Array.from(out));
  });
});

describe('command-line specs', () => {
  it("parse ART's parameter names in any case style, short names, and defaults", () => {
    expect(preprocessorFromSpec('feature-squeezing:bit=4', { clipValues: [0, 1] }).params).toEqual({ clipValues: [0, 1], bitDepth: 4 });
    expect(preprocessorFromSpec('feature-squeezing:bit_depth=5,clip-values=-1/1').params).toEqual({ clipValues: [-1, 1], bitDepth: 5 });
    expect(preprocessorFromSpec('spatial-smoothing:window-size=2', { channelsFirst: true }).params).toEqual({ windowSize: 2, channelsFirst: true });
    expect(preprocessorFromSpec('jpeg-compression:quality=75,codec=jpeg-js', { clipValues: [0, 1], channelsFirst: true }).params).toMatchObject({
      quality: 75,
      codec: 'jpeg-js',
    });
    expect(postprocessorFromSpec('rounded:decimals=2').params).toEqual({ decimals: 2 });
    expect(postprocessorFromSpec('class-labels').name).toBe('ClassLabels');
  });

  it('refuse unknown names and parameters, naming them', () => {
    expect(() => preprocessorFromSpec('median:window=3')).toThrow(/unknown preprocessing defence 'median'.*known: feature-squeezing/);
    expect(() => preprocessorFromSpec('feature-squeezing:depth=3', { clipValues: [0, 1] })).toThrow(/unknown parameter 'depth'/);
    expect(() => preprocessorFromSpec('feature-squeezing:bit=x', { clipValues: [0, 1] })).toThrow(/'bitDepth' must be a number/);
    expect(() => preprocessorFromSpec('feature-squeezing:bit=4')).toThrow(/'clipValues'/);
    expect(() => postprocessorFromSpec('feature-squeezing')).toThrow(/unknown postprocessing defence/);
  });
});

describe('device kernels', () => {
  it("FeatureSqueezing's step table equals apply on every float32 of a range, and NaN outside it", () => {
    for (const [bitDepth, clipValues] of [
      [3, [0, 1]],
      [8, [-1, 2]],
      [5, [0.1, 0.7]],
    ] as const) {
      const squeeze = featureSqueezing({ clipValues: [...clipValues], bitDepth });
      const table = squeeze.deviceKernel!.table(-0.8, 1.9);
      const lookup = (v: number) => {
        let j = 0;
        while (j < table.thresholds.length && table.thresholds[j]! <= v) j++;
        return table.values[j]!;
      };
      // Dense samples plus every threshold and its float32 neighbours.
      const probes: number[] = [];
      for (let i = 0; i <= 20_000; i++) probes.push(Math.fround(-0.8 + (2.7 * i) / 20_000));
      const below = (v: number) => {
        const f = new Float32Array([v]);
        const u = new Uint32Array(f.buffer);
        u[0] = v > 0 ? u[0]! - 1 : u[0]! + 1;
        return f[0]!;
      };
      for (const t of table.thresholds.subarray(1, -1)) probes.push(t, below(t));
      const x = Float32Array.from(probes);
      const host = sync(squeeze.apply(x, [x.length])).data;
      for (let i = 0; i < x.length; i++) expect(lookup(x[i]!), `bitDepth ${bitDepth}, x ${x[i]}`).toBe(host[i]);
      expect(lookup(Math.fround(-0.81))).toBeNaN();
      expect(lookup(Math.fround(1.91))).toBeNaN();
    }
    expect(featureSqueezing({ clipValues: [0, 1], bitDepth: 17 }).deviceKernel).toBeUndefined();
  });
});

describe('run-log records', () => {
  it("every defence rebuilds from its record { name, params } (core's describeDefence) to the same function", async () => {
    const { describeDefence } = await import('@rs/core');
    const {
      preprocessorFromRecord,
      postprocessorFromRecord,
      spatialSmoothing: ss,
      jpegCompression: jc,
      thermometerEncoding: te,
    } = await import('../src/index.js');
    const x = grid(2 * 64, 7);
    for (const d of [
      featureSqueezing({ clipValues: [0, 1], bitDepth: 4 }),
      ss({ windowSize: 3, channelsFirst: true }),
      jc({ clipValues: [0, 1], quality: 40, channelsFirst: true }),
      te({ clipValues: [0, 1], numSpace: 3, channelsFirst: true }),
    ]) {
      const back = preprocessorFromRecord(JSON.parse(JSON.stringify(describeDefence(d))));
      expect(back.params).toEqual(d.params);
      expect(Array.from(sync(back.apply(x, [2, 1, 8, 8])).data)).toEqual(Array.from(sync(d.apply(x, [2, 1, 8, 8])).data));
    }
    const p = Float32Array.of(0.1, 0.6, 0.3, 0.5, 0.2, 0.3);
    for (const d of [classLabels(), reverseSigmoid({ beta: 0.7, gamma: 0.2 }), gaussianNoise({ scale: 0.1, seed: 9 })]) {
      const back = postprocessorFromRecord(JSON.parse(JSON.stringify(describeDefence(d))));
      expect(Array.from(sync(back.apply(p, [2, 3])).data)).toEqual(Array.from(sync(d.apply(p, [2, 3])).data));
    }
    expect(() => preprocessorFromRecord({ name: 'Median', params: {} })).toThrow(/unknown preprocessing defence 'Median'/);
  });
});
