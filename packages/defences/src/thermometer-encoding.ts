import { type Preprocessor, RsRangeError } from '@rs/core';
import { z } from 'zod';
import { checkBatch, clipValuesSchema, flag, intIn, parseDefenceOptions, sizeOf } from './options.js';

const schema = z.object({ clipValues: clipValuesSchema, numSpace: intIn(1, 4096).default(10), channelsFirst: flag().default(false) }).strict();

/** Options of {@link thermometerEncoding} (ART's `ThermometerEncoding(clip_values, num_space=10, channels_first=False)`). */
export type ThermometerEncodingOptions = z.input<typeof schema>;

/**
 * ART's `ThermometerEncoding` (Buckman et al. 2018): each value, clipped to `clipValues` and scaled
 * to [0, 1], becomes `numSpace` levels, level k being 1 when `k == 0` or the value exceeds `k / numSpace`
 * (float32 comparisons, as ART). The channel axis grows by `numSpace`: channel c becomes channels
 * `c * numSpace .. c * numSpace + numSpace - 1` (`[N, C, H, W]` -> `[N, C * numSpace, H, W]` with
 * `channelsFirst`, else the last axis). Gradient: ART's estimate (Athalye et al.'s surrogate,
 * `estimate_gradient`): the sum over k of the upstream gradient of level k where `x > k / numSpace`,
 * divided by `max - min`.
 *
 * @example
 * const thermo = thermometerEncoding({ clipValues: [0, 1], numSpace: 10, channelsFirst: true });
 * thermo.outputShape!([20, 1, 28, 28]); // [20, 10, 28, 28]
 */
export function thermometerEncoding(options: ThermometerEncodingOptions): Preprocessor {
  const o = parseDefenceOptions(schema, options, 'ThermometerEncoding');
  const f32 = Math.fround;
  const num = o.numSpace;
  const lo = f32(o.clipValues[0]);
  const hi = f32(o.clipValues[1]);
  const range = f32(o.clipValues[1] - o.clipValues[0]);
  const thresholds = Float32Array.from({ length: num }, (_, k) => k / num);
  const axis = (shape: readonly number[]) => (o.channelsFirst ? 1 : shape.length - 1);
  /** [before the channel axis, channels, after it]. */
  const split = (shape: readonly number[]) => {
    const a = axis(shape);
    return { outer: sizeOf(shape.slice(0, a)), channels: shape[a]!, inner: sizeOf(shape.slice(a + 1)) };
  };
  const check = (data: Float32Array, shape: readonly number[]) => {
    checkBatch('ThermometerEncoding', data, shape);
    if (shape.length < 2) throw new RsRangeError('RS_INVALID_INPUT', `ThermometerEncoding needs a channel axis: got a batch of shape [${shape.join(', ')}]`);
  };
  return {
    name: 'ThermometerEncoding',
    params: { clipValues: [...o.clipValues], numSpace: num, channelsFirst: o.channelsFirst },
    gradient: 'estimate',
    outputShape(shape) {
      const out = [...shape];
      out[axis(shape)]! *= num;
      return out;
    },
    inputShapeFor(shape) {
      const a = axis(shape);
      if (shape[a]! % num !== 0) return undefined;
      const out = [...shape];
      out[a] = shape[a]! / num;
      return out;
    },
    apply(data, shape) {
      check(data, shape);
      const { outer, channels, inner } = split(shape);
      const out = new Float32Array(data.length * num);
      for (let p = 0; p < outer; p++) {
        for (let c = 0; c < channels; c++) {
          for (let q = 0; q < inner; q++) {
            const v = f32(f32(Math.min(Math.max(data[(p * channels + c) * inner + q]!, lo), hi) - lo) / range);
            for (let k = 0; k < num; k++) out[((p * channels + c) * num + k) * inner + q] = k === 0 || v > thresholds[k]! ? 1 : 0;
          }
        }
      }
      const outShape = [...shape];
      outShape[axis(shape)]! *= num;
      return { data: out, shape: outShape };
    },
    vjp(x, shape, upstream) {
      check(x, shape);
      const { outer, channels, inner } = split(shape);
      const g = new Float32Array(x.length);
      for (let p = 0; p < outer; p++) {
        for (let c = 0; c < channels; c++) {
          for (let q = 0; q < inner; q++) {
            const i = (p * channels + c) * inner + q;
            let s = 0;
            for (let k = 0; k < num; k++) if (x[i]! > thresholds[k]!) s += upstream[((p * channels + c) * num + k) * inner + q]!;
            g[i] = s / range;
          }
        }
      }
      return g;
    },
  };
}
