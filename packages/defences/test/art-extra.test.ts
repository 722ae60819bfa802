import type { DefenceOutput } from '@rs/core';
import { describe, expect, it } from 'vitest';
import { classLabels, featureSqueezing, highConfidence, reverseSigmoid, rounded, spatialSmoothing, thermometerEncoding } from '../src/index.js';
import { mismatches, npy } from './helpers.js';

// ART 1.20.1's own classes run by fixtures/art-extra/make_art_extra.py (numpy 1.24, scipy 1.10).
const noisy = npy('art-extra/noisy.npy'); // the fixture images + 0.3 N(0, 1): values outside [0, 1]
const probs = npy('art-defences/probs.npy');
const video = npy('art-extra/video.npy');

function sync(out: DefenceOutput | Promise<DefenceOutput>): DefenceOutput {
  if (out instanceof Promise) throw new Error('expected a synchronous defence');
  return out;
}

/** NCHW -> NHWC for one-channel images: the same values (C = 1). */
const nhwcShape = [20, 28, 28, 1];

describe("more of ART's outputs: other parameters, noisy inputs, channels-last, videos", () => {
  it('FeatureSqueezing on noisy inputs (outside clip values: not clipped), two bit depths and ranges', () => {
    expect(
      mismatches(sync(featureSqueezing({ clipValues: [0, 1], bitDepth: 5 }).apply(noisy.data, noisy.shape)).data, npy('art-extra/fs_b5_noisy.npy').data),
    ).toEqual([]);
    expect(
      mismatches(sync(featureSqueezing({ clipValues: [-1, 2], bitDepth: 8 }).apply(noisy.data, noisy.shape)).data, npy('art-extra/fs_b8_m1_2_noisy.npy').data),
    ).toEqual([]);
  });

  it('SpatialSmoothing: even windows (upper median), channels-last with clipping, 5-D videos', () => {
    expect(
      mismatches(sync(spatialSmoothing({ windowSize: 2, channelsFirst: true }).apply(noisy.data, noisy.shape)).data, npy('art-extra/ss_w2_cf_noisy.npy').data),
    ).toEqual([]);
    const w4 = spatialSmoothing({ windowSize: 4, channelsFirst: false, clipValues: [0, 1] }).apply(noisy.data, nhwcShape);
    expect(mismatches(sync(w4).data, npy('art-extra/ss_w4_cl_nhwc.npy').data)).toEqual([]);
    expect(
      mismatches(sync(spatialSmoothing({ windowSize: 5, channelsFirst: true }).apply(video.data, video.shape)).data, npy('art-extra/ss_w5_video.npy').data),
    ).toEqual([]);
  });

  it('ThermometerEncoding channels-last, and its gradient estimate', () => {
    const four = noisy.data.subarray(0, 4 * 784);
    const cl = thermometerEncoding({ clipValues: [0, 1], numSpace: 4 }).apply(four, [4, 28, 28, 1]);
    expect(sync(cl).shape).toEqual([4, 28, 28, 4]);
    expect(mismatches(sync(cl).data, npy('art-extra/te_s4_cl_nhwc.npy').data)).toEqual([]);
    const grad = thermometerEncoding({ clipValues: [0, 1], numSpace: 10, channelsFirst: true }).vjp!(four, [4, 1, 28, 28], npy('art-extra/grad10.npy').data);
    // ART sums in float64 and returns float64 (saved as float32): equal to float32 rounding.
    const ref = npy('art-extra/te_s10_grad.npy').data;
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs((grad as Float32Array)[i]! - ref[i]!) / Math.max(1, Math.abs(ref[i]!)));
    expect(worst).toBeLessThan(1e-6);
  });

  it('ReverseSigmoid (other beta and gamma; the one-column form), Rounded(2), HighConfidence(0.1), ClassLabels row by row', () => {
    expect(mismatches(sync(reverseSigmoid({ beta: 0.5, gamma: 0.3 }).apply(probs.data, probs.shape)).data, npy('art-extra/rs_b05_g03.npy').data)).toEqual([]);
    const column = Float32Array.from({ length: 20 }, (_, i) => probs.data[i * 10]!);
    expect(mismatches(sync(reverseSigmoid().apply(column, [20, 1])).data, npy('art-extra/rs_binary.npy').data)).toEqual([]);
    expect(mismatches(sync(rounded({ decimals: 2 }).apply(probs.data, probs.shape)).data, npy('art-extra/ro_d2.npy').data)).toEqual([]);
    expect(mismatches(sync(highConfidence({ cutoff: 0.1 }).apply(probs.data, probs.shape)).data, npy('art-extra/hc_c01.npy').data)).toEqual([]);
    expect(mismatches(sync(classLabels().apply(probs.data, probs.shape)).data, npy('art-extra/cl_rows.npy').data)).toEqual([]);
  });
});
