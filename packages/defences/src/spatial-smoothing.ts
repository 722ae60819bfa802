import type { Preprocessor } from '@rs/core';
import { z } from 'zod';
import { checkBatch, clipValuesSchema, flag, imageLayout, intIn, parseDefenceOptions } from './options.js';

const schema = z.object({ windowSize: intIn(1, 1024).default(3), channelsFirst: flag().default(false), clipValues: clipValuesSchema.optional() }).strict();

/** Options of {@link spatialSmoothing} (ART's `SpatialSmoothing(window_size=3, channels_first=False, clip_values=None)`). */
export type SpatialSmoothingOptions = z.input<typeof schema>;

/** scipy.ndimage's 'reflect' boundary (d c b a | a b c d | d c b a) for an index into `n` values. */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n;
  const m = ((i % period) + period) % period;
  return m < n ? m : period - 1 - m;
}

/**
 * ART's `SpatialSmoothing` (Xu et al. 2018): a `windowSize` x `windowSize` median filter over the
 * two spatial axes of each image and channel, scipy's `median_filter` with mode 'reflect' (for an
 * even window the upper median, scipy's rank `size // 2`), then clipped to `clipValues` when given.
 * Batches of rank 4 (`NCHW` / `NHWC`) or 5 (videos: `NCFHW` / `NFHWC`), as ART.
 *
 * Gradient: exact; each output's gradient goes to the input value the median picked (zero where
 * clipping changed it). ART's numpy version passes gradients unchanged (BPDA); its PyTorch version
 * differentiates the filter, as here.
 *
 * @example
 * const smooth3 = spatialSmoothing({ windowSize: 3, channelsFirst: true, clipValues: [0, 1] });
 */
export function spatialSmoothing(options: SpatialSmoothingOptions = {}): Preprocessor {
  const o = parseDefenceOptions(schema, options, 'SpatialSmoothing');
  const w = o.windowSize;
  const before = Math.floor(w / 2); // scipy's origin 0: offsets -w//2 .. w - 1 - w//2
  const rank = Math.floor((w * w) / 2);
  const lo = o.clipValues ? Math.fround(o.clipValues[0]) : -Infinity;
  const hi = o.clipValues ? Math.fround(o.clipValues[1]) : Infinity;

  /** The median filter; `source[i]` gets the index of the input value output `i` took. */
  const filter = (data: Float32Array, shape: readonly number[], source: Int32Array | null): Float32Array => {
    const { outer, h, w: width, inner } = imageLayout(shape, o.channelsFirst);
    const out = new Float32Array(data.length);
    const values = new Float64Array(w * w);
    const index = new Int32Array(w * w);
    const order = Array.from({ length: w * w }, (_, k) => k);
    for (let b = 0; b < outer; b++) {
      for (let c = 0; c < inner; c++) {
        const base = b * h * width * inner + c;
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < width; x++) {
            let k = 0;
            for (let dy = 0; dy < w; dy++) {
              const yy = reflect(y + dy - before, h);
              for (let dx = 0; dx < w; dx++) {
                const at = base + (yy * width + reflect(x + dx - before, width)) * inner;
                values[k] = data[at]!;
                index[k++] = at;
              }
            }
            const i = base + (y * width + x) * inner;
            if (source) {
              for (let j = 0; j < order.length; j++) order[j] = j;
              order.sort((p, q) => values[p]! - values[q]!);
              const pick = order[rank]!;
              out[i] = values[pick]!;
              source[i] = index[pick]!;
            } else {
              out[i] = values.sort()[rank]!;
            }
          }
        }
      }
    }
    return out;
  };

  return {
    name: 'SpatialSmoothing',
    params: { windowSize: w, channelsFirst: o.channelsFirst, ...(o.clipValues ? { clipValues: [...o.clipValues] } : {}) },
    gradient: 'exact',
    apply(data, shape) {
      checkBatch('SpatialSmoothing', data, shape, [4, 5]);
      const out = filter(data, shape, null);
      if (o.clipValues) for (let i = 0; i < out.length; i++) out[i] = Math.min(Math.max(out[i]!, lo), hi);
      return { data: out, shape: [...shape] };
    },
    vjp(x, shape, upstream) {
      checkBatch('SpatialSmoothing', x, shape, [4, 5]);
      const source = new Int32Array(x.length);
      const out = filter(x, shape, source);
      const g = new Float32Array(x.length);
      for (let i = 0; i < out.length; i++) {
        if (out[i]! < lo || out[i]! > hi) continue;
        g[source[i]!]! += upstream[i]!;
      }
      return g;
    },
  };
}
