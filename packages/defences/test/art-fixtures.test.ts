import { describe, expect, it } from 'vitest';
import {
  classLabels,
  featureSqueezing,
  highConfidence,
  jpegCompression,
  reverseSigmoid,
  rounded,
  spatialSmoothing,
  thermometerEncoding,
} from '../src/index.js';
import { mismatches, npy } from './helpers.js';

// ART 1.20.1's own outputs on 20 Fashion-MNIST test images (fixtures/art-defences/README.md).
const x = npy('art-defences/x.npy');
const probs = npy('art-defences/probs.npy');

describe("ART's preprocessing defences, against ART's outputs", () => {
  it('FeatureSqueezing(clip_values=(0, 1), bit_depth=3): bit for bit', () => {
    const ref = npy('art-defences/feature_squeezing_bit3.npy');
    const out = featureSqueezing({ clipValues: [0, 1], bitDepth: 3 }).apply(x.data, x.shape);
    if (out instanceof Promise) throw new Error('sync');
    expect(out.shape).toEqual(ref.shape);
    expect(mismatches(out.data, ref.data)).toEqual([]);
  });

  it('SpatialSmoothing(window_size=3, channels_first=True, clip_values=(0, 1)): bit for bit', () => {
    const ref = npy('art-defences/spatial_smoothing_w3.npy');
    const out = spatialSmoothing({ windowSize: 3, channelsFirst: true, clipValues: [0, 1] }).apply(x.data, x.shape);
    if (out instanceof Promise) throw new Error('sync');
    expect(mismatches(out.data, ref.data)).toEqual([]);
  });

  it('ThermometerEncoding(clip_values=(0, 1), num_space=10, channels_first=True): bit for bit, shape [20, 10, 28, 28]', () => {
    const ref = npy('art-defences/thermometer_s10.npy');
    const out = thermometerEncoding({ clipValues: [0, 1], numSpace: 10, channelsFirst: true }).apply(x.data, x.shape);
    if (out instanceof Promise) throw new Error('sync');
    expect(out.shape).toEqual([20, 10, 28, 28]);
    expect(mismatches(out.data, ref.data)).toEqual([]);
  });

  it('JpegCompression(clip_values=(0, 1), quality=50, channels_first=True): bit for bit with the libjpeg codec', () => {
    const ref = npy('art-defences/jpeg_q50.npy');
    const out = jpegCompression({ clipValues: [0, 1], quality: 50, channelsFirst: true }).apply(x.data, x.shape);
    if (out instanceof Promise) throw new Error('sync');
    expect(mismatches(out.data, ref.data)).toEqual([]);
  });

  it('JpegCompression with the jpeg-js codec: a real JPEG file, pixels near ART', () => {
    const ref = npy('art-defences/jpeg_q50.npy');
    const out = jpegCompression({ clipValues: [0, 1], quality: 50, channelsFirst: true, codec: 'jpeg-js' }).apply(x.data, x.shape);
    if (out instanceof Promise) throw new Error('sync');
    let differ = 0;
    let worst = 0;
    let sum = 0;
    for (let i = 0; i < ref.data.length; i++) {
      const levels = Math.abs(Math.round(out.data[i]! * 255) - Math.round(ref.data[i]! * 255));
      if (levels > 0) differ++;
      worst = Math.max(worst, levels);
      sum += levels;
      if (levels === 0) expect(out.data[i]).toBe(ref.data[i]); // same grey level: the same float32 as ART
    }
    console.log(
      `JpegCompression q50, jpeg-js codec: ${differ} of ${ref.data.length} pixels differ from ART (Pillow 9.4 / libjpeg), mean ${(sum / ref.data.length).toFixed(3)} grey levels, at most ${worst}`,
    );
    expect(differ / ref.data.length).toBeLessThan(0.1);
    expect(sum / ref.data.length).toBeLessThan(0.5);
  });
});

describe("ART's postprocessing defences, against ART's outputs", () => {
  it('HighConfidence(cutoff=0.25), Rounded(decimals=3), ReverseSigmoid(beta=1.0, gamma=0.1): bit for bit', () => {
    for (const [file, defence] of [
      ['high_confidence_c0.25', highConfidence({ cutoff: 0.25 })],
      ['rounded_d3', rounded({ decimals: 3 })],
      ['reverse_sigmoid_b1.0_g0.1', reverseSigmoid({ beta: 1, gamma: 0.1 })],
    ] as const) {
      const out = defence.apply(probs.data, probs.shape);
      if (out instanceof Promise) throw new Error('sync');
      expect(mismatches(out.data, npy(`art-defences/${file}.npy`).data), file).toEqual([]);
    }
  });

  it("ClassLabels: one-hot per row (ART marks every row with every row's top class: its fixture is the union)", () => {
    const ref = npy('art-defences/class_labels.npy');
    const out = classLabels().apply(probs.data, probs.shape);
    if (out instanceof Promise) throw new Error('sync');
    // Per row: exactly one 1, at the row's argmax.
    for (let r = 0; r < 20; r++) {
      const row = Array.from(out.data.subarray(r * 10, (r + 1) * 10));
      const p = Array.from(probs.data.subarray(r * 10, (r + 1) * 10));
      expect(row.reduce((a, b) => a + b, 0)).toBe(1);
      expect(row.indexOf(1)).toBe(p.indexOf(Math.max(...p)));
    }
    // ART's batch output sets, in every row, each column that is some row's top class.
    const union = new Float32Array(10);
    for (let r = 0; r < 20; r++) for (let k = 0; k < 10; k++) union[k] = Math.max(union[k]!, out.data[r * 10 + k]!);
    for (let r = 0; r < 20; r++) expect(Array.from(ref.data.subarray(r * 10, (r + 1) * 10))).toEqual(Array.from(union));
  });
});
