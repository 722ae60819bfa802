import { philox4x32 } from './philox.js';
import { philoxKey } from './seed.js';

/**
 * Counter-based uniform numbers for initializing the weights of a model: the `count` numbers of
 * parameter tensor `tensorIndex`, each in [0, 1). The same arguments always give the same
 * numbers, whatever was drawn before (a reset is reproducible and the tensors are independent).
 *
 * @example
 * const u = philoxUniformSource(0n, NOISE_STREAM.onnxWeightInit).uniform(3, 144); // Float64Array(144)
 */
export interface UniformSource {
  uniform(tensorIndex: number, count: number): Float64Array;
}

/**
 * A {@link UniformSource} from Philox4x32-10 keyed by `seed`: number `i` of tensor `t` is word
 * `i % 4` of the block at counter `(floor(i / 4), t, 0, stream)`, divided by 2^32 (exact in a
 * float64). `stream` is one of `NOISE_STREAM`'s weight-initialization ids.
 *
 * @example
 * const random = philoxUniformSource(42n, NOISE_STREAM.onnxWeightInit);
 * const fresh = initialWeights(model, weights, random); // @rs/onnx-graph
 */
export function philoxUniformSource(seed: bigint, stream: number): UniformSource {
  const key = philoxKey(seed);
  return {
    uniform(tensorIndex: number, count: number): Float64Array {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i += 4) {
        const words = philox4x32([i / 4, tensorIndex, 0, stream], key);
        for (let k = 0; k < 4 && i + k < count; k++) out[i + k] = words[k]! / 4294967296;
      }
      return out;
    },
  };
}
