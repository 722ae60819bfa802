import { RsRangeError } from '../errors.js';
import { NOISE_STREAM } from '../sampling/noise-streams.js';
import type { MethodBatch } from './method.js';

/**
 * Small per-example vector operations the L2 attacks share, in float64, over `count` rows of
 * `dim` values back to back, written to follow PyTorch's semantics (`renorm`, `clamp`, `round`).
 */

/**
 * L2 norm of row `i`.
 */
export function rowNorm(v: Float64Array, i: number, dim: number): number {
  let s = 0;
  for (let f = 0; f < dim; f++) s += v[i * dim + f]! ** 2;
  return Math.sqrt(s);
}

/**
 * PyTorch's `renorm_(p=2, dim=0, maxnorm)` on row `i`: a row whose norm exceeds `maxnorm` is scaled
 * by `maxnorm / (norm + 1e-7)`.
 */
export function renormRow(v: Float64Array, i: number, dim: number, maxnorm: number): void {
  const norm = rowNorm(v, i, dim);
  if (!(norm > maxnorm)) return;
  const s = maxnorm / (norm + 1e-7);
  for (let f = 0; f < dim; f++) v[i * dim + f]! *= s;
}

/**
 * Clamps `x` (row `i`) to the valid domain, when there is one (the papers clamp to [0, 1]).
 */
export function clampRow(v: Float64Array, i: number, dim: number, domain: { min: Float32Array; max: Float32Array } | null): void {
  if (!domain) return;
  for (let f = 0; f < dim; f++) {
    const k = i * dim + f;
    v[k] = Math.min(Math.max(v[k]!, domain.min[f]!), domain.max[f]!);
  }
}

/**
 * Rounds half to even, as `torch.round`.
 */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Normalizes row `i` of the gradient `g` to unit L2 norm (Salman et al.'s attacks); a zero row gets
 * a random direction instead, as theirs do, drawn from the `attackDirection` stream (sample index
 * `epoch * numSteps + step`) so that it is reproducible, and not normalized (as theirs).
 */
export function unitDirection(batch: MethodBatch, g: Float64Array, i: number, step: number, numSteps: number): void {
  const { dim } = batch.config;
  const norm = rowNorm(g, i, dim);
  if (norm > 0) {
    for (let f = 0; f < dim; f++) g[i * dim + f]! /= norm;
    return;
  }
  const z = new Float32Array(dim);
  const sample = batch.epoch * numSteps + step;
  if (sample >= 2 ** 32)
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `epoch ${batch.epoch} x ${numSteps} attack steps exceeds the 2^32 sample indices of a noise stream`);
  batch.config.noise.fillStandardNormal(z, 0, {
    seed: batch.seed,
    stream: NOISE_STREAM.attackDirection,
    inputIndex: batch.ids[i]!,
    sampleStart: sample,
    sampleCount: 1,
    dim,
  });
  for (let f = 0; f < dim; f++) g[i * dim + f] = z[f]!;
}

/**
 * The clean inputs as float64 rows (the attacks' iterates).
 */
export function toFloat64(x: Float32Array, length: number): Float64Array {
  return Float64Array.from(x.subarray(0, length));
}
