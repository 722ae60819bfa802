import { RsRangeError } from '../errors.js';
import { preprocessor } from '../smoothing/smoothing-config.js';
import type { MethodBatch } from './method.js';

/** The first sample index of an example's `m` copies in `epoch`, checked to fit Philox's 32-bit counter word. */
function sampleStart(epoch: number, m: number): number {
  const start = epoch * m;
  if (start + m > 2 ** 32)
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `epoch ${epoch} x ${m} noise samples per example exceeds the 2^32 sample indices of a noise stream`);
  return start;
}

/**
 * `m` noisy copies of every example of the batch, input-major (row `i * m + j` is copy j of
 * example i): `x_i + sigma * z`, with z the Philox noise of (seed, `stream`, example id, sample
 * `epoch * m + j`, of the configured family `noise`), clipped to `clipValues` when `clipNoisy`, then
 * preprocessed. Noise is drawn in raw input space, before preprocessing, as in every method of core.
 *
 * @example
 * const rows = noisyCopies(batch, NOISE_STREAM.macer, 16); // batch.count * 16 rows
 */
export function noisyCopies(batch: MethodBatch, stream: number, m: number): Float32Array {
  const { config, count, x, ids } = batch;
  const { dim } = config;
  const out = new Float32Array(count * m * dim);
  const clip = config.options.clipNoisy ? (config.domain ?? undefined) : undefined;
  const start = sampleStart(batch.epoch, m);
  for (let i = 0; i < count; i++) {
    const request = { seed: batch.seed, stream, inputIndex: ids[i]!, sampleStart: start, sampleCount: m, dim, family: config.options.noise };
    config.noise.fillNoisy(out, i * m * dim, request, x, i * dim, config.options.scale, clip);
  }
  preprocessor(config)?.(out, count * m);
  return out;
}

/**
 * The scaled noise `f32(f32(sigma) * z)` of `m` copies per example (input-major, as
 * {@link noisyCopies}), kept so an attack can add the same noise to every iterate:
 * `addNoise(xAdv, noise)` then equals `noisyCopies` of `xAdv` bit for bit.
 *
 * @example
 * const noise = scaledNoise(batch, NOISE_STREAM.smoothAdv, 4);
 */
export function scaledNoise(batch: MethodBatch, stream: number, m: number): Float32Array {
  const { config, count, ids } = batch;
  const { dim } = config;
  const out = new Float32Array(count * m * dim);
  const start = sampleStart(batch.epoch, m);
  for (let i = 0; i < count; i++) {
    const request = { seed: batch.seed, stream, inputIndex: ids[i]!, sampleStart: start, sampleCount: m, dim, family: config.options.noise };
    config.noise.fillStandardNormal(out, i * m * dim, request);
  }
  const s = Math.fround(config.options.scale);
  for (let k = 0; k < out.length; k++) out[k] = s * out[k]!; // one float32 rounding, as fillNoisy
  return out;
}

/**
 * Noisy rows `clip(f32(x_i + noise_ij))` of `count` inputs (raw space, float64 or float32) with
 * `m` noise vectors each (from {@link scaledNoise}); clipped when `clipNoisy`, then preprocessed.
 * With `mask`, also writes 1 where a row's feature is inside the clip bounds (0 where clipped: its
 * gradient is zero).
 *
 * @example
 * const rows = addNoise(batch.config, xAdv, batch.count, noise, 4);
 */
export function addNoise(config: MethodBatch['config'], x: ArrayLike<number>, count: number, noise: Float32Array, m: number, mask?: Uint8Array): Float32Array {
  const { dim } = config;
  const out = new Float32Array(count * m * dim);
  const clip = config.options.clipNoisy ? config.domain : null;
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < m; j++) {
      const r = (i * m + j) * dim;
      for (let f = 0; f < dim; f++) {
        let v = Math.fround(Math.fround(x[i * dim + f]!) + noise[r + f]!);
        if (clip) {
          const lo = clip.min[f]!;
          const hi = clip.max[f]!;
          if (mask) mask[r + f] = v > lo && v < hi ? 1 : 0;
          v = v < lo ? lo : v;
          v = hi < v ? hi : v;
        } else if (mask) mask[r + f] = 1;
        out[r + f] = v;
      }
    }
  }
  preprocessor(config)?.(out, count * m);
  return out;
}
