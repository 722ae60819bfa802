import type { Preprocessor } from '@rs/core';
import { z } from 'zod';
import { rintEven } from './numpy-float32.js';
import { checkBatch, clipValuesSchema, intIn, parseDefenceOptions } from './options.js';
import { stepTable } from './step-table.js';

const schema = z.object({ clipValues: clipValuesSchema, bitDepth: intIn(1, 64).default(8) }).strict();

/** Options of {@link featureSqueezing} (ART's `FeatureSqueezing(clip_values, bit_depth=8)`). */
export type FeatureSqueezingOptions = z.input<typeof schema>;

/**
 * ART's `FeatureSqueezing` (Xu et al. 2018): reduces each value to `bitDepth` bits over `clipValues`,
 * `rint((x - min) / (max - min) * (2^bitDepth - 1)) / (2^bitDepth - 1) * (max - min) + min`, in
 * float32 as ART computes it (round half to even). Values outside `clipValues` are not clipped
 * (as in ART). Gradient: BPDA (the identity), ART's `estimate_gradient`. Device kernel (up to 16
 * bits): a step table equal to `apply` bit for bit, so a backend that samples on its device
 * (`@rs/webgpu-native`) squeezes there and counts exactly what the host would.
 *
 * @example
 * const squeeze = featureSqueezing({ clipValues: [0, 1], bitDepth: 4 });
 * const { data } = await squeeze.apply(images, [20, 1, 28, 28]);
 */
export function featureSqueezing(options: FeatureSqueezingOptions): Preprocessor {
  const o = parseDefenceOptions(schema, options, 'FeatureSqueezing');
  const f32 = Math.fround;
  const lo = f32(o.clipValues[0]);
  const range = f32(o.clipValues[1] - o.clipValues[0]);
  const levels = f32(rintEven(2 ** o.bitDepth - 1));
  const level = (v: number): number => rintEven(f32(f32(f32(f32(v) - lo) / range) * levels));
  const output = (k: number) => f32(f32(f32(k / levels) * range) + lo);
  return {
    name: 'FeatureSqueezing',
    params: { clipValues: [...o.clipValues], bitDepth: o.bitDepth },
    gradient: 'bpda',
    apply(data, shape) {
      checkBatch('FeatureSqueezing', data, shape);
      const out = new Float32Array(data.length);
      for (let i = 0; i < data.length; i++) out[i] = output(level(data[i]!));
      return { data: out, shape: [...shape] };
    },
    ...(o.bitDepth <= 16 ? { deviceKernel: { kind: 'step' as const, table: (a: number, b: number) => stepTable(a, b, level, output) } } : {}),
  };
}
