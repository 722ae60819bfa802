/**
 * Counter-based noise of @rs/core: Philox4x32-10 with a fixed stream layout (see
 * `stream-layout.ts`), Gaussian (Box-Muller), uniform and Laplace families, a WebAssembly SIMD
 * backend and a bitwise-identical plain-JS backend.
 */
import { createJsNoiseGenerator } from './js-generator.js';
import { createWasmNoiseGenerator, isWasmSimdSupported } from './wasm-generator.js';
import type { NoiseGenerator } from './types.js';
import { RsRangeError } from '../errors.js';

export type { NoiseRequest } from './stream-layout.js';
export type { ClipBounds, NoiseGenerator } from './types.js';
export {
  MAX_NOISE_DIM,
  PHILOX_M0,
  PHILOX_M1,
  PHILOX_ROUNDS,
  PHILOX_W0,
  PHILOX_W1,
  validateNoiseRequest,
} from './stream-layout.js';
export { philox4x32 } from './philox.js';
export { philoxUniformSource, type UniformSource } from './uniform-source.js';
export { boxMullerPair, normalsFromBlock } from './box-muller.js';
export {
  familyLambda,
  laplaceUnitFromU32,
  NOISE_FAMILIES,
  NOISE_FAMILY_ID,
  noiseFamilyId,
  uniformUnitFromU32,
  unitsFromBlock,
  type NoiseFamily,
} from './families.js';
export { createJsNoiseGenerator } from './js-generator.js';
export { createWasmNoiseGenerator, isWasmSimdSupported } from './wasm-generator.js';
export { philoxKey, randomSeed, seedFromNumber } from './seed.js';

/** Options of {@link createNoiseGenerator}. @example createNoiseGenerator({ prefer: 'js' }) */
export interface NoiseGeneratorOptions {
  /** 'wasm' (default): the WebAssembly SIMD kernel when available, else JS. 'js': always the JS reference. */
  prefer?: 'wasm' | 'js';
}

/**
 * Creates a noise generator synchronously: the WebAssembly SIMD backend
 * (`name === 'wasm-simd'`) when the runtime supports it, else the plain-JS
 * backend (`name === 'js'`). Both produce bitwise-identical noise.
 *
 * @example
 * const gen = createNoiseGenerator();
 * const out = new Float32Array(1000 * 784);
 * gen.fillNoisy(out, 0, { seed: 42n, stream: 1, inputIndex: 0, sampleStart: 0, sampleCount: 1000, dim: 784 },
 *   image, 0, 0.25, { min: zeros, max: ones });
 */
export function createNoiseGenerator(options: NoiseGeneratorOptions = {}): NoiseGenerator {
  const prefer = options.prefer ?? 'wasm';
  if (prefer !== 'wasm' && prefer !== 'js') {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `prefer must be 'wasm' or 'js', got ${String(prefer)}`);
  }
  if (prefer === 'wasm' && isWasmSimdSupported()) return createWasmNoiseGenerator();
  return createJsNoiseGenerator();
}
