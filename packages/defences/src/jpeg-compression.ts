import { type Preprocessor, RsRangeError } from '@rs/core';
import jpeg from 'jpeg-js';
import { z } from 'zod';
import { libjpegGreyRoundTrip } from './libjpeg-grey.js';
import { checkBatch, clipValuesSchema, flag, intIn, parseDefenceOptions } from './options.js';

const schema = z
  .object({
    clipValues: clipValuesSchema.refine(([lo, hi]) => lo === 0 && (hi === 1 || hi === 255), { error: 'must be [0, 1] or [0, 255]' }),
    quality: intIn(1, 100).default(50),
    channelsFirst: flag().default(false),
    codec: z.enum(['libjpeg', 'jpeg-js'], { error: "must be 'libjpeg' or 'jpeg-js'" }).default('libjpeg'),
  })
  .strict();

/** Options of {@link jpegCompression} (ART's `JpegCompression(clip_values, quality=50, channels_first=False)`). */
export type JpegCompressionOptions = z.input<typeof schema>;

/** Encodes and decodes one `width` x `height` image of 1 (grey) or 3 (RGB) 8-bit channels with jpeg-js, in place. */
function jpegJsRoundTrip(pixels: Uint8Array, width: number, height: number, channels: 1 | 3, quality: number): void {
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let k = 0; k < 3; k++) rgba[4 * p + k] = pixels[p * channels + (channels === 3 ? k : 0)]!;
    rgba[4 * p + 3] = 255;
  }
  const encoded = jpeg.encode({ data: rgba, width, height }, quality);
  const decoded = jpeg.decode(encoded.data, { useTArray: true, formatAsRGBA: false });
  for (let p = 0; p < width * height; p++) {
    for (let k = 0; k < channels; k++) pixels[p * channels + k] = decoded.data[p * 3 + k]!;
  }
}

/**
 * ART's `JpegCompression` (Dziugaite et al. 2016, Das et al. 2017): each image goes through a JPEG
 * encode / decode at `quality`, as 8-bit values (`x * 255` truncated, as ART's `astype('uint8')`,
 * when `clipValues` is [0, 1]); 3-channel images as RGB, any other number of channels one grey
 * image per channel, as ART. Batches of rank 4 or 5. Inputs must lie in `clipValues` (ART rejects
 * negative values; with randomized smoothing set `clipNoisy: true`). Gradient: BPDA (the identity),
 * ART's `estimate_gradient`.
 *
 * `codec`: `'libjpeg'` (default) computes grey images bit for bit as Pillow / libjpeg-turbo do
 * (the islow DCT, quantization and inverse DCT of a baseline JPEG; entropy coding is lossless and
 * skipped), so it equals ART; RGB images go through `jpeg-js`. `'jpeg-js'` sends every image
 * through the `jpeg-js` encoder and decoder (a real JPEG file; its DCT rounds differently, so
 * pixels differ from ART's, see the package README).
 *
 * @example
 * const jpeg50 = jpegCompression({ clipValues: [0, 1], quality: 50, channelsFirst: true });
 */
export function jpegCompression(options: JpegCompressionOptions): Preprocessor {
  const o = parseDefenceOptions(schema, options, 'JpegCompression');
  const unit = o.clipValues[1] === 1;
  const max = o.clipValues[1];
  return {
    name: 'JpegCompression',
    params: { clipValues: [...o.clipValues], quality: o.quality, channelsFirst: o.channelsFirst, codec: o.codec },
    gradient: 'bpda',
    apply(data, shape) {
      checkBatch('JpegCompression', data, shape, [4, 5]);
      for (let i = 0; i < data.length; i++) {
        if (!(data[i]! >= 0 && data[i]! <= max)) {
          throw new RsRangeError(
            'RS_INVALID_INPUT',
            `JpegCompression needs inputs in [0, ${max}] (its clipValues), got ${data[i]} at index ${i}: with randomized smoothing, set clipNoisy: true`,
          );
        }
      }
      const n = shape.length;
      // Channels-last view [images, h, w, channels] of the batch.
      const channels = o.channelsFirst ? shape[1]! : shape[n - 1]!;
      const h = o.channelsFirst ? shape[n - 2]! : shape[n - 3]!;
      const w = o.channelsFirst ? shape[n - 1]! : shape[n - 2]!;
      const images = data.length / (channels * h * w);
      const framesPerItem = n === 5 ? (o.channelsFirst ? shape[2]! : shape[1]!) : 1;
      /** Index in `data` of (image, y, x, channel); image = item * frames + frame. */
      const at = (image: number, y: number, x: number, c: number): number => {
        if (!o.channelsFirst) return ((image * h + y) * w + x) * channels + c;
        const item = Math.floor(image / framesPerItem);
        const frame = image % framesPerItem;
        return (((item * channels + c) * framesPerItem + frame) * h + y) * w + x;
      };
      const out = new Float32Array(data.length);
      const mode: 1 | 3 = channels === 3 ? 3 : 1;
      const pixels = new Uint8Array(h * w * mode);
      for (let image = 0; image < images; image++) {
        for (let c0 = 0; c0 < channels; c0 += mode) {
          for (let y = 0; y < h; y++) {
            for (let x = 0; x < w; x++) {
              for (let k = 0; k < mode; k++) {
                const v = data[at(image, y, x, c0 + k)]!;
                pixels[(y * w + x) * mode + k] = Math.trunc(unit ? Math.fround(v * 255) : v);
              }
            }
          }
          if (mode === 1 && o.codec === 'libjpeg') libjpegGreyRoundTrip(pixels, w, h, o.quality);
          else jpegJsRoundTrip(pixels, w, h, mode, o.quality);
          for (let y = 0; y < h; y++) {
            for (let x = 0; x < w; x++) {
              for (let k = 0; k < mode; k++) {
                const v = pixels[(y * w + x) * mode + k]!;
                out[at(image, y, x, c0 + k)] = unit ? Math.fround(v / 255) : v;
              }
            }
          }
        }
      }
      return { data: out, shape: [...shape] };
    },
  };
}
