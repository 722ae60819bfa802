import type { Preprocessor } from '@rs/core';
import { z } from 'zod';
import { rintEven } from './numpy-float32.js';
import { checkBatch, clipValuesSchema, intIn, parseDefenceOptions } from './options.js';

const schema = z.object({ clipValues: clipValuesSchema, bitDepth: intIn(1, 64).default(8) }).strict();

/** Options of {@link featureSqueezing} (ART's `FeatureSqueezing(clip_values, bit_depth=8)`). */
export type FeatureSqueezingOptions = z.input<typeof schema>;

/**
 * ART's `FeatureSqueezing` (Xu et al. 2018): reduces each value to `bitDepth` bits over `clipValues`,
 * `rint((x - min) / (max - min) * (2^bitDepth - 1)) / (2^bitDepth - 1) * (max - min) + min`, in
 * float32 as ART computes it (round half to even). Values outside `clipValues` are not clipped
 * (as in ART). Gradient: BPDA (the identity), ART's `estimate_gradient`.
 *
 * @example
 * const squeeze = featureSqueezing({ clipValues: [0, 1], bitDepth: 4 });
 * const { data } = squeeze.apply(images, [20, 1, 28, 28]);
 */
export function featureSqueezing(options: FeatureSqueezingOptions): Preprocessor {
  const o = parseDefenceOptions(schema, options, 'FeatureSqueezing');
  const f32 = Math.fround;
  const lo = f32(o.clipValues[0]);
  const range = f32(o.clipValues[1] - o.clipValues[0]);
  const levels = f32(rintEven(2 ** o.bitDepth - 1));
  return {
    name: 'FeatureSqueezing',
    params: { clipValues: [...o.clipValues], bitDepth: o.bitDepth },
    gradient: 'bpda',
    apply(data, shape) {
      checkBatch('FeatureSqueezing', data, shape);
      const out = new Float32Array(data.length);
      for (let i = 0; i < data.length; i++) {
        const normalized = f32(f32(data[i]! - lo) / range);
        const squeezed = f32(rintEven(f32(normalized * levels)) / levels);
        out[i] = f32(f32(squeezed * range) + lo);
      }
      return { data: out, shape: [...shape] };
    },
  };
}
