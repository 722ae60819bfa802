import type { DiscreteGaussianTable } from '../sound/discrete-gaussian.js';
import type { NoiseFamily } from './families.js';
import type { NoiseRequest } from './stream-layout.js';

/** Per-feature clipping bounds for {@link NoiseGenerator.fillNoisy} (arrays of length >= dim). @example const clip: ClipBounds = { min: new Float32Array(784), max: new Float32Array(784).fill(1) }; */
export interface ClipBounds {
  min: Float32Array;
  max: Float32Array;
}

/**
 * A backend that draws the noise of the stream layout (see `stream-layout.ts`).
 * All backends produce the same numbers for the same request.
 *
 * @example
 * const gen = createNoiseGenerator();
 * const out = new Float32Array(100 * 784);
 * gen.fillStandardNormal(out, 0, { seed: 1n, stream: 1, inputIndex: 0, sampleStart: 0, sampleCount: 100, dim: 784 });
 */
export interface NoiseGenerator {
  /** Backend name: 'wasm-simd' or 'js'. */
  readonly name: string;
  /**
   * The noise families it draws (`req.family`); absent means Gaussian only. Core's generators draw
   * every family of `NOISE_FAMILIES`.
   */
  readonly families?: readonly NoiseFamily[];
  /**
   * Writes sampleCount*dim standard normals: sample j (row j - sampleStart),
   * feature f goes to out[outOffset + (j - sampleStart) * dim + f]. A request whose `family` is
   * not 'gaussian' is a RangeError (use {@link NoiseGenerator.fillStandard}).
   */
  fillStandardNormal(out: Float32Array, outOffset: number, req: NoiseRequest): void;
  /**
   * Writes sampleCount*dim unit-variance values of `req.family` (default Gaussian), in the layout
   * of {@link NoiseGenerator.fillStandardNormal}.
   */
  fillStandard?(out: Float32Array, outOffset: number, req: NoiseRequest): void;
  /**
   * Fused noisy copies of one input: for each row and feature f,
   * out[outOffset + row*dim + f] = clamp(f32(base[baseOffset + f] + f32(f32(scale) * z)), clip.min[f], clip.max[f])
   * where z is the float32 unit-variance value of `req.family` (fillStandard); the clamp is
   * v = v < min ? min : v; v = max < v ? max : v (only when `clip` is given).
   */
  fillNoisy(out: Float32Array, outOffset: number, req: NoiseRequest, base: Float32Array, baseOffset: number, scale: number, clip?: ClipBounds): void;
  /**
   * The sound mode's noisy copies (`fillSoundNoisy` of src/sound/sound-sampler.ts, bitwise): integer
   * grid coordinates `grid[gridOffset ..]` plus discretized Gaussian integers, as float32((m + j) / levels).
   * Optional: without it core uses the JS reference.
   */
  fillSound?(
    out: Float32Array,
    outOffset: number,
    req: NoiseRequest,
    grid: Int32Array,
    gridOffset: number,
    table: DiscreteGaussianTable,
    clip?: ClipBounds,
  ): void;
  /** Releases backend resources (no-op for JS). */
  dispose?(): void;
}
